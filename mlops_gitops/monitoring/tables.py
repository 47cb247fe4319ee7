"""Read the data a drift check compares: Arrow tables from Parquet or CSV files, or frames."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlops_gitops.errors import DriftError

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["as_table", "read_table"]


def read_table(path: Path, columns: list[str] | None = None) -> pa.Table:
    """A Parquet (``.parquet``/``.pq``) or CSV (``.csv``) file as an Arrow table."""
    import pyarrow as pa

    if not path.is_file():
        raise DriftError(
            f"data file {path} does not exist",
            "check the path (the training split is built by `dvc repro`)",
        )
    suffix = path.suffix.lower()
    try:
        if suffix in (".parquet", ".pq"):
            import pyarrow.parquet as pq

            # Strings are read dictionary-encoded, as Parquet stores them: no per-row strings
            # are built, and counting categories becomes counting codes.
            strings = [
                f.name
                for f in pq.read_schema(path)
                if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)
            ]
            return pq.read_table(path, columns=columns, read_dictionary=strings)
        if suffix == ".csv":
            from pyarrow import csv

            table = csv.read_csv(path)
            return table.select(columns) if columns is not None else table
    except (pa.ArrowException, OSError, KeyError) as error:
        raise DriftError(
            f"could not read {path}: {error}",
            "check that the file is a valid, complete Parquet or CSV file",
        ) from error
    raise DriftError(
        f"cannot read {path}: the file must end in .parquet, .pq or .csv. Got {suffix!r} instead.",
        "convert the data to Parquet or CSV",
    )


def as_table(data: Any, what: str) -> pa.Table:
    """An Arrow table from a table, a pandas DataFrame or a file path."""
    import pyarrow as pa

    if isinstance(data, pa.Table):
        return data
    if isinstance(data, str | Path):
        return read_table(Path(data))
    if hasattr(data, "columns") and hasattr(data, "dtypes"):
        return pa.Table.from_pandas(data, preserve_index=False)
    raise DriftError(
        f"The '{what}' parameter of detect_drift must be a pyarrow Table, a pandas DataFrame or "
        f"a path. Got {type(data).__name__} instead.",
        "convert the data to one of these",
    )
