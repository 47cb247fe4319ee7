"""Stage ``card``: the model card, from every report the pipeline wrote.

It also reads the spec files for the descriptive text (question, hypotheses, owner) as they are
when it runs. It does not depend on them: a changed description re-runs nothing, and the card
picks the new text up the next time the model changes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mlops_gitops.errors import MlopsError
from mlops_gitops.layout import ProjectLayout
from mlops_gitops.stages.context import experiment_settings, read_json

__all__ = ["run"]


def _problem_text(root: Path, name: str, fallback: Any) -> Any:
    from mlops_gitops.specs import load_specs

    try:
        return load_specs(root).problems.get(name, fallback)
    except MlopsError:
        return fallback


def _fairness(report: dict[str, Any] | None) -> dict[str, Any] | None:
    if not report:
        return None
    highlights = []
    groups: dict[str, Any] = {}
    for column, summary in report.get("columns", {}).items():
        groups[column] = {
            str(g["group"]): {"rows": g["rows"], report["metric"]: g["value"]}
            for g in summary.get("groups", [])
        }
        if summary.get("gap") is not None:
            flag = " **flagged**" if summary.get("flagged") else ""
            highlights.append(
                f"{report['metric']} differs by {summary['gap']:.3f} across `{column}` "
                f"(best {summary['best']}, worst {summary['worst']}){flag}"
            )
    if report.get("measured"):
        threshold = report.get("gap_threshold")
        highlights.insert(
            0,
            f"measured: {report['measured']}; a gap above {threshold} is flagged",
        )
    return {"highlights": highlights, "groups": groups}


def _dataset_summary(root: Path, name: str) -> dict[str, Any]:
    layout = ProjectLayout(root)
    ingest = read_json(layout.ingest_record(name)) or {}
    profile = read_json(layout.profile_report(name)) or {}
    highlights = []
    relations = profile.get("relations_with_target") or {}
    if relations:
        ranked = sorted(
            relations.items(),
            key=lambda kv: -((kv[1] or {}).get("mutual_information") or 0.0),
        )  # profile.json is written with sorted keys: rank by the value, not the name
        top = [name for name, _ in ranked[:3]]
        highlights.append(f"highest mutual information with the target: {', '.join(top)}")
    if profile.get("class_balance"):
        shares = ", ".join(f"{k} {v:.0%}" for k, v in profile["class_balance"].items())
        highlights.append(f"class balance: {shares}")
    if profile.get("duplicate_rows"):
        highlights.append(f"{profile['duplicate_rows']} duplicated rows")
    return {
        "name": name,
        "source": ingest.get("source"),
        "hash": ingest.get("content_sha256"),
        "rows": ingest.get("rows"),
        "columns": ingest.get("columns"),
        "highlights": highlights,
    }


def run(root: Path, name: str) -> str:
    from mlops_gitops.ml.explain import FAIRNESS_FILE, IMPORTANCE_FILE, SUMMARY_FILE
    from mlops_gitops.registry.model_card import render_model_card, write_model_card

    experiment, problem, dataset = experiment_settings(root, name)
    layout = ProjectLayout(root)
    board = read_json(layout.leaderboard(name)) or {}
    lineage = read_json(layout.lineage(name))
    interpretation = read_json(layout.interpret_dir(name) / SUMMARY_FILE)
    importance = read_json(layout.interpret_dir(name) / IMPORTANCE_FILE) or {}
    if interpretation is not None:
        interpretation = {
            **interpretation,
            "top_features": (importance.get("features") or [])[
                : experiment.interpretation.top_features
            ],
        }
    dataset_info = _dataset_summary(root, dataset.name)
    if lineage:
        dataset_info["dvc_version"] = (lineage.get("data") or {}).get("dvc_version")
    text = render_model_card(
        experiment=name,
        problem=_problem_text(root, problem.name, problem),
        dataset=dataset_info,
        training={
            "candidate": board.get("best_candidate"),
            "estimator": board.get("best_estimator"),
            "search": f"{board.get('strategy')}, {board.get('cv_folds')}-fold CV on "
            f"{board.get('metric')}"
            if board
            else None,
            "params": board.get("best_params"),
            "leaderboard": board.get("leaderboard"),
        },
        metrics=read_json(layout.metrics_file(name)),
        criteria=problem.success_criteria,
        performance=read_json(layout.performance_file(name)),
        interpretation=interpretation,
        fairness=_fairness(read_json(layout.interpret_dir(name) / FAIRNESS_FILE)),
        limitations=[
            f"Trained on {dataset_info.get('rows') or 'an unknown number of'} rows of "
            f"{dataset.name}; data unlike it (see drift reports) may be predicted poorly.",
            "Metrics are measured on one held-out split; their spread across splits is in the "
            "leaderboard's cross-validation std.",
        ],
        lineage=lineage,
        compiled=(read_json(layout.model_info(name)) or {}).get("compiled"),
    )
    path = write_model_card(layout.model_dir(name), text)
    return f"model card at {layout.posix(path)}"
