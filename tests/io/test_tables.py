"""The one table reader: CSV and Parquet of the same rows give equal tables; errors name the
column; the same missing-value tokens everywhere."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlops_gitops.io.tables import (
    MISSING_TOKENS,
    TableError,
    conform,
    iter_chunks,
    read_bytes,
    read_table,
)
from tests.helpers.penguins import penguins, write_csv

SCHEMA = {
    "num": "number",
    "int": "integer",
    "flag": "boolean",
    "cat": "string",
    "code": "int-category",
}

finite = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False).map(lambda v: round(v, 6))
whole = st.integers(min_value=-(2**53), max_value=2**53)
words = st.sampled_from(["a", "b", "Biscoe", "Torgersen", "x y", "1", "0", "true"])
maybe = st.one_of


@st.composite
def tables(draw: st.DrawFn) -> pd.DataFrame:
    rows = draw(st.integers(min_value=1, max_value=30))

    def column(values: st.SearchStrategy[object]) -> list[object]:
        return draw(st.lists(maybe(st.none(), values), min_size=rows, max_size=rows))

    return pd.DataFrame(
        {
            "num": pd.array(column(finite), dtype="Float64"),
            "int": pd.array(column(whole), dtype="Int64"),
            "flag": pd.array(column(st.booleans()), dtype="boolean"),
            "cat": pd.array(column(words), dtype=object),
            "code": pd.array(column(st.integers(min_value=1, max_value=3)), dtype="Int64"),
            "extra": pd.array(column(words), dtype=object),
        }
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frame=tables(), token=st.sampled_from(["", "NA", "NaN", "null", "N/A", "None"]))
def test_csv_and_parquet_of_the_same_rows_give_equal_tables(
    frame: pd.DataFrame, token: str
) -> None:
    csv = frame.to_csv(index=False, na_rep=token).encode()
    parquet = io.BytesIO()
    frame.to_parquet(parquet, index=False)
    from_csv = read_bytes(csv, "csv", SCHEMA)
    from_parquet = read_bytes(parquet.getvalue(), "parquet", SCHEMA)
    typed = [from_csv.schema.field(name).type for name in SCHEMA]
    assert typed == [pa.float64(), pa.int64(), pa.bool_(), pa.string(), pa.int64()]
    assert from_csv.select(list(SCHEMA)).equals(from_parquet.select(list(SCHEMA)))
    # the column outside the schema: the same missing values, whatever its inferred type
    assert from_csv.column("extra").null_count == from_parquet.column("extra").null_count
    assert from_csv.column("cat").null_count == int(frame["cat"].isna().sum())


def test_missing_tokens_are_missing_in_csv_and_in_parquet_strings(tmp_path: Path) -> None:
    tokens = [t for t in MISSING_TOKENS if t]
    frame = pd.DataFrame({"cat": [*tokens, "kept"], "num": ["1.5"] * (len(tokens) + 1)})
    frame.to_csv(tmp_path / "t.csv", index=False)
    frame.to_parquet(tmp_path / "t.parquet", index=False)
    for name in ("t.csv", "t.parquet"):
        table = read_table(tmp_path / name, {"cat": "string", "num": "number"})
        assert table.column("cat").to_pylist() == [None] * len(tokens) + ["kept"]
        assert table.column("num").type == pa.float64()


def test_values_that_do_not_fit_name_the_column_row_and_value(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text("int,code,flag\n1,1,true\n2.5,2,false\n")
    with pytest.raises(TableError) as error:
        read_table(path, {"int": "integer", "code": "int-category", "flag": "boolean"})
    assert error.value.message == f"{path}: column 'int': expected an integer, got 2.5 at row 1"
    assert error.value.column == "int"
    path.write_text("code\n1\nmale\n")
    with pytest.raises(TableError) as error:
        read_table(path, {"code": "int-category"})
    assert error.value.message == (
        f"{path}: column 'code': expected an integer category, got 'male' at row 1"
    )
    path.write_text("flag\nyes\n")
    with pytest.raises(TableError, match=r"column 'flag': expected a boolean \(true/false\)"):
        read_table(path, {"flag": "boolean"})


def test_whole_floats_are_integers_and_a_duplicate_column_is_refused(tmp_path: Path) -> None:
    table = conform(pa.table({"n": [1.0, None, 3.0]}), {"n": "integer"})
    assert table.column("n").type == pa.int64()
    assert table.column("n").to_pylist() == [1, None, 3]
    path = tmp_path / "dup.csv"
    path.write_text("a,b,a\n1,2,3\n")
    with pytest.raises(TableError) as error:
        read_table(path)
    assert error.value.message == f"{path}: column 'a' appears more than once in the header"


def test_chunks_are_typed_like_a_whole_read(tmp_path: Path) -> None:
    path = write_csv(penguins(), tmp_path / "penguins.csv")
    schema = {"flipper_length_mm": "integer", "sex": "string", "year": "integer"}
    whole = read_table(path, schema)
    chunks = list(iter_chunks(path, chunk_rows=100, schema=schema))
    assert [c.table.num_rows for c in chunks] == [100, 100, 100, 44]
    assert pa.concat_tables(c.table for c in chunks).equals(whole)


def test_penguins_na_cells_are_missing_and_integers_stay_integers(tmp_path: Path) -> None:
    frame = penguins()
    csv = write_csv(frame, tmp_path / "penguins.csv")
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), tmp_path / "p.parquet")
    schema = {"sex": "string", "body_mass_g": "integer", "island": "string"}
    from_csv = read_table(csv, schema)
    assert from_csv.num_rows == 344
    assert from_csv.column("sex").null_count == 11
    assert from_csv.column("body_mass_g").type == pa.int64()
    assert from_csv.column("body_mass_g").null_count == 2
    assert from_csv.equals(read_table(tmp_path / "p.parquet", schema))
