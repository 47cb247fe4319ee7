"""Render a :class:`DriftResult` as JSON, Markdown or text, and write a report folder:
``report.json``, ``report.md``, the self-contained ``report.html`` (every column's plot inline,
see :mod:`.html_report`) and one PNG per drifted column, each written atomically; and the
drifted columns' histograms as DVC plot data (:mod:`.plot_data`)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from mlops_gitops.fsutil import atomic_write_bytes, atomic_write_text
from mlops_gitops.monitoring.html_report import render_html
from mlops_gitops.monitoring.plot_data import write_histogram_plots
from mlops_gitops.monitoring.plots import plot_png
from mlops_gitops.monitoring.result import ColumnDrift, DriftResult

__all__ = [
    "HTML_FILE",
    "plot_name",
    "render_json",
    "render_markdown",
    "render_text",
    "write_report",
]


HTML_FILE = "report.html"


def render_json(result: DriftResult) -> str:
    return json.dumps(result.to_dict(), indent=2, sort_keys=True) + "\n"


def plot_name(column: str) -> str:
    """A safe file name for a column's plot."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", column).strip("._") + ".png" or "column.png"


def _value(value: float | None) -> str:
    return "" if value is None else f"{value:.4g}"


def _row(column: ColumnDrift, plots: set[str]) -> str:
    drifted = "**yes**" if column.drifted else "no"
    if column.missing_drifted:
        drifted += f" (missing {column.missing_reference:.1%} -> {column.missing_current:.1%})"
    why = column.skipped if column.skipped else column.reason
    if column.unseen_categories:
        why += f"; new categories in current ({column.unseen_share:.1%} of rows): " + ", ".join(
            column.unseen_categories
        )
    name = column.name + (" (prediction)" if column.role == "prediction" else "")
    if plot_name(column.name) in plots:
        name = f"[{name}]({plot_name(column.name)})"
    if column.data_quality is not None:
        drifted = "**yes** (data quality)"
        why = f"data-quality failure: {column.data_quality}"
    cells = [
        name,
        column.method or ("data quality" if column.data_quality else "skipped"),
        _value(column.statistic),
        _value(column.threshold),
        drifted,
        why,
    ]
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


def render_markdown(result: DriftResult, plots: set[str] | None = None) -> str:
    plots = plots or set()
    title = f"# Drift report: {result.deployment}" if result.deployment else "# Drift report"
    lines = [title, "", f"**{result.headline()}**", ""]
    if result.window_start and result.window_end:
        lines += [f"Window: {result.window_start} to {result.window_end}.", ""]
    lines += [
        f"Reference: {result.reference_rows} rows; current: {result.current_rows} rows.",
        "P-value tests (ks, chisquare, ztest) flag drift when the statistic is below the "
        "threshold; distances (wasserstein, jensenshannon, psi) when it is at or above it.",
        "",
        "| column | test | statistic | threshold | drifted | why this test |",
        "|---|---|---|---|---|---|",
    ]
    ordered = sorted(result.columns, key=lambda c: (not c.drifted, c.skipped is not None))
    lines += [_row(c, plots) for c in ordered]
    if result.notes:
        lines += ["", "Notes:", ""] + [f"- {note}" for note in result.notes]
    shown = [c.name for c in ordered if plot_name(c.name) in plots]
    if shown:  # the plots inline (a relative path renders in GitHub's file view and editors)
        lines += ["", "## Distributions of the drifted columns", ""]
        lines += [f"![{name}]({plot_name(name)})" for name in shown]
    return "\n".join(lines) + "\n"


def render_text(result: DriftResult) -> str:
    lines = [result.headline()]
    for c in result.columns:
        if c.data_quality is not None:
            lines.append(f"  {c.name}: DATA QUALITY: {c.data_quality}")
            continue
        if c.skipped is not None:
            lines.append(f"  {c.name}: skipped: {c.skipped}")
            continue
        mark = "DRIFT" if c.drifted else "ok"
        lines.append(
            f"  {c.name}: {mark}  {c.method} {_value(c.statistic)} "
            f"(threshold {_value(c.threshold)})"
            + ("  missing rate changed" if c.missing_drifted else "")
        )
    lines += [f"note: {note}" for note in result.notes]
    return "\n".join(lines) + "\n"


def write_report(
    result: DriftResult, directory: Path, *, plots_folder: Path | None = None
) -> tuple[Path, ...]:
    """Write ``report.json``, ``report.md``, ``report.html`` and ``<column>.png`` for each
    drifted column into ``directory`` (by convention ``reports/drift/<deployment>/<window
    end>/``), and the histograms as DVC plots into ``plots_folder`` (by convention
    ``reports/drift/<deployment>/``, see :mod:`.plot_data`; default ``directory``); return
    the paths, the JSON first, then the Markdown and the HTML."""
    written: list[Path] = []
    plots: set[str] = set()
    images: dict[str, bytes] = {}
    for column in result.columns:
        png = plot_png(column)
        if png is None:
            continue
        images[column.name] = png
        if column.drifted:
            path = directory / plot_name(column.name)
            atomic_write_bytes(path, png)
            plots.add(path.name)
            written.append(path)
    json_path, md_path = directory / "report.json", directory / "report.md"
    html_path = directory / HTML_FILE
    atomic_write_text(md_path, render_markdown(result, plots))
    atomic_write_text(html_path, render_html(result, images))
    atomic_write_text(json_path, render_json(result))
    data = write_histogram_plots(result, directory if plots_folder is None else plots_folder)
    return (json_path, md_path, html_path, *written, *data)
