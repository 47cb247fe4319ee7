"""A drift report's histograms as DVC plots: one CSV per drifted column and a ``dvc.yaml`` beside
them that declares each file with a built-in template and its axes, so ``dvc plots show`` draws
them and ``dvc plots diff main HEAD`` overlays the previous report's histograms on a drift pull
request's.

A numeric column's file has one row per bin (``bin``: its lower edge, ``reference``,
``current``: the share of rows in it), drawn as two lines. A categorical column's has one row per
category and sample (``category``, ``sample``, ``share``, and ``bar``: both, the bar's label),
drawn as horizontal bars: DVC's bar template takes one value field, so the two samples are rows.

The folder is stable per deployment (``reports/drift/<deployment>/``: the latest report's
histograms), not the report's own time-stamped folder: DVC overlays revisions of the same path.
A ``dvc.yaml`` holding only ``plots`` is a valid DVC file anywhere in the repository.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

from mlops_gitops.fsutil import atomic_write_text
from mlops_gitops.layout import RELATIVE
from mlops_gitops.monitoring.result import ColumnDrift, DriftResult

__all__ = [
    "HISTOGRAMS_DIR",
    "PLOTS_FILE",
    "histogram_file",
    "histogram_rows",
    "plot_definitions",
    "write_histogram_plots",
]

HISTOGRAMS_DIR = "histograms"
PLOTS_FILE = RELATIVE.posix(RELATIVE.dvc_file())
"""A ``dvc.yaml`` of plots only, beside the histograms: DVC reads every ``dvc.yaml`` of the repo."""
NUMERIC_FIELDS = ("bin", "reference", "current")
CATEGORICAL_FIELDS = ("category", "sample", "share", "bar")
HEADER = "# Written by mlops (drift report): the latest drift histograms as DVC plots.\n"


def histogram_file(column: str) -> str:
    """``histograms/<safe column name>.csv``, relative to the plots folder."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", column).strip("._") or "column"
    return f"{HISTOGRAMS_DIR}/{safe}.csv"


def histogram_rows(column: ColumnDrift) -> list[dict[str, Any]]:
    """Numeric: one row per bin (lower edge, both shares); categorical: one per category and
    sample. Empty when the column has no histogram."""
    hist = column.histogram
    if hist is None:
        return []
    if hist.edges:
        return [
            {"bin": low, "reference": ref, "current": cur}
            for low, ref, cur in zip(hist.edges[:-1], hist.reference, hist.current, strict=True)
        ]
    return [
        {"category": label, "sample": sample, "share": share, "bar": f"{label} ({sample})"}
        for label, ref, cur in zip(hist.labels, hist.reference, hist.current, strict=True)
        for sample, share in (("reference", ref), ("current", cur))
    ]


def _csv(rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    fields = NUMERIC_FIELDS if "bin" in rows[0] else CATEGORICAL_FIELDS
    writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def plot_definitions(result: DriftResult) -> list[dict[str, dict[str, Any]]]:
    """The top-level ``plots`` entries of the folder's ``dvc.yaml``, one per drifted column."""
    return [
        {histogram_file(c.name): _props(c.name, numeric=bool(c.histogram.edges))}
        for c in result.columns
        if c.histogram is not None
    ]


def _props(column: str, *, numeric: bool) -> dict[str, Any]:
    title = f"{column}: share of rows, reference vs current"
    if numeric:
        return {
            "template": "simple",
            "x": "bin",
            "y": ["reference", "current"],
            "title": title,
            "x_label": f"{column} (bin's lower edge)",
            "y_label": "share of rows",
        }
    return {
        "template": "bar_horizontal",
        "x": "share",
        "y": "bar",
        "title": title,
        "x_label": "share of rows",
        "y_label": column,
    }


def write_histogram_plots(result: DriftResult, folder: Path) -> tuple[Path, ...]:
    """Write each drifted column's histogram CSV and the ``dvc.yaml`` declaring them into
    ``folder``, replacing the previous report's. Returns the written paths; a report without
    histograms (nothing drifted) leaves the folder as it was."""
    import yaml

    plots = plot_definitions(result)
    if not plots:
        return ()
    written: list[Path] = []
    keep: set[Path] = set()
    for column in result.columns:
        rows = histogram_rows(column)
        if not rows:
            continue
        path = folder / histogram_file(column.name)
        atomic_write_text(path, _csv(rows))
        keep.add(path)
        written.append(path)
    for stale in (folder / HISTOGRAMS_DIR).glob("*.csv"):
        if stale not in keep:
            stale.unlink()
    body = yaml.safe_dump({"plots": plots}, sort_keys=False, allow_unicode=True)
    atomic_write_text(folder / PLOTS_FILE, HEADER + body)
    return (*written, folder / PLOTS_FILE)
