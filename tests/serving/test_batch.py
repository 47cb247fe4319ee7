"""predict_file: streaming CSV/Parquet in chunks into Parquet, checks per chunk."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mlops_gitops.errors import DataError
from mlops_gitops.serving.batch import predict_file
from tests.serving.models import training_frame


def write_rows(path: Path, rows: int) -> None:
    frame = training_frame(rows, seed=3)
    frame.insert(0, "id", range(rows))
    if path.suffix == ".csv":
        frame.to_csv(path, index=False)
    else:
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path, row_group_size=100)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_predict_file_in_chunks(
    tmp_path: Path, classifier_dir: Path, suffix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / f"rows{suffix}"
    write_rows(source, 1050)
    output = tmp_path / "out" / "predictions.parquet"
    stats = predict_file(
        classifier_dir, source, output, chunk_rows=400, progress=True, passthrough=["id"]
    )
    assert (stats.rows, stats.chunks) == (1050, 3)
    table = pq.read_table(output)
    assert table.column_names == [
        "id",
        "age",
        "income",
        "city",
        "member",
        "prediction",
        "probability_churn",
        "probability_stay",
    ]
    assert table.column("id").to_pylist() == list(range(1050))
    assert set(table.column("prediction").to_pylist()) == {"churn", "stay"}
    lines = capsys.readouterr().err.splitlines()  # not a terminal: plain lines
    assert lines[0].startswith("predicted rows 0-399")
    assert lines[-1] == "predicted rows 800-1049 (100%)"


def test_a_bad_chunk_names_rows_and_column_and_leaves_no_output(
    tmp_path: Path, regressor_dir: Path
) -> None:
    source = tmp_path / "rows.csv"
    rows = ["age,income,city,member"] + ["30,1.0,oslo,true"] * 150 + ["30,1.0,lima,true"]
    source.write_text("\n".join(rows) + "\n")
    output = tmp_path / "out.parquet"
    with pytest.raises(DataError) as error:
        predict_file(regressor_dir, source, output, chunk_rows=100)
    assert error.value.message == (
        f"rows 100-150 of {source}: column 'city': 'lima' is not one of the allowed values "
        "'oslo', 'paris', 'rome' at row 150"
    )
    assert not output.exists()
    assert not list(tmp_path.glob(".*tmp"))


def test_unreadable_value_and_unknown_format(tmp_path: Path, regressor_dir: Path) -> None:
    source = tmp_path / "rows.csv"
    source.write_text("age,income,city,member\n30,lots,oslo,true\n")
    with pytest.raises(DataError) as error:
        predict_file(regressor_dir, source, tmp_path / "out.parquet")
    assert error.value.message == (
        f"rows 0-0 of {source}: column 'income': expected a number, got 'lots' at row 0"
    )
    with pytest.raises(DataError, match="cannot tell the format"):
        predict_file(regressor_dir, tmp_path / "rows.json", tmp_path / "out.parquet")
