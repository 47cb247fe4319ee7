"""Benchmark: our drift engine against Evidently's DataDriftPreset on the same data.

    python benchmarks/drift/bench_drift.py [--sizes 10000 100000 1000000]

Each size generates N rows a side (20 numeric + 5 categorical columns) with drift planted in a
known set of columns, at effects a practitioner would act on, plus one negligible 0.02-sd shift
that should raise no alarm. Both tools run in their own subprocess on the same Parquet files;
time covers reading the files and judging drift (not interpreter start-up), memory is the peak
resident set of the process (``getrusage``, so it includes the interpreter and libraries);
"process" is the whole subprocess, start-up and imports included. Evidently runs in its own
virtualenv (it does not import with pandas 3): create it with
``bash benchmarks/drift/setup_evidently.sh``.

This file only uses the standard library at the top: it is also the worker script that both
interpreters run (``--worker ours|evidently REF CUR``).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
EVIDENTLY_PYTHON = HERE / ".venv-evidently" / "bin" / "python"

# Columns and the effect planted in the current data.
PLANTED = {
    "n00": "mean +0.15 sd",
    "n01": "mean +0.25 sd",
    "n02": "mean +0.5 sd",
    "n03": "scale x1.5",
    "n04": "mean +0.2 sd (log-normal)",
    "c0": "share of 'c' doubles (15% -> 30%)",
    "c1": "new category at 5%",
}
NEGLIGIBLE = {"n05": "mean +0.02 sd"}


def generate(n: int, seed: int, directory: Path) -> tuple[Path, Path]:
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)

    def numeric(i: int, current: bool) -> object:
        kind = i % 5
        if i == 4 or kind == 1:
            base = rng.lognormal(1.0, 0.6, n)
            sd = float(np.sqrt((np.exp(0.36) - 1) * np.exp(2.0 + 0.36)))
        elif kind == 2:
            base, sd = rng.poisson(6.0, n).astype(np.int64), 6.0**0.5
        elif kind == 3:
            base, sd = rng.uniform(-2.0, 2.0, n), 4.0 / 12**0.5
        elif kind == 4:
            base, sd = rng.exponential(2.0, n), 2.0
        else:
            base, sd = rng.normal(50.0 + i, 5.0, n), 5.0
        if not current:
            return base
        shift = {"n00": 0.15, "n01": 0.25, "n02": 0.5, "n04": 0.2, "n05": 0.02}.get(f"n{i:02d}")
        if shift is not None:
            return base + shift * sd
        if i == 3:
            mean = float(np.mean(base))
            return mean + (base - mean) * 1.5
        return base

    def categorical(j: int, current: bool) -> object:
        if j == 0:
            shares = [0.4, 0.25, 0.15, 0.1, 0.1]
            if current:
                shares = [s * 0.7 / 0.85 for s in shares]
                shares[2] = 0.3
            return rng.choice(list("abcde"), n, p=shares)
        if j == 1:
            values, shares = ["north", "south", "east"], [0.5, 0.3, 0.2]
            if current:
                values, shares = [*values, "new"], [s * 0.95 for s in shares] + [0.05]
            return rng.choice(values, n, p=shares)
        levels = [3, 12, 50][j - 2]
        weights = 1.0 / np.arange(1, levels + 1)
        return rng.choice([f"k{v}" for v in range(levels)], n, p=weights / weights.sum())

    paths = []
    for current in (False, True):
        columns = {f"n{i:02d}": numeric(i, current) for i in range(20)}
        columns |= {f"c{j}": categorical(j, current) for j in range(5)}
        path = directory / ("current.parquet" if current else "reference.parquet")
        pq.write_table(pa.table(columns), path)
        paths.append(path)
    return paths[0], paths[1]


# ------------------------------------------------------------------------------ workers


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def worker_ours(reference: str, current: str) -> dict[str, object]:
    import pyarrow.compute
    import pyarrow.parquet
    import scipy.stats  # the engine imports it lazily; load it before the clock, as Evidently's

    from mlops_gitops.monitoring.engine import detect_drift

    del pyarrow.compute, pyarrow.parquet, scipy.stats
    baseline = peak_mb()
    start = time.perf_counter()
    result = detect_drift(Path(reference), Path(current))  # the engine's own Parquet reader
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "peak_mb": peak_mb(),
        "baseline_mb": baseline,
        "drifted": sorted(result.drifted_columns),
        "scores": {c.name: c.statistic for c in result.columns},
    }


def worker_evidently(reference: str, current: str) -> dict[str, object]:
    import pandas as pd
    from evidently import Report
    from evidently.presets import DataDriftPreset

    baseline = peak_mb()
    start = time.perf_counter()
    ref, cur = pd.read_parquet(reference), pd.read_parquet(current)
    snapshot = Report([DataDriftPreset()]).run(current_data=cur, reference_data=ref)
    seconds = time.perf_counter() - start
    drifted, scores = [], {}
    for metric in snapshot.dict()["metrics"]:
        config = metric["config"]
        if not config["type"].endswith("ValueDrift"):
            continue
        value = float(metric["value"])
        scores[config["column"]] = value
        p_value = "p_value" in config["method"]
        if (value < config["threshold"]) if p_value else (value >= config["threshold"]):
            drifted.append(config["column"])
    return {
        "seconds": seconds,
        "peak_mb": peak_mb(),
        "baseline_mb": baseline,
        "drifted": sorted(drifted),
        "scores": scores,
    }


def run_worker(python: Path | str, tool: str, reference: Path, current: Path) -> dict[str, object]:
    start = time.perf_counter()
    done = subprocess.run(
        [
            str(python),
            str(Path(__file__).resolve()),
            "--worker",
            tool,
            str(reference),
            str(current),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{tool} worker failed:\n{done.stderr}")
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_seconds"] = time.perf_counter() - start  # with start-up and imports
    return result


# ------------------------------------------------------------------------------ main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--evidently-python", type=Path, default=EVIDENTLY_PYTHON)
    parser.add_argument("--skip-evidently", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument("--worker", nargs=3, metavar=("TOOL", "REF", "CUR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        tool, ref, cur = args.worker
        figures = worker_ours(ref, cur) if tool == "ours" else worker_evidently(ref, cur)
        print(json.dumps(figures))
        return 0

    use_evidently = not args.skip_evidently
    if use_evidently and not args.evidently_python.exists():
        print(
            f"no Evidently interpreter at {args.evidently_python}: run "
            "`bash benchmarks/drift/setup_evidently.sh` (or pass --skip-evidently)",
            file=sys.stderr,
        )
        return 1
    expected = sorted(PLANTED)
    print(f"planted: {', '.join(f'{k} ({v})' for k, v in PLANTED.items())}")
    print(f"negligible (must not alarm): {', '.join(f'{k} ({v})' for k, v in NEGLIGIBLE.items())}")
    report = []
    ok = True
    for n in args.sizes:
        with tempfile.TemporaryDirectory(prefix="bench-drift-") as tmp:
            reference, current = generate(n, args.seed, Path(tmp))
            rows = {"ours": run_worker(sys.executable, "ours", reference, current)}
            if use_evidently:
                rows["evidently"] = run_worker(
                    args.evidently_python, "evidently", reference, current
                )
        print(f"\n== {n:,} rows a side ==")
        print(f"{'tool':<10} {'seconds':>9} {'process':>9} {'peak MB':>9} {'exact':>6}  flagged")
        for tool, figures in rows.items():
            exact = figures["drifted"] == expected
            ok &= exact or tool != "ours"
            print(
                f"{tool:<10} {figures['seconds']:>9.3f} {figures['process_seconds']:>9.2f} "
                f"{figures['peak_mb']:>9.0f} "
                f"{'yes' if exact else 'NO':>6}  {', '.join(figures['drifted'])}"
            )  # type: ignore[arg-type]
        if use_evidently:
            ours, theirs = rows["ours"], rows["evidently"]
            speed = float(theirs["seconds"]) / float(ours["seconds"])  # type: ignore[arg-type]
            memory = float(theirs["peak_mb"]) / float(ours["peak_mb"])  # type: ignore[arg-type]
            print(f"ratio: {speed:.1f}x faster, {memory:.1f}x less peak memory")
        report.append({"rows": n, **rows})
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
