"""The drift pull request's title and Markdown body, from what the check found and what was
done about it. Pure: the same inputs give the same text."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from mlops_gitops.drift_pr.challenger import Comparison, render_table
from mlops_gitops.drift_pr.dataset_version import DatasetVersion
from mlops_gitops.labels.performance import LabelledPerformance
from mlops_gitops.labels.report import render_section
from mlops_gitops.monitoring.result import ColumnDrift, DriftResult
from mlops_gitops.requestlog.schema import PREDICTION

__all__ = ["Retraining", "render_body", "render_title"]


@dataclass(frozen=True)
class Retraining:
    """What the retrain path did: the new data version (and where DVC keeps it), the spec file
    that now points at it, and the champion/challenger comparison."""

    version: DatasetVersion
    spec_file: str
    comparison: Comparison
    dvc_remote: str | None
    tracked_by_dvc: bool = True


def render_title(result: DriftResult) -> str:
    """``Drift on <deployment>: N of M columns drifted``."""
    tested = result.tested_features
    drifted = sum(c.drifted for c in tested)
    return f"Drift on {result.deployment}: {drifted} of {len(tested)} columns drifted"


def _value(value: float | None) -> str:
    return "-" if value is None else f"{value:.4g}"


def _row(column: ColumnDrift) -> str:
    name = column.name
    if column.role == "prediction" and name != PREDICTION:
        name += " (prediction)"
    if column.data_quality is not None:
        return f"| {name} | data quality | | | **yes**: {column.data_quality} |"
    if column.skipped is not None:
        return f"| {name} | skipped | | | {column.skipped} |"
    drifted = "**yes**" if column.drifted else "no"
    return (
        f"| {name} | {column.method} | {_value(column.statistic)} | "
        f"{_value(column.threshold)} | {drifted} |"
    )


def _drift_table(result: DriftResult) -> list[str]:
    ordered = sorted(result.columns, key=lambda c: (not c.drifted, c.skipped is not None, c.name))
    return [
        "| column | test | statistic | threshold | drifted |",
        "|---|---|---|---|---|",
        *(_row(c).replace("\n", " ") for c in ordered),
    ]


def _path(path: str, page_url: Callable[[str], str | None] | None) -> str:
    """A file's path as a link to its page at the branch's commit, when that is known."""
    url = page_url(path) if page_url is not None else None
    return f"[`{path}`]({url})" if url else f"`{path}`"


def _images(images: Sequence[tuple[str, str | None]]) -> list[str]:
    """The drifted columns' plots, inline (``url``: the file at the branch's commit), or a
    link to the committed file when the repository's web address is unknown."""
    shown = [f"![{name}]({url})" for name, url in images if url]
    listed = [f"`{name}`" for name, url in images if not url]
    out = ["### Distributions of the drifted columns", "", *shown] if shown else []
    if listed:
        out += [f"Plots committed with the report: {', '.join(listed)}."]
    return [*out, ""] if out else []


def render_body(
    result: DriftResult,
    *,
    report_dir: str,
    performance: LabelledPerformance | None,
    retrain: bool,
    retraining: Retraining | None,
    images: Sequence[tuple[str, str | None]] = (),
    page_url: Callable[[str], str | None] | None = None,
) -> str:
    """The body: the drift table, labelled performance, retraining, what to do next.

    ``page_url`` gives the web page of a committed file (by its path in the repository): every
    report path is then a link to it."""
    name = result.deployment or "the deployment"
    lines = [f"## {render_title(result)}", "", f"**{result.headline()}**", ""]
    if result.window_start and result.window_end:
        lines += [
            f"Window: {result.window_start} to {result.window_end} "
            f"({result.current_rows} requests; {result.reference_rows} training rows "
            "as reference).",
            "",
        ]
    lines += [*_drift_table(result), "", *_images(images)]
    md, html = (_path(f"{report_dir}/{name}", page_url) for name in ("report.md", "report.html"))
    lines += [
        f"Full report with plots: {md}; as one self-contained page (open it in a browser): {html}.",
        "",
    ]
    if performance is not None:
        lines += [render_section(performance).replace("## ", "### ", 1)]
    else:
        lines += [
            "### Performance on labelled traffic",
            "",
            "No request of this window has a label yet, so the model's real performance "
            "is unknown.",
            "",
        ]
    lines += ["### Retraining", ""]
    lines += _retraining(name, performance, retrain, retraining)
    lines += ["", "### What to do next", ""]
    lines += _next_steps(name, performance, retrain, retraining)
    return "\n".join(lines).rstrip("\n") + "\n"


def _retraining(
    name: str,
    performance: LabelledPerformance | None,
    retrain: bool,
    retraining: Retraining | None,
) -> list[str]:
    how = (
        f"import them with `mlops labels import {name} labels.csv` (columns `request_id`, "
        f"`label`) or send them to `POST /v2/models/<model>/feedback`, then run "
        f"`mlops drift pr {name}` again"
    )
    if not retrain:
        return [
            "Retraining is off for this deployment (`monitoring.retrain: false`). Turn it "
            "on to have this pull request carry a new dataset version and a challenger "
            "model once labels arrive."
        ]
    if retraining is None:
        return [
            f"Retraining waits for labels: {how}."
            if performance is None
            else "Retraining was not attempted."
        ]
    version, comparison = retraining.version, retraining.comparison
    if retraining.tracked_by_dvc:
        where = f"DVC tracks it (`{version.dvc_path}`); its data is in the DVC cache" + (
            f" and pushed to the remote `{retraining.dvc_remote}`."
            if retraining.dvc_remote
            else ", and no DVC remote is configured: run `dvc push` where this ran."
        )
    else:
        where = "this project does not use DVC, so the file itself is committed."
    verdict = (
        "The challenger beats the champion on the test split"
        if comparison.challenger_wins
        else "The challenger does not beat the champion on the test split"
    )
    return [
        f"New dataset version `{version.path}`: {version.rows} rows = {version.original_rows} "
        f"from `{version.based_on}` + {version.added_rows} labelled rows of this window. "
        f"{where}",
        "",
        f"`{retraining.spec_file}` now reads it (`source: {{path: {version.path}}}`), so merging "
        "this pull request retrains through `mlops apply` and `dvc repro` in CI.",
        "",
        f"A challenger was trained now with the experiment's own search on "
        f"{comparison.train_rows} rows (the training split + {comparison.labelled_train_rows} "
        f"labelled rows) and scored on rows neither model was trained on. {verdict} "
        f"({comparison.metric}).",
        "",
        render_table(comparison).rstrip("\n"),
    ]


def _next_steps(
    name: str,
    performance: LabelledPerformance | None,
    retrain: bool,
    retraining: Retraining | None,
) -> list[str]:
    steps = [
        "- Look at the plots of the drifted columns: is the change real (new users, a new "
        "market) or a broken upstream feed? A broken feed is fixed at the source, not by "
        "retraining."
    ]
    if retraining is not None:
        steps.append(
            "- If the new data is right, merge: CI re-runs the pipeline on it and the "
            "usual gates decide whether the new model is promoted."
        )
    elif performance is None:
        steps.append(
            f"- Collect labels for the window and import them "
            f"(`mlops labels import {name} FILE`) to see the model's real performance."
        )
    if not retrain:
        steps.append(
            "- To retrain, add the new data to the dataset's source and merge; "
            "`dvc repro` does the rest."
        )
    steps.append(
        "- Merging this pull request keeps the report in the repository's history; "
        "closing it dismisses this alert, and the next check opens a new one."
    )
    return steps
