"""Stage ``profile``: the first look at the data (exploration).

Per column: missing values, distinct values, numeric summaries, top categories; the target's
class balance; correlation and mutual information of each feature with the target (the first
look at feature importance). Writes profile.json, profile.md and PNG plots.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from mlops_gitops.fsutil import atomic_write_text
from mlops_gitops.layout import ProjectLayout
from mlops_gitops.specs.models import Dataset
from mlops_gitops.stages.context import dataset_settings, load_frame, write_json

__all__ = ["profile_frame", "run"]

NUMERIC = ("number", "integer")


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _column_profile(series: Any, kind: str) -> dict[str, Any]:
    missing = int(series.isna().sum())
    profile: dict[str, Any] = {
        "type": kind,
        "missing": missing,
        "missing_fraction": missing / len(series) if len(series) else 0.0,
        "distinct": int(series.nunique(dropna=True)),
    }
    if kind in NUMERIC:
        values = series.astype(float)
        quantiles = values.quantile([0.05, 0.25, 0.5, 0.75, 0.95])
        profile.update(
            min=_number(values.min()),
            max=_number(values.max()),
            mean=_number(values.mean()),
            std=_number(values.std()),
            quantiles={f"p{int(q * 100)}": _number(v) for q, v in quantiles.items()},
        )
    else:
        top = series.astype(str).value_counts().head(10)
        profile["top"] = {str(k): int(v) for k, v in top.items()}
    return profile


def _is_classification(dataset: Dataset) -> bool:
    target = dataset.column(dataset.target)
    return target is not None and target.type not in ("number", "datetime", "text")


def _relations(frame: Any, dataset: Dataset) -> dict[str, dict[str, float | None]]:
    """Correlation (numeric target) and mutual information of each feature with the target."""
    import numpy as np
    from sklearn.feature_selection import mutual_info_classif, mutual_info_regression

    features = [
        c.name for c in dataset.feature_columns if c.type in NUMERIC and c.name in frame.columns
    ]
    complete = frame[[*features, dataset.target]].dropna()
    if not features or len(complete) < 5:
        return {}
    X = complete[features].astype(float).to_numpy()
    y = complete[dataset.target]
    classification = _is_classification(dataset)
    if classification:
        mi = mutual_info_classif(X, y.astype(str), random_state=0)
    else:
        mi = mutual_info_regression(X, y.astype(float), random_state=0)
    out: dict[str, dict[str, float | None]] = {}
    for i, name in enumerate(features):
        correlation = None
        if not classification and np.std(X[:, i]) > 0:
            correlation = _number(np.corrcoef(X[:, i], y.astype(float))[0, 1])
        out[name] = {"correlation": correlation, "mutual_information": float(mi[i])}
    return dict(sorted(out.items(), key=lambda kv: -(kv[1]["mutual_information"] or 0.0)))


def profile_frame(frame: Any, dataset: Dataset) -> dict[str, Any]:
    kinds = {c.name: c.type for c in dataset.columns}
    columns = {
        str(name): _column_profile(frame[name], kinds.get(str(name), "unknown"))
        for name in frame.columns
    }
    report: dict[str, Any] = {
        "rows": len(frame),
        "columns": columns,
        "duplicate_rows": int(frame.duplicated().sum()),
        "relations_with_target": _relations(frame, dataset),
    }
    if _is_classification(dataset) and dataset.target in frame.columns:
        counts = frame[dataset.target].astype(str).value_counts()
        report["class_balance"] = {str(k): int(v) / len(frame) for k, v in counts.items()}
    return report


HISTOGRAMS = "histograms.png"
CLASS_BALANCE = "class_balance.png"


def _markdown(name: str, report: dict[str, Any]) -> str:
    lines = [
        f"# Profile of {name}",
        "",
        f"{report['rows']} rows, {len(report['columns'])} columns, "
        f"{report['duplicate_rows']} duplicated rows.",
        "",
        "| column | type | missing | distinct | min | max | mean |",
        "|---|---|---|---|---|---|---|",
    ]
    for column, p in report["columns"].items():

        def cell(key: str, p: dict[str, Any] = p) -> str:
            value = p.get(key)
            return "" if value is None else f"{value:.4g}"

        lines.append(
            f"| {column} | {p['type']} | {p['missing_fraction']:.1%} | {p['distinct']} | "
            f"{cell('min')} | {cell('max')} | {cell('mean')} |"
        )
    if report.get("class_balance"):
        lines += [
            "",
            "Class balance: "
            + ", ".join(f"{k} {v:.1%}" for k, v in report["class_balance"].items()),
        ]
    images = [(CLASS_BALANCE, "class balance")] if report.get("class_balance") else []
    if any(p.get("mean") is not None for p in report["columns"].values()):
        images.insert(0, (HISTOGRAMS, "histograms of the numeric columns"))
    if images:  # shown inline wherever the Markdown renders (GitHub, editors)
        lines += ["", *(f"![{alt}](plots/{file})" for file, alt in images)]
    relations = report["relations_with_target"]
    if relations:
        lines += ["", "Mutual information with the target (first look at feature importance):", ""]
        lines += [
            f"- {feature}: {r['mutual_information']:.3f}"
            for feature, r in list(relations.items())[:10]
        ]
    return "\n".join(lines) + "\n"


def _plots(frame: Any, dataset: Dataset, folder: Path) -> None:
    from mlops_gitops.ml.plots import new_figure, save_figure

    numeric = [c.name for c in dataset.columns if c.type in NUMERIC and c.name in frame.columns]
    if numeric:
        cols = min(4, len(numeric))
        rows = math.ceil(len(numeric) / cols)
        figure = new_figure(3.2 * cols, 2.4 * rows)
        axes = figure.subplots(rows, cols, squeeze=False)
        for ax, name in zip(axes.flat, numeric, strict=False):
            ax.hist(frame[name].dropna().astype(float), bins=30, color="#4472c4")
            ax.set_title(name, fontsize=8)
            ax.set_xlabel(name, fontsize=7)
            ax.set_ylabel("rows", fontsize=7)
            ax.tick_params(labelsize=6)
        for ax in list(axes.flat)[len(numeric) :]:
            ax.set_visible(False)
        figure.suptitle(f"distribution of each numeric column ({len(frame)} rows)", fontsize=9)
        save_figure(figure, folder / HISTOGRAMS)
    if _is_classification(dataset) and dataset.target in frame.columns:
        counts = frame[dataset.target].astype(str).value_counts()
        figure = new_figure(5, 3.5)
        ax = figure.subplots()
        ax.bar([str(k) for k in counts.index], counts.to_numpy(), color="#ed7d31")
        ax.set_title(f"class balance of {dataset.target}")
        ax.set_xlabel(dataset.target)
        ax.set_ylabel("rows")
        save_figure(figure, folder / CLASS_BALANCE)


def run(root: Path, name: str) -> str:
    dataset = dataset_settings(root, name)
    layout = ProjectLayout(root)
    frame = load_frame(layout.raw_data(name))
    report = profile_frame(frame, dataset)
    write_json(layout.profile_report(name), report)
    atomic_write_text(layout.profile_markdown(name), _markdown(name, report))
    _plots(frame, dataset, layout.profile_plots(name))
    return f"profiled {report['rows']} rows, {len(report['columns'])} columns"
