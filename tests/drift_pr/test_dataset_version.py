"""A new dataset version: the rows it holds, and the pointer files `dvc add` would write."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from mlops_gitops.drift_pr.dataset_version import (
    build_dataset_version,
    dvc_file_text,
    gitignore_with,
)
from tests.helpers.commands import dvc
from tests.helpers.shop_project import customers, dataset_spec, write_trained_project


def test_the_pointer_files_are_what_dvc_add_writes(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    dvc(tmp_path, "init", "-q")
    content = customers(30, seed=2).to_parquet(index=False)
    folder = tmp_path / "data" / "shop"
    folder.mkdir(parents=True)
    (folder / "drift-2024-05-08.parquet").write_bytes(content)

    dvc(tmp_path, "add", "-q", "data/shop/drift-2024-05-08.parquet")

    assert (
        dvc_file_text("drift-2024-05-08.parquet", content)
        == (folder / "drift-2024-05-08.parquet.dvc").read_text()
    )
    assert gitignore_with("", "drift-2024-05-08.parquet") == (folder / ".gitignore").read_text()


def test_gitignore_entries_are_added_once_after_the_existing_ones() -> None:
    assert gitignore_with("/raw.parquet", "new.parquet") == "/raw.parquet\n/new.parquet\n"
    assert gitignore_with("/new.parquet\n", "new.parquet") == "/new.parquet\n"


def labelled(frame: pd.DataFrame) -> pd.DataFrame:
    """Requests as the labelled window has them: features, prediction, label, bookkeeping."""
    return pd.DataFrame(
        {
            "request_id": [f"r{i}" for i in range(len(frame))],
            "x1": frame["x1"],
            "x2": frame["x2"],
            "plan": frame["plan"],
            "prediction": 0.0,
            "label": frame["spend"],
        }
    )


def test_labelled_rows_are_appended_once(tmp_path: Path) -> None:
    write_trained_project(tmp_path)
    first = customers(15, seed=11)

    version = build_dataset_version(
        tmp_path, dataset_spec(), labelled(first[:10]), date="2024-05-08"
    )

    assert (version.path, version.dvc_path, version.gitignore_path) == (
        "data/shop/drift-2024-05-08.parquet",
        "data/shop/drift-2024-05-08.parquet.dvc",
        "data/shop/.gitignore",
    )
    assert (version.rows, version.original_rows, version.added_rows) == (210, 200, 10)
    assert version.based_on == "data/shop/raw.parquet"
    rows = pd.read_parquet(io.BytesIO(version.content))
    raw = pd.read_parquet(tmp_path / "data" / "shop" / "raw.parquet")
    pd.testing.assert_frame_equal(rows.head(200), raw)
    pd.testing.assert_frame_equal(
        rows.tail(10).reset_index(drop=True), first[:10].reset_index(drop=True)
    )

    # The next day's window overlaps: its first 10 labelled requests are already in the data.
    (tmp_path / "data" / "shop" / "raw.parquet").write_bytes(version.content)
    again = build_dataset_version(tmp_path, dataset_spec(), labelled(first), date="2024-05-09")
    assert (again.rows, again.added_rows) == (215, 5)


def test_missing_feature_columns_are_named(tmp_path: Path) -> None:
    write_trained_project(tmp_path)
    from mlops_gitops.errors import DriftError

    frame = labelled(customers(3, seed=1)).drop(columns=["x2"])
    with pytest.raises(DriftError, match="lacks the dataset's feature column"):
        build_dataset_version(tmp_path, dataset_spec(), frame, date="2024-05-08")
