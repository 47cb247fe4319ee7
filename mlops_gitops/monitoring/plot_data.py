"""A drift report's histograms as DVC plots: one CSV per drifted column (``bin``, ``reference``,
``current``: the share of rows in each bin or category) and a ``dvc.yaml`` beside them that
declares each file with its axes, so ``dvc plots show`` draws them and ``dvc plots diff main
HEAD`` overlays the previous report's histograms on a drift pull request's.

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
PLOTS_FILE = "dvc.yaml"
FIELDS = ("bin", "reference", "current")
HEADER = "# Written by mlops (drift report): the latest drift histograms as DVC plots.\n"


def histogram_file(column: str) -> str:
    """``histograms/<safe column name>.csv``, relative to the plots folder."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", column).strip("._") or "column"
    return f"{HISTOGRAMS_DIR}/{safe}.csv"


def histogram_rows(column: ColumnDrift) -> list[dict[str, Any]]:
    """One row per bin: its lower edge (numeric columns) or its category, and both shares."""
    hist = column.histogram
    if hist is None:
        return []
    bins: list[Any] = list(hist.edges[:-1]) if hist.edges else list(hist.labels)
    return [
        {"bin": b, "reference": ref, "current": cur}
        for b, ref, cur in zip(bins, hist.reference, hist.current, strict=True)
    ]


def _csv(rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def plot_definitions(result: DriftResult) -> list[dict[str, dict[str, Any]]]:
    """The top-level ``plots`` entries of the folder's ``dvc.yaml``, one per drifted column."""
    return [
        {
            histogram_file(c.name): {
                "template": "linear" if c.histogram.edges else "bar_horizontal",
                "x": "bin",
                "y": ["reference", "current"],
                "title": f"{c.name}: share of rows, reference vs current",
            }
        }
        for c in result.columns
        if c.histogram is not None
    ]


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
