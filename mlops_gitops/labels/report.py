"""Render labelled-traffic performance as Markdown or text, and add it to a drift report folder:
``labelled_performance.json`` beside ``report.json``, and a section at the end of ``report.md``."""

from __future__ import annotations

import json
from pathlib import Path

from mlops_gitops.fsutil import atomic_write_text
from mlops_gitops.labels.performance import LabelledPerformance

__all__ = ["JSON_NAME", "render_section", "render_text", "write_section"]

JSON_NAME = "labelled_performance.json"
SECTION = "## Performance on labelled traffic"


def _cell(value: float | None) -> str:
    return "-" if value is None else f"{value:.4g}"


def render_section(performance: LabelledPerformance) -> str:
    """A Markdown section: the headline and a metric | labelled traffic | test split table."""
    lines = [
        SECTION,
        "",
        f"{performance.rows} of {performance.requests} request(s) in the window have a label. "
        "The served predictions against those labels, and the model's test-split metrics:",
        "",
        "| metric | labelled traffic | test split |",
        "|---|---|---|",
    ]
    names = sorted(performance.metrics, key=lambda n: (n != performance.metric, n))
    lines += [
        f"| {name} | {_cell(performance.metrics[name])} | {_cell(performance.test.get(name))} |"
        for name in names
    ]
    if performance.notes:
        lines += ["", *(f"- {note}" for note in performance.notes)]
    return "\n".join(lines) + "\n"


def render_text(performance: LabelledPerformance) -> str:
    lines = [performance.headline()]
    lines += [
        f"  {name}: {_cell(value)} (test split {_cell(performance.test.get(name))})"
        for name, value in sorted(performance.metrics.items())
    ]
    return "\n".join(lines) + "\n"


def write_section(directory: Path, performance: LabelledPerformance) -> tuple[Path, ...]:
    """Write ``labelled_performance.json`` and append the section to ``report.md`` (replacing a
    section written before, so writing twice gives the same file)."""
    json_path, md_path = directory / JSON_NAME, directory / "report.md"
    atomic_write_text(json_path, json.dumps(performance.to_dict(), indent=2, sort_keys=True) + "\n")
    report = md_path.read_text(encoding="utf-8") if md_path.is_file() else ""
    report = report.split(f"\n{SECTION}\n", 1)[0].rstrip("\n")
    atomic_write_text(md_path, (report + "\n\n" if report else "") + render_section(performance))
    return json_path, md_path
