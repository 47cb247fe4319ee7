"""Stage ``validate``: the dataset against its schema and rules.

Every violation is collected and reported with the column, the rule, the observed value and the
limit; the stage fails when there is any, after writing the report, so ``split`` (which depends on
the report) never runs on bad data.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from mlops_gitops.errors import StageError
from mlops_gitops.fsutil import atomic_write_text
from mlops_gitops.layout import ProjectLayout
from mlops_gitops.specs.models import ColumnSchema, Dataset
from mlops_gitops.stages.context import dataset_settings, load_frame, write_json

__all__ = ["Violation", "check_frame", "run"]

MAX_EXAMPLES = 5


@dataclass(frozen=True)
class Violation:
    column: str
    rule: str
    observed: Any
    limit: Any

    def __str__(self) -> str:
        where = f"column {self.column!r}" if self.column else "dataset"
        return f"{where}: {self.rule}: observed {self.observed}, limit {self.limit}"


def _type_violation(series: Any, schema: ColumnSchema) -> Violation | None:
    import pandas as pd

    values = series.dropna()
    if schema.type in ("number", "integer"):
        numeric = pd.to_numeric(values, errors="coerce")
        bad = values[numeric.isna()]
        if len(bad):
            return Violation(schema.name, f"type {schema.type}", repr(bad.iloc[0]), "numbers only")
        if schema.type == "integer" and len(numeric) and (numeric % 1 != 0).any():
            example = numeric[numeric % 1 != 0].iloc[0]
            return Violation(schema.name, "type integer", example, "whole numbers only")
    if schema.type == "boolean":
        bad = values[~values.isin([True, False, 0, 1])]
        if len(bad):
            return Violation(schema.name, "type boolean", repr(bad.iloc[0]), "true/false")
    return None


def _column_violations(frame: Any, schema: ColumnSchema, dataset: Dataset) -> list[Violation]:
    import pandas as pd

    series = frame[schema.name]
    out: list[Violation] = []
    rows = len(series)
    missing = float(series.isna().mean()) if rows else 0.0
    if missing > 0 and not schema.nullable:
        out.append(Violation(schema.name, "missing values (not nullable)", f"{missing:.2%}", "0%"))
    elif missing > dataset.validation.max_missing_fraction:
        out.append(
            Violation(
                schema.name,
                "max missing fraction",
                f"{missing:.2%}",
                f"{dataset.validation.max_missing_fraction:.2%}",
            )
        )
    type_problem = _type_violation(series, schema)
    if type_problem is not None:
        return [*out, type_problem]
    if schema.type in ("number", "integer"):
        numeric = pd.to_numeric(series, errors="coerce")
        if schema.min is not None and (numeric < schema.min).any():
            out.append(Violation(schema.name, "min", float(numeric.min()), schema.min))
        if schema.max is not None and (numeric > schema.max).any():
            out.append(Violation(schema.name, "max", float(numeric.max()), schema.max))
    if schema.allowed is not None:
        values = series.dropna()
        bad = values[~values.isin(list(schema.allowed))]
        if len(bad):
            examples = sorted({str(v) for v in bad.head(100)})[:MAX_EXAMPLES]
            out.append(
                Violation(schema.name, "allowed values", ", ".join(examples), list(schema.allowed))
            )
    return out


def check_frame(frame: Any, dataset: Dataset) -> list[Violation]:
    rules = dataset.validation
    out: list[Violation] = []
    rows = len(frame)
    if rows < rules.min_rows:
        out.append(Violation("", "min rows", rows, rules.min_rows))
    for schema in dataset.columns:
        if schema.name not in frame.columns:
            out.append(Violation(schema.name, "column present", "absent", "required by schema"))
            continue
        out.extend(_column_violations(frame, schema, dataset))
    if rows:
        duplicates = float(frame.duplicated().mean())
        if duplicates > rules.max_duplicate_fraction:
            out.append(
                Violation(
                    "",
                    "max duplicate fraction",
                    f"{duplicates:.2%}",
                    f"{rules.max_duplicate_fraction:.2%}",
                )
            )
    target = dataset.column(dataset.target)
    classification = target is not None and target.type not in ("number", "datetime", "text")
    if classification and dataset.target in frame.columns and rows:
        shares = frame[dataset.target].astype(str).value_counts(normalize=True)
        if rules.min_class_fraction is not None and shares.min() < rules.min_class_fraction:
            out.append(
                Violation(
                    dataset.target,
                    f"min class fraction (class {shares.idxmin()!r})",
                    f"{shares.min():.2%}",
                    f"{rules.min_class_fraction:.2%}",
                )
            )
        if rules.max_class_fraction is not None and shares.max() > rules.max_class_fraction:
            out.append(
                Violation(
                    dataset.target,
                    f"max class fraction (class {shares.idxmax()!r})",
                    f"{shares.max():.2%}",
                    f"{rules.max_class_fraction:.2%}",
                )
            )
    return out


def run(root: Path, name: str) -> str:
    dataset = dataset_settings(root, name)
    layout = ProjectLayout(root)
    frame = load_frame(layout.raw_data(name))
    violations = check_frame(frame, dataset)
    known = {c.name for c in dataset.columns}
    extra = sorted(str(c) for c in frame.columns if c not in known)
    write_json(
        layout.validation_report(name),
        {
            "valid": not violations,
            "rows": len(frame),
            "violations": [asdict(v) for v in violations],
            "columns_not_in_schema": extra,
        },
    )
    lines = [f"# Validation of {name}", "", "Valid." if not violations else "Violations:", ""]
    lines += [f"- {v}" for v in violations]
    if extra:
        lines += ["", f"Columns not in the schema (ignored): {', '.join(extra)}"]
    atomic_write_text(layout.validation_markdown(name), "\n".join(lines) + "\n")
    if violations:
        raise StageError(
            f"dataset {name!r} failed validation:\n  " + "\n  ".join(map(str, violations)),
            f"fix the data, or the rules in the dataset spec; see reports/{name}/validation.md",
        )
    return f"{len(frame)} rows valid"
