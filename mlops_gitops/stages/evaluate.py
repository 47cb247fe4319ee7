"""Stage ``evaluate``: predictive performance on the test split, against the success criteria."""

from __future__ import annotations

from pathlib import Path

from mlops_gitops.fsutil import atomic_write_text
from mlops_gitops.layout import ProjectLayout
from mlops_gitops.ml.artifact import load_model
from mlops_gitops.ml.compiled import compiled_metrics
from mlops_gitops.specs.catalogue import METRICS
from mlops_gitops.stages.context import experiment_settings, load_frame, write_json

__all__ = ["run"]


def run(root: Path, name: str) -> str:
    from mlops_gitops.ml.metrics import check_criteria, evaluate_model, predict
    from mlops_gitops.ml.plot_data import classification_rows, regression_rows, write_csv
    from mlops_gitops.ml.plots import plot_confusion_matrix, plot_predicted_vs_actual

    _, problem, dataset = experiment_settings(root, name)
    layout = ProjectLayout(root)
    model, info = load_model(layout.model_dir(name))
    test = load_frame(layout.test_split(dataset.name))
    X = test[[f.name for f in info.features]]
    y = test[dataset.target]
    evaluation = evaluate_model(problem.task, model, X, y)
    criteria = [c for c in problem.success_criteria if c.metric in METRICS]
    results = check_criteria(criteria, evaluation["metrics"])
    passed = all(r.passed for r in results)
    write_json(
        layout.metrics_file(name),
        {**evaluation["metrics"], **compiled_metrics(info.compiled), "criteria_passed": passed},
    )
    plots = layout.evaluate_plots(name)
    write_json(
        layout.evaluation_report(name),
        {**evaluation, "criteria": [r.to_dict() for r in results]},
    )
    predictions = predict(problem.task, model, X)
    rows = (
        classification_rows(y, predictions)
        if problem.task == "classification"
        else regression_rows(y, predictions.y_pred)
    )
    for file_name, file_rows in rows.items():
        write_csv(plots / file_name, file_rows)
    if problem.task == "classification" and "confusion_matrix" in evaluation:
        matrix = evaluation["confusion_matrix"]
        image = plot_confusion_matrix(
            matrix["matrix"],
            matrix["labels"],
            plots / "confusion_matrix.png",
            title=f"{name}: confusion matrix (test split)",
        )
    else:
        image = plot_predicted_vs_actual(
            y,
            predictions.y_pred,
            plots / "predicted_vs_actual.png",
            title=f"{name}: predicted vs actual (test split)",
        )
    lines = [
        f"# Evaluation of {name}",
        "",
        f"{evaluation['rows']} test rows.",
        "",
        "| metric | value |",
        "|---|---|",
    ]
    lines += [f"| {k} | {v:.4f} |" for k, v in evaluation["metrics"].items()]
    lines += ["", "| success criterion | observed | result |", "|---|---|---|"]
    lines += [
        f"| {r.criterion.describe()} | "
        f"{'-' if r.observed is None else f'{r.observed:.4f}'} | "
        f"{'pass' if r.passed else 'FAIL'}{'' if not r.reason else ' (' + r.reason + ')'} |"
        for r in results
    ]
    markdown = layout.evaluation_markdown(name)
    lines += ["", f"![{image.stem}]({image.relative_to(markdown.parent).as_posix()})"]
    atomic_write_text(markdown, "\n".join(lines) + "\n")
    primary = evaluation["metrics"].get(problem.metric, float("nan"))
    verdict = "criteria pass" if passed else "criteria FAIL"
    return f"{problem.metric} {primary:.4f} on {evaluation['rows']} test rows; {verdict}"
