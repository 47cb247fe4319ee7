"""Which columns a check compares, and as what: numeric, categorical, or skipped (with why).

Types come from the model's input schema (``FeatureInfo``) when given, else from the data's
Arrow types (an ad hoc comparison of two files).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from mlops_gitops.requestlog.schema import LOG_COLUMNS, PREDICTION

if TYPE_CHECKING:
    import pyarrow as pa

    from mlops_gitops.ml.artifact import FeatureInfo

__all__ = ["LOG_COLUMNS", "PREDICTION", "ColumnPlan", "plan_columns"]


TEXT_MIN_DISTINCT = 50
TEXT_DISTINCT_RATIO = 0.5

Kind = Literal["numeric", "categorical", "skipped"]


@dataclass(frozen=True)
class ColumnPlan:
    name: str
    kind: Kind
    declared: str  # the schema type, or "inferred:<arrow type>"
    role: Literal["feature", "prediction"] = "feature"
    skip: str | None = None
    failure: str | None = None  # a data-quality failure found before any test (a missing column)


def plan_columns(
    reference: pa.Table,
    current: pa.Table,
    features: Sequence[FeatureInfo] | None,
    prediction: str | None = PREDICTION,
) -> tuple[tuple[ColumnPlan, ...], tuple[str, ...]]:
    """The columns to compare, in order, and notes about columns that could not be.

    Raises :class:`DriftError` when a table holds two columns of the same name."""
    for side, table in (("reference", reference), ("current", current)):
        _refuse_duplicates(side, table.column_names)
    ref_names, cur_names = set(reference.column_names), set(current.column_names)
    plans: list[ColumnPlan] = []
    notes: list[str] = []
    if features is not None:
        for feature in features:
            if feature.name == prediction:
                continue
            missing = _absent(feature.name, ref_names, cur_names)
            if feature.name not in cur_names and feature.name in ref_names:
                plan = _declared(feature.name, feature.type)
                failure = (
                    "the model's input column is missing from the current data"
                    if not feature.nullable
                    # as the server reads a row that leaves a nullable column out
                    else "left out of the current data (nullable): every value is missing"
                )
                plans.append(ColumnPlan(feature.name, plan.kind, feature.type, failure=failure))
            elif missing:
                plans.append(ColumnPlan(feature.name, "skipped", feature.type, skip=missing))
            else:
                plans.append(_declared(feature.name, feature.type))
    else:
        skip = {*LOG_COLUMNS, prediction}
        for name in reference.column_names:
            if name in skip or name not in cur_names:
                continue
            plans.append(_inferred(name, reference))
        only_ref = sorted(ref_names - cur_names - skip)
        only_cur = sorted(cur_names - ref_names - skip)
        if only_ref:
            notes.append(f"only in the reference data, not compared: {', '.join(only_ref)}")
        if only_cur:
            notes.append(f"only in the current data, not compared: {', '.join(only_cur)}")
    if prediction is not None and prediction in ref_names and prediction in cur_names:
        plan = _inferred(prediction, reference)
        plans.append(ColumnPlan(plan.name, plan.kind, plan.declared, "prediction", plan.skip))
    return tuple(plans), tuple(notes)


def _refuse_duplicates(side: str, names: list[str]) -> None:
    from mlops_gitops.errors import DriftError

    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise DriftError(
                f"the {side} data has more than one column named {name!r}",
                "give every column a distinct name",
            )
        seen.add(name)


def _absent(name: str, ref_names: set[str], cur_names: set[str]) -> str | None:
    where = [
        side
        for side, names in (("reference", ref_names), ("current", cur_names))
        if name not in names
    ]
    if not where:
        return None
    return f"the model's input column is missing from the {' and '.join(where)} data"


def _declared(name: str, type_: str) -> ColumnPlan:
    if type_ in ("number", "integer"):
        return ColumnPlan(name, "numeric", type_)
    if type_ in ("category", "boolean"):
        return ColumnPlan(name, "categorical", type_)
    if type_ in ("text", "datetime"):
        return ColumnPlan(
            name,
            "skipped",
            type_,
            skip=f"{type_} columns are not compared (no distribution test fits)",
        )
    return ColumnPlan(name, "skipped", type_, skip=f"unknown column type {type_!r}")


def _inferred(name: str, table: pa.Table) -> ColumnPlan:
    import pyarrow as pa
    import pyarrow.compute as pc

    column = table.column(name)
    type_ = column.type
    declared = f"inferred:{type_}"
    if pa.types.is_dictionary(type_):
        type_ = type_.value_type
    if pa.types.is_integer(type_) or pa.types.is_floating(type_) or pa.types.is_decimal(type_):
        return ColumnPlan(name, "numeric", declared)
    if pa.types.is_boolean(type_):
        return ColumnPlan(name, "categorical", declared)
    if pa.types.is_string(type_) or pa.types.is_large_string(type_):
        valid = len(column) - column.null_count
        distinct = len(pc.value_counts(column)) - (1 if column.null_count else 0)
        if distinct >= TEXT_MIN_DISTINCT and distinct > TEXT_DISTINCT_RATIO * valid:
            return ColumnPlan(
                name,
                "skipped",
                declared,
                skip=(
                    f"looks like free text or an identifier ({distinct} distinct values in "
                    f"{valid} rows): not compared; declare its type in the model schema to override"
                ),
            )
        return ColumnPlan(name, "categorical", declared)
    if pa.types.is_temporal(type_):
        return ColumnPlan(
            name,
            "skipped",
            declared,
            skip="datetime columns are not compared (no distribution test fits)",
        )
    return ColumnPlan(name, "skipped", declared, skip=f"type {type_} is not compared")
