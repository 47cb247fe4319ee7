"""The model card: one Markdown page on what a model is for, how good it is and where it came from.

:func:`render_model_card` is pure: it takes whatever the register stage could read (plain
mappings, or spec dataclasses) and renders every section, saying "Not measured." for each one it
was given nothing for, so a card never silently drops a section.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from mlops_gitops.fsutil import atomic_write_text
from mlops_gitops.layout import MODEL_CARD_FILE
from mlops_gitops.registry.gates import fmt
from mlops_gitops.specs.models import Criterion

__all__ = ["MODEL_CARD_FILE", "NOT_MEASURED", "render_model_card", "write_model_card"]

NOT_MEASURED = "_Not measured._"
LEADERBOARD_ROWS = 5

_UNITS = {
    "p50_latency_ms": "ms",
    "p95_latency_ms": "ms",
    "p99_latency_ms": "ms",
    "throughput_rows_per_s": "rows/s",
    "model_size_mb": "MB",
    "load_time_ms": "ms",
}


def _plain(value: Any) -> Any:
    """A dataclass (a spec object) as a mapping; anything else as it is."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        # shallow on purpose: asdict() deep-copies, and spec objects hold read-only mappings
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    return value


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return fmt(value)
    if value is None:
        return ""
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={_cell(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_cell(v) for v in value)
    return str(value).replace("|", "\\|").replace("\n", " ")


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines


def _facts(pairs: Sequence[tuple[str, Any]]) -> list[str]:
    shown = [(label, value) for label, value in pairs if value not in (None, "", ())]
    return [f"- **{label}:** {_cell(value)}" for label, value in shown]


def _number(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def _problem(problem: Mapping[str, Any] | None) -> list[str]:
    if not problem:
        return [NOT_MEASURED]
    lines = _facts(
        [
            ("Question", problem.get("question")),
            ("Task", problem.get("task")),
            ("Target", problem.get("target")),
            ("Primary metric", problem.get("metric")),
            ("Owner", problem.get("owner")),
            ("Business impact", problem.get("business_impact")),
        ]
    )
    hypotheses = problem.get("hypotheses") or ()
    if hypotheses:
        lines += ["", "Hypotheses:", *[f"- {h}" for h in hypotheses]]
    return lines or [NOT_MEASURED]


def _dataset(dataset: Mapping[str, Any] | None) -> list[str]:
    if not dataset:
        return [NOT_MEASURED]
    lines = _facts(
        [
            ("Name", dataset.get("name")),
            ("Source", dataset.get("source")),
            ("Content hash", dataset.get("hash")),
            ("DVC data version", dataset.get("dvc_version")),
            ("Rows", dataset.get("rows")),
            ("Columns", dataset.get("columns")),
        ]
    )
    highlights = dataset.get("highlights") or ()
    lines += (
        ["", "Profile highlights:", *[f"- {h}" for h in highlights]]
        if highlights
        else [
            "",
            f"Profile highlights: {NOT_MEASURED}",
        ]
    )
    return lines


def _training(training: Mapping[str, Any] | None) -> list[str]:
    if not training:
        return [NOT_MEASURED]
    lines = _facts(
        [
            ("Chosen candidate", training.get("candidate")),
            ("Estimator", training.get("estimator")),
            ("Search", training.get("search")),
        ]
    )
    params = training.get("params") or {}
    if params:
        lines += ["", "Parameters:", "", *_table(["parameter", "value"], sorted(params.items()))]
    board = list(training.get("leaderboard") or ())[:LEADERBOARD_ROWS]
    if board:
        header = list(dict.fromkeys(k for row in board for k in row))
        lines += [
            "",
            f"Search leaderboard (top {len(board)}):",
            "",
            *_table(header, [[row.get(k) for k in header] for row in board]),
        ]
    else:
        lines += ["", f"Search leaderboard: {NOT_MEASURED}"]
    return lines


def _criterion_row(criterion: Criterion, value: float | None) -> list[Any]:
    if value is None:
        return [criterion.metric, "not measured", criterion.describe(), "not measured"]
    if criterion.min is not None and value < criterion.min:
        result = f"FAIL (below by {fmt(criterion.min - value)})"
    elif criterion.max is not None and value > criterion.max:
        result = f"FAIL (above by {fmt(value - criterion.max)})"
    else:
        result = "pass"
    return [criterion.metric, fmt(value), criterion.describe(), result]


def _metrics(
    metrics: Mapping[str, Any] | None,
    performance: Mapping[str, Any] | None,
    criteria: Sequence[Criterion],
) -> list[str]:
    measured = {**(performance or {}), **(metrics or {})}
    if not metrics and not criteria:
        return [NOT_MEASURED]
    lines: list[str] = []
    if criteria:
        rows = [_criterion_row(c, _number(measured.get(c.metric))) for c in criteria]
        lines += _table(["metric", "value", "success criterion", "result"], rows)
    else:
        lines.append("No success criteria are set for this problem.")
    judged = {c.metric for c in criteria}
    others = [
        (k, _number(v))
        for k, v in sorted((metrics or {}).items())
        if k not in judged and _number(v) is not None
    ]
    if others:
        lines += ["", "Other metrics:", "", *_table(["metric", "value"], others)]
    if not metrics:
        lines += ["", f"Predictive metrics: {NOT_MEASURED}"]
    return lines


def _performance(performance: Mapping[str, Any] | None) -> list[str]:
    rows = [
        (k, _number(v), _UNITS.get(k, ""))
        for k, v in sorted((performance or {}).items())
        if _number(v) is not None
    ]
    if not rows:
        return [NOT_MEASURED]
    return _table(["measure", "value", "unit"], rows)


def _serving(compiled: Mapping[str, Any] | None) -> list[str]:
    """Which backend serves the model and why: the compiled graph's record in model.json."""
    if compiled is None:
        return [NOT_MEASURED]
    if not compiled:
        return ["Served by scikit-learn: the model was trained before compiled inference existed."]
    if compiled.get("status") != "verified":
        return [f"Served by scikit-learn ({compiled.get('status')}): {compiled.get('reason')}."]
    figures = compiled.get("verification") or {}
    tolerances = compiled.get("tolerances") or {}
    lines = [
        f"Served by ONNX Runtime from `{compiled.get('file')}` "
        f"(sha256 `{str(compiled.get('sha256'))[:12]}...`): {compiled.get('reason')}.",
        "",
    ]
    rows = [(k.replace("_", " "), _number(v)) for k, v in sorted(figures.items()) if k != "rows"]
    rows += [(f"tolerance: {k}", _number(v)) for k, v in sorted(tolerances.items())]
    return lines + _table(["verification", "value"], rows)


def _features(top: Any) -> list[tuple[Any, Any]]:
    if isinstance(top, Mapping):
        return list(top.items())
    pairs = []
    for item in top or ():
        if isinstance(item, Mapping):
            # importance.json holds the mean drop in score as "mean"
            value = item.get("importance", item.get("mean"))
            pairs.append((item.get("feature"), value))
    return pairs


def _interpretation(interpretation: Mapping[str, Any] | None) -> list[str]:
    if not interpretation:
        return [NOT_MEASURED]
    lines: list[str] = []
    features = _features(interpretation.get("top_features"))
    if features:
        lines += ["Most important features (permutation importance):", ""]
        lines += _table(["feature", "importance"], features)
    highlights = interpretation.get("highlights") or ()
    if highlights:
        lines += ["", *[f"- {h}" for h in highlights]] if lines else [f"- {h}" for h in highlights]
    return lines or [NOT_MEASURED]


def _fairness(fairness: Mapping[str, Any] | None) -> list[str]:
    if not fairness:
        return [NOT_MEASURED]
    lines = [f"- {h}" for h in fairness.get("highlights") or ()]
    groups = fairness.get("groups") or {}
    for column, by_group in sorted(groups.items()):
        if not isinstance(by_group, Mapping) or not by_group:
            continue
        header = list(
            dict.fromkeys(k for g in by_group.values() if isinstance(g, Mapping) for k in g)
        )
        rows = [
            [group, *[(values or {}).get(k) for k in header]]
            for group, values in sorted(by_group.items(), key=lambda item: str(item[0]))
        ]
        lines += ["", f"By `{column}`:", "", *_table([column, *header], rows)]
    return lines or [NOT_MEASURED]


def _limitations(limitations: Sequence[str] | None) -> list[str]:
    if not limitations:
        return [NOT_MEASURED]
    return [f"- {item}" for item in limitations]


def _lineage(lineage: Mapping[str, Any] | None) -> list[str]:
    if not lineage:
        return [NOT_MEASURED]
    git = lineage.get("git") or {}
    commit = git.get("commit")
    if commit is None:
        code = git.get("note") or "not in git"
    else:
        code = f"{commit[:12]}" + (" (uncommitted changes)" if git.get("dirty") else "")
    data = lineage.get("data") or {}
    python = lineage.get("python") or {}
    framework = lineage.get("framework") or {}
    durations = lineage.get("durations_s") or {}
    facts = _facts(
        [
            ("Git commit", code),
            ("Dataset hash", data.get("hash")),
            ("DVC data version", data.get("dvc_version")),
            ("Python", python.get("version")),
            ("mlops-gitops", framework.get("version")),
            ("Trained", lineage.get("created")),
            ("Durations (s)", {k: round(float(v), 3) for k, v in durations.items()} or None),
            ("Packages recorded", len(lineage.get("packages") or {}) or None),
        ]
    )
    return [*facts, "", "Full record: `lineage.json` next to the model."]


def render_model_card(
    *,
    experiment: str,
    problem: Mapping[str, Any] | Any | None = None,
    dataset: Mapping[str, Any] | None = None,
    training: Mapping[str, Any] | None = None,
    metrics: Mapping[str, Any] | None = None,
    criteria: Sequence[Criterion] = (),
    performance: Mapping[str, Any] | None = None,
    interpretation: Mapping[str, Any] | None = None,
    fairness: Mapping[str, Any] | None = None,
    limitations: Sequence[str] | None = None,
    lineage: Mapping[str, Any] | None = None,
    compiled: Mapping[str, Any] | None = None,
) -> str:
    """The model card of ``experiment`` as Markdown.

    Expected keys (all optional):

    - ``problem``: a :class:`~mlops_gitops.specs.models.Problem` or a mapping with ``question``,
      ``task``, ``target``, ``metric``, ``owner``, ``business_impact``, ``hypotheses``.
    - ``dataset``: ``name``, ``source``, ``hash``, ``dvc_version``, ``rows``, ``columns``,
      ``highlights`` (list of sentences from the profile).
    - ``training``: ``candidate``, ``estimator``, ``search``, ``params`` (mapping),
      ``leaderboard`` (rows as mappings, best first; the first 5 are shown).
    - ``metrics``: ``metrics/<experiment>.json``; ``performance``:
      ``metrics/<experiment>.performance.json``; ``criteria``: the problem's success criteria.
    - ``interpretation``: ``top_features`` (list of ``{feature, importance}`` or a mapping) and
      ``highlights``; ``fairness``: ``highlights`` and ``groups`` (column -> group -> metrics).
    - ``limitations``: sentences; ``lineage``: the record of :func:`.lineage.build_lineage`.
    - ``compiled``: ``model.json``'s ``compiled`` record (which backend serves, and why).
    """
    sections: list[tuple[str, list[str]]] = [
        ("Problem", _problem(_plain(problem))),
        ("Dataset", _dataset(dataset)),
        ("Training", _training(training)),
        ("Metrics against the success criteria", _metrics(metrics, performance, criteria)),
        ("Processing performance", _performance(performance)),
        ("Serving backend", _serving(compiled)),
        ("Interpretation", _interpretation(interpretation)),
        ("Fairness", _fairness(fairness)),
        ("Limitations", _limitations(limitations)),
        ("Lineage", _lineage(lineage)),
    ]
    out = [f"# Model card: {experiment}", ""]
    for title, body in sections:
        out += [f"## {title}", "", *body, ""]
    return "\n".join(out).rstrip() + "\n"


def write_model_card(directory: Path, text: str) -> Path:
    """Write ``<directory>/model_card.md`` atomically; return its path."""
    path = directory / MODEL_CARD_FILE
    atomic_write_text(path, text)
    return path
