"""Turn ``POST /predict`` bodies into columns of JSON values (one list per column).

Two forms, as MLflow's scoring server takes them::

    {"instances": [{"age": 41, "city": "Oslo"}, ...]}          records (or rows as lists in
                                                                 feature order)
    {"dataframe_split": {"columns": ["age", "city"], "data": [[41, "Oslo"], ...]}}

A body of the wrong shape raises :class:`PayloadError`; a record without a column the model needs,
or with one it does not know, raises :class:`InputError` naming the column and row. Value checks
happen afterwards, in :mod:`mlops_gitops.serving.validation`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from mlops_gitops.errors import DataError
from mlops_gitops.serving.validation import InputError, InputSchema, Problem

__all__ = ["JsonColumns", "PayloadError", "columns_from_predict_body", "parse_json"]

JsonColumns = dict[str, list[Any]]


class PayloadError(DataError):
    """The body is not a valid request of the endpoint's protocol (HTTP 400)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "see the request schema in /openapi.json")


def parse_json(body: bytes) -> Any:
    if not body:
        raise PayloadError("the request body is empty; send a JSON object")
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise PayloadError(f"the request body is not valid JSON: {error}") from None


def columns_from_predict_body(body: Any, schema: InputSchema) -> JsonColumns:
    if not isinstance(body, dict):
        raise PayloadError(
            "expected a JSON object with 'instances' or 'dataframe_split', "
            f"got {type(body).__name__}"
        )
    forms = [key for key in ("instances", "dataframe_split") if key in body]
    if len(forms) != 1:
        raise PayloadError(
            "expected exactly one of 'instances' or 'dataframe_split' in the body, got "
            + (", ".join(f"'{key}'" for key in sorted(body)) or "an empty object")
        )
    unknown = sorted(set(body) - {forms[0]})
    if unknown:
        raise PayloadError(
            f"unknown field(s) {', '.join(map(repr, unknown))} next to '{forms[0]}'; the body "
            "holds only 'instances' or 'dataframe_split'"
        )
    if forms[0] == "instances":
        return _from_instances(body["instances"], schema)
    return _from_dataframe_split(body["dataframe_split"], schema)


def _rows(value: Any, what: str) -> list[Any]:
    if not isinstance(value, list) or not value:
        raise PayloadError(f"'{what}' must be a non-empty array")
    return value


def _from_instances(value: Any, schema: InputSchema) -> JsonColumns:
    rows = _rows(value, "instances")
    names = schema.names
    if all(type(row) is dict for row in rows):
        expected = set(names)
        problems: list[Problem] = []
        for index, row in enumerate(rows):
            if row.keys() != expected:
                problems += [
                    Problem(name, f"missing in instance {index} (the model needs it)")
                    for name in names
                    if name not in row and name not in schema.optional
                ]
                problems += [
                    Problem(
                        key,
                        f"unknown in instance {index} (the model's columns are: "
                        f"{', '.join(names)})",
                    )
                    for key in row
                    if key not in expected
                ]
                if len(problems) >= 10:
                    break
        if problems:
            raise InputError(problems)
        return {name: [row.get(name) for row in rows] for name in names}
    if all(type(row) is list for row in rows):
        return _from_lists(rows, names, "instances")
    raise PayloadError(
        "'instances' must hold objects (column -> value) or arrays (values in the model's "
        f"column order: {', '.join(names)})"
    )


def _from_lists(rows: list[Any], names: Sequence[str], what: str) -> JsonColumns:
    width = len(names)
    for index, row in enumerate(rows):
        if type(row) is not list or len(row) != width:
            got = f"{len(row)} values" if type(row) is list else _kind(row)
            raise PayloadError(
                f"row {index} of '{what}' has {got}; expected {width} values ({', '.join(names)})"
            )
    columns = list(zip(*rows, strict=True))
    return {name: list(column) for name, column in zip(names, columns, strict=True)}


def _kind(value: Any) -> str:
    return "null" if value is None else f"a {type(value).__name__}"


def _from_dataframe_split(value: Any, schema: InputSchema) -> JsonColumns:
    if not isinstance(value, dict):
        raise PayloadError("'dataframe_split' must be an object with 'columns' and 'data'")
    unknown = sorted(set(value) - {"columns", "data"})
    if unknown:
        raise PayloadError(
            f"unknown field(s) {', '.join(map(repr, unknown))} in 'dataframe_split'; it holds "
            "'columns' and 'data'"
        )
    columns = value.get("columns")
    data = value.get("data")
    if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns):
        raise PayloadError("'dataframe_split.columns' must be an array of column names")
    if len(set(columns)) != len(columns):
        raise PayloadError("'dataframe_split.columns' names a column twice")
    rows = _rows(data, "dataframe_split.data")
    problems = schema.column_problems(columns)
    if problems:
        raise InputError(problems)
    by_position = _from_lists(rows, columns, "dataframe_split.data")
    return {name: by_position.get(name, [None] * len(rows)) for name in schema.names}
