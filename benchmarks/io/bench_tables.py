"""Benchmark: the one table reader (typed by a schema) against the readers it replaced.

    python benchmarks/io/bench_tables.py [--rows 100000 1000000] [--repeats 2]

Writes a penguins-like CSV and Parquet of N rows (numbers, integers with missing values, two
text categories with ``NA`` cells, an integer category) and times, in the same run:

* ``io.tables.read_table`` with the schema (CSV and Parquet),
* the baselines it replaced: ``pyarrow.csv.read_csv`` untyped (the old drift reader, which
  read ``NA`` as a category) and ``pandas.read_csv`` (the old ingest reader).

Prints the median of ``--repeats`` runs per reader and its ratio to the pyarrow baseline.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from mlops_gitops.io.tables import read_table

SCHEMA = {
    "island": "string",
    "bill_length_mm": "number",
    "flipper_length_mm": "integer",
    "body_mass_g": "integer",
    "sex": "string",
    "year": "int-category",
}


def frame(rows: int) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    out = pd.DataFrame(
        {
            "island": rng.choice(["Biscoe", "Dream", "Torgersen"], rows),
            "bill_length_mm": np.round(rng.normal(44, 5, rows), 1),
            "flipper_length_mm": pd.array(np.round(rng.normal(200, 14, rows)), dtype="Int64"),
            "body_mass_g": pd.array(np.round(rng.normal(4200, 800, rows)), dtype="Int64"),
            "sex": rng.choice(["female", "male"], rows).astype(object),
            "year": rng.choice([2007, 2008, 2009], rows),
        }
    )
    holes = rng.random(rows) < 0.03
    out.loc[holes, ["flipper_length_mm", "body_mass_g", "sex"]] = pd.NA
    return out


def timed(run: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure(csv: Path, parquet: Path, repeats: int) -> dict[str, float]:
    readers: dict[str, Callable[[], object]] = {
        "pyarrow.csv.read_csv (untyped, baseline)": lambda: pcsv.read_csv(csv),
        "pandas.read_csv (old ingest)": lambda: pd.read_csv(csv),
        "io.tables.read_table CSV (typed)": lambda: read_table(csv, SCHEMA),
        "pyarrow.parquet.read_table (untyped)": lambda: pq.read_table(parquet),
        "io.tables.read_table Parquet (typed)": lambda: read_table(parquet, SCHEMA),
    }
    return {name: timed(run, repeats) for name, run in readers.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for rows in args.rows:
            data = frame(rows)
            csv, parquet = Path(tmp) / "t.csv", Path(tmp) / "t.parquet"
            data.to_csv(csv, index=False, na_rep="NA")
            data.to_parquet(parquet, index=False)
            results = measure(csv, parquet, args.repeats)
            base = results["pyarrow.csv.read_csv (untyped, baseline)"]
            print(f"{rows:,} rows (median of {args.repeats}):")
            for name, seconds in results.items():
                print(f"  {name:42s} {seconds * 1000:8.1f} ms  x{seconds / base:5.2f}")


if __name__ == "__main__":
    main()
