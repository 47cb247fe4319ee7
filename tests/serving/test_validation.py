"""The input checks, called directly: every class of bad input, with the exact message."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest

from mlops_gitops.ml.artifact import FeatureInfo
from mlops_gitops.serving.validation import InputError, InputSchema
from tests.serving.models import FEATURES

SCHEMA = InputSchema(FEATURES)


def columns(**changes: Any) -> dict[str, list[Any]]:
    base: dict[str, list[Any]] = {
        "age": [30, 40],
        "income": [1000.0, None],
        "city": ["oslo", "rome"],
        "member": [True, False],
    }
    return {**base, **changes}


def messages(error: pytest.ExceptionInfo[InputError]) -> list[str]:
    return [str(p) for p in error.value.problems]


def test_good_columns_come_back_as_typed_arrays() -> None:
    checked = SCHEMA.check_json(columns())
    assert list(checked) == ["age", "income", "city", "member"]
    assert checked["age"].dtype == "int64"
    assert checked["income"].dtype == "float64"
    assert checked["city"].tolist() == ["oslo", "rome"]
    assert checked["member"].dtype == bool


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"age": [30, "x"]}, "column 'age': expected an integer, got a string ('x') at row 1"),
        ({"age": [30, 1.5]}, "column 'age': expected an integer, got 1.5 at row 1"),
        ({"age": [True, 3]}, "column 'age': expected an integer, got a boolean (True) at row 0"),
        ({"age": [30, 121]}, "column 'age': 121 is above the maximum 120 at row 1"),
        ({"age": [-1, 3]}, "column 'age': -1 is below the minimum 0 at row 0"),
        ({"age": [30, None]}, "column 'age': null, but the column is not nullable at row 1"),
        ({"income": [1.0, -2.5]}, "column 'income': -2.5 is below the minimum 0.0 at row 1"),
        ({"income": [1.0, [2]]}, "column 'income': expected a number, got an array ([2]) at row 1"),
        (
            {"city": ["oslo", "nyc"]},
            "column 'city': 'nyc' is not one of the allowed values 'oslo', 'paris', 'rome' "
            "at row 1",
        ),
        ({"city": ["oslo", 3]}, "column 'city': expected a string, got a number (3) at row 1"),
        (
            {"member": [True, "yes"]},
            "column 'member': expected a boolean, got a string ('yes') at row 1",
        ),
        ({"member": [1, True]}, "column 'member': expected a boolean, got a number (1) at row 0"),
    ],
)
def test_each_bad_value_is_named_by_column_and_row(change: dict[str, Any], expected: str) -> None:
    with pytest.raises(InputError) as error:
        SCHEMA.check_json(columns(**change))
    assert messages(error) == [expected]


def test_nullable_column_accepts_null() -> None:
    checked = SCHEMA.check_json(columns(income=[None, None]))
    assert checked["income"].tolist() != checked["income"].tolist()  # NaN != NaN: both null


def test_every_problem_is_reported_not_just_the_first() -> None:
    with pytest.raises(InputError) as error:
        SCHEMA.check_json(columns(age=[1, 500], city=["x", "oslo"]))
    assert [p.column for p in error.value.problems] == ["age", "city"]


def test_missing_and_unknown_columns() -> None:
    data = columns()
    del data["member"]
    data["colour"] = ["red", "blue"]
    with pytest.raises(InputError) as error:
        SCHEMA.check_json(data)
    assert messages(error) == [
        "column 'member': missing (the model needs it)",
        "column 'colour': unknown (the model's columns are: age, income, city, member)",
    ]


def test_row_offset_shifts_reported_rows() -> None:
    with pytest.raises(InputError) as error:
        SCHEMA.check_json(columns(age=[1, 500]), row_offset=1000)
    assert messages(error) == ["column 'age': 500 is above the maximum 120 at row 1001"]


def test_integer_category_and_datetime_columns() -> None:
    schema = InputSchema(
        (FeatureInfo("grade", "category", allowed=(1, 2, 3)), FeatureInfo("when", "datetime"))
    )
    checked = schema.check_json({"grade": [1, 3], "when": ["2024-01-01T00:00:00Z", "2024-02-01"]})
    assert checked["grade"].dtype == "int64"
    with pytest.raises(InputError) as error:
        schema.check_json({"grade": ["1"], "when": ["yesterday"]})
    assert messages(error) == [
        "column 'grade': expected an integer category, got a string ('1') at row 0",
        "column 'when': expected an ISO 8601 date-time, got 'yesterday' at row 0",
    ]


def test_integer_category_accepts_whole_floats_as_json_encoders_write_them() -> None:
    schema = InputSchema((FeatureInfo("grade", "category", allowed=(1, 2, 3)),))
    checked = schema.check_json({"grade": [1.0, 3]})
    assert checked["grade"].dtype == "int64" and checked["grade"].tolist() == [1, 3]
    with pytest.raises(InputError) as error:
        schema.check_json({"grade": [1.5]})
    assert messages(error) == ["column 'grade': expected an integer category, got 1.5 at row 0"]
    with pytest.raises(InputError) as error:
        schema.check_json({"grade": [4.0]})
    assert messages(error)[0].startswith("column 'grade': 4 is not one of the allowed values")


def test_arrow_tables_get_the_same_checks() -> None:
    good = pa.table(
        {"age": [30, 40], "income": [1.0, None], "city": ["oslo", "rome"], "member": [True, False]}
    )
    checked = SCHEMA.check_arrow(good)
    assert checked["age"].tolist() == [30, 40]
    bad = good.set_column(0, "age", pa.array(["a", "b"]))
    bad = bad.set_column(2, "city", pa.array(["oslo", "lima"]))
    with pytest.raises(InputError) as error:
        SCHEMA.check_arrow(bad, row_offset=10, context="rows 10-11 of x.csv: ")
    assert messages(error) == [
        "column 'age': expected an integer, got string values ('a') at row 10",
        "column 'city': 'lima' is not one of the allowed values 'oslo', 'paris', 'rome' at row 11",
    ]
    assert str(error.value.message).startswith("rows 10-11 of x.csv: column 'age'")


def test_arrow_nulls_and_infinities() -> None:
    table = pa.table(
        {
            "age": pa.array([30, None]),
            "income": [float("inf"), 1.0],
            "city": ["oslo", "rome"],
            "member": [True, None],
        }
    )
    with pytest.raises(InputError) as error:
        SCHEMA.check_arrow(table)
    assert messages(error) == [
        "column 'age': null, but the column is not nullable at row 1",
        "column 'income': inf is not a finite number at row 0",
        "column 'member': null, but the column is not nullable at row 1",
    ]
