"""Write a search's leaderboard as ``leaderboard.json`` and ``leaderboard.md`` (atomically)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlops_gitops.fsutil import atomic_write_text
from mlops_gitops.layout import LEADERBOARD_FILE, LEADERBOARD_MARKDOWN_FILE

if TYPE_CHECKING:
    from mlops_gitops.ml.search import SearchResult

__all__ = ["LEADERBOARD_JSON", "LEADERBOARD_MD", "render_markdown", "write_leaderboard"]

LEADERBOARD_JSON = LEADERBOARD_FILE
LEADERBOARD_MD = LEADERBOARD_MARKDOWN_FILE


def write_leaderboard(result: SearchResult, directory: Path) -> tuple[Path, Path]:
    """Write both files into ``directory``; return their paths (JSON, Markdown)."""
    json_path = directory / LEADERBOARD_JSON
    md_path = directory / LEADERBOARD_MD
    text = json.dumps(result.to_dict(), indent=2, sort_keys=True, default=str) + "\n"
    atomic_write_text(json_path, text)
    atomic_write_text(md_path, render_markdown(result))
    return json_path, md_path


def render_markdown(result: SearchResult) -> str:
    direction = "higher" if result.greater_is_better else "lower"
    lines = [
        "# Leaderboard",
        "",
        f"Best: **{result.best_candidate}** ({result.best_estimator}), refitted on all "
        "training rows.",
        "",
        f"Metric: `{result.metric}` ({direction} is better), {result.cv_folds}-fold "
        f"cross-validation, strategy `{result.strategy}`, seed {result.seed}.",
        "",
        f"| rank | candidate | estimator | {result.metric} (cv mean) | cv std | fit time (s) "
        "| configs | params |",
        "|---:|---|---|---:|---:|---:|---:|---|",
    ]
    for row in result.leaderboard:
        params = ", ".join(f"{k}={_param(v)}" for k, v in sorted(row.params.items()))
        lines.append(
            f"| {row.rank} | {row.candidate} | {row.estimator} | {_number(row.cv_mean)} "
            f"| {_number(row.cv_std)} | {row.fit_time_s:.3f} | {row.trials} | {params} |"
        )
    warned = [row for row in result.leaderboard if row.warnings]
    if warned or result.notes:
        lines += ["", "## Notes", ""]
        lines += [f"- {_cell(note)}" for note in result.notes]
        lines += [f"- {row.candidate}: {_cell(w)}" for row in warned for w in row.warnings]
    return "\n".join(lines) + "\n"


def _number(value: float) -> str:
    return "failed" if math.isnan(value) else f"{value:.4f}"


def _param(value: Any) -> str:
    """A parameter for people: floats to 4 significant digits (leaderboard.json keeps them
    whole): ``alpha=0.1329``, not ``alpha=0.13292918943162169``."""
    if isinstance(value, float) and not isinstance(value, bool):
        return f"{value:.4g}"
    return _cell(value)


def _cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")
