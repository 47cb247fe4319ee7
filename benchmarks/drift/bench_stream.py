"""Benchmark: drift of request-log windows of 1M, 10M and 50M rows, streamed against a stored
reference profile, in bounded memory; at 1M also the exact engine on the same files.

    python benchmarks/drift/bench_stream.py [--sizes 1000000 10000000 50000000] [--dir DIR]

The generator writes a reference (the training split, 1M rows) and a request log in the layout
the servers write (``date=YYYY-MM-DD/hour=HH/<replica>-<seq>.parquet``): 25 columns (20 numeric,
5 categorical) in files of 250,000 rows, four replicas an hour, the newest hour last. Drift is
planted in a few columns as in ``bench_drift.py`` (the same effects), one column moves by a
negligible 0.02 sd, the rest are clean. A window of N rows is the newest N / 1M hours, so the
three sizes read 4, 40 and 200 files of one log (generated once, about 8 GB for 50M rows, deleted
at the end).

Each measurement runs in its own subprocess: time covers listing, reading and judging (imports
excluded), peak memory is that process's peak resident set (``getrusage``: interpreter and
libraries included). The profile is built once, beforehand, as the pipeline's ``reference``
stage would (its time and size are printed too).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_drift import NEGLIGIBLE, PLANTED  # noqa: E402  (the same planted effects)

ROWS_PER_FILE = 250_000
FILES_PER_HOUR = 4
ROWS_PER_HOUR = ROWS_PER_FILE * FILES_PER_HOUR
REFERENCE_ROWS = 1_000_000
NOW = datetime(2026, 1, 10, 0, 0, tzinfo=UTC)
GOAL_MB = 1024.0
GOAL_ROWS_PER_S = 5_000_000


def columns(n: int, current: bool, rng: object) -> dict[str, object]:
    """One chunk of ``n`` rows: 20 numeric and 5 categorical (dictionary-encoded) columns."""
    import numpy as np
    import pyarrow as pa

    assert isinstance(rng, np.random.Generator)
    out: dict[str, object] = {}
    for i in range(20):
        kind = i % 5
        if i == 4 or kind == 1:
            base = rng.lognormal(1.0, 0.6, n)
            sd = float(np.sqrt((np.exp(0.36) - 1) * np.exp(2.0 + 0.36)))
        elif kind == 2:
            base, sd = rng.poisson(6.0, n).astype(np.float64), 6.0**0.5
        elif kind == 3:
            base, sd = rng.uniform(-2.0, 2.0, n), 4.0 / 12**0.5
        elif kind == 4:
            base, sd = rng.exponential(2.0, n), 2.0
        else:
            base, sd = rng.normal(50.0 + i, 5.0, n), 5.0
        if current:
            shift = {"n00": 0.15, "n01": 0.25, "n02": 0.5, "n04": 0.2, "n05": 0.02}.get(f"n{i:02d}")
            if shift is not None:
                base = base + shift * sd
            elif i == 3:
                base = 0.0 + (base - 0.0) * 1.5  # uniform(-2, 2) has mean 0
        out[f"n{i:02d}"] = base
    for j in range(5):
        if j == 0:
            labels, shares = list("abcde"), [0.4, 0.25, 0.15, 0.1, 0.1]
            if current:
                shares = [s * 0.7 / 0.85 for s in shares]
                shares[2] = 0.3
        elif j == 1:
            labels, shares = ["north", "south", "east"], [0.5, 0.3, 0.2]
            if current:
                labels, shares = [*labels, "new"], [s * 0.95 for s in shares] + [0.05]
        else:
            levels = [3, 12, 50][j - 2]
            weights = 1.0 / np.arange(1, levels + 1)
            labels, shares = [f"k{v}" for v in range(levels)], list(weights / weights.sum())
        codes = rng.choice(len(labels), n, p=np.asarray(shares) / np.sum(shares))
        out[f"c{j}"] = pa.DictionaryArray.from_arrays(
            pa.array(codes.astype(np.int32)), pa.array(labels)
        )
    return out


def generate(directory: Path, hours: int, seed: int) -> tuple[Path, Path]:
    """The reference file and ``hours`` hours of request log under ``directory``."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    reference = directory / "train.parquet"
    pq.write_table(pa.table(columns(REFERENCE_ROWS, False, rng)), reference)
    log = directory / "log" / "deployment=bench"
    for hour in range(hours):
        start = NOW - timedelta(hours=hours - hour)
        folder = log / f"date={start:%Y-%m-%d}" / f"hour={start:%H}"
        folder.mkdir(parents=True, exist_ok=True)
        for replica in range(FILES_PER_HOUR):
            table = pa.table(columns(ROWS_PER_FILE, True, rng))
            offsets = np.sort(rng.integers(0, 3_600_000_000, ROWS_PER_FILE))
            stamps = np.datetime64(start.replace(tzinfo=None), "us") + offsets.astype(
                "timedelta64[us]"
            )
            table = table.append_column(
                "timestamp", pa.array(stamps, type=pa.timestamp("us", tz="UTC"))
            )
            pq.write_table(table, folder / f"replica{replica}-{hour:06d}.parquet")
    return reference, log


def features() -> tuple[object, ...]:
    from mlops_gitops.ml.artifact import FeatureInfo

    return tuple(FeatureInfo(f"n{i:02d}", "number") for i in range(20)) + tuple(
        FeatureInfo(f"c{j}", "category") for j in range(5)
    )


# ------------------------------------------------------------------------------ workers


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _warm() -> None:
    import pyarrow.compute
    import pyarrow.dataset
    import pyarrow.parquet
    import scipy.stats

    del pyarrow.compute, pyarrow.dataset, pyarrow.parquet, scipy.stats


def worker_profile(reference: str, out: str) -> dict[str, object]:
    from mlops_gitops.io.tables import read_table
    from mlops_gitops.monitoring.profile import build_profile, write_profile

    _warm()
    start = time.perf_counter()
    profile = build_profile(read_table(Path(reference)), features())  # type: ignore[arg-type]
    write_profile(profile, Path(out))
    return {"seconds": time.perf_counter() - start, "bytes": Path(out).stat().st_size}


def worker_stream(log: str, profile_path: str, hours: str) -> dict[str, object]:
    from mlops_gitops.monitoring.profile import read_profile
    from mlops_gitops.monitoring.profile_check import detect_drift_from_profile
    from mlops_gitops.monitoring.stream import open_window

    _warm()
    baseline = peak_mb()
    start = time.perf_counter()
    profile = read_profile(Path(profile_path))
    window = open_window(log, window=timedelta(hours=int(hours)), now=NOW)
    result = detect_drift_from_profile(profile, window, features=features())  # type: ignore[arg-type]
    return {
        "seconds": time.perf_counter() - start,
        "peak_mb": peak_mb(),
        "baseline_mb": baseline,
        "rows": result.current_rows,
        "files": len(window.files),
        "drifted": sorted(result.drifted_columns),
    }


def worker_exact(log: str, reference: str, hours: str) -> dict[str, object]:
    from mlops_gitops.io.tables import column_kinds, read_table
    from mlops_gitops.monitoring.engine import detect_drift
    from mlops_gitops.requestlog.window import read_current_window

    _warm()
    names = [f.name for f in features()]  # type: ignore[attr-defined]
    baseline = peak_mb()
    start = time.perf_counter()
    window = read_current_window(log, window=timedelta(hours=int(hours)), now=NOW, columns=names)
    ref = read_table(Path(reference), column_kinds(features()))  # type: ignore[arg-type]
    result = detect_drift(ref, window.table, features=features())  # type: ignore[arg-type]
    return {
        "seconds": time.perf_counter() - start,
        "peak_mb": peak_mb(),
        "baseline_mb": baseline,
        "rows": result.current_rows,
        "files": window.files,
        "drifted": sorted(result.drifted_columns),
    }


def run_worker(tool: str, *args: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--worker", tool, *args],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{tool} worker failed:\n{done.stderr}")
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


WORKERS = {"profile": worker_profile, "stream": worker_stream, "exact": worker_exact}


# ------------------------------------------------------------------------------ main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000, 50_000_000])
    parser.add_argument("--dir", type=Path, default=Path("/work/bench-data"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(WORKERS[args.worker[0]](*args.worker[1:])))  # type: ignore[operator]
        return 0

    expected = sorted(PLANTED)
    print(f"planted: {', '.join(f'{k} ({v})' for k, v in PLANTED.items())}")
    print(f"negligible (must not alarm): {', '.join(f'{k} ({v})' for k, v in NEGLIGIBLE.items())}")
    hours_needed = max(-(-n // ROWS_PER_HOUR) for n in args.sizes)
    root = args.dir / f"stream-{int(time.time())}"
    root.mkdir(parents=True)
    report: list[dict[str, object]] = []
    ok = True
    try:
        started = time.perf_counter()
        reference, log = generate(root, hours_needed, args.seed)
        size_gb = sum(p.stat().st_size for p in root.rglob("*.parquet")) / 1e9
        print(
            f"generated {hours_needed * ROWS_PER_HOUR:,} log rows in {hours_needed * 4} files "
            f"+ a {REFERENCE_ROWS:,}-row reference ({size_gb:.1f} GB, "
            f"{time.perf_counter() - started:.0f} s)"
        )
        profile_path = root / "reference_profile.json"
        built = run_worker("profile", str(reference), str(profile_path))
        print(
            f"profile: {built['seconds']:.2f} s to build once, {int(built['bytes']) / 1024:.0f} KiB"  # type: ignore[call-overload]
        )
        print(
            f"\n{'rows':>12} {'tool':<7} {'files':>6} {'seconds':>8} {'rows/s':>12} "
            f"{'peak MB':>8} {'exact':>6}  flagged"
        )
        for n in args.sizes:
            hours = str(-(-n // ROWS_PER_HOUR))
            rows = {"stream": run_worker("stream", str(log), str(profile_path), hours)}
            if n <= 1_000_000:
                rows["exact"] = run_worker("exact", str(log), str(reference), hours)
            for tool, figures in rows.items():
                exact = figures["drifted"] == expected
                ok &= exact
                rate = float(figures["rows"]) / float(figures["seconds"])  # type: ignore[arg-type]
                figures["rows_per_s"] = rate
                print(
                    f"{figures['rows']:>12,} {tool:<7} {figures['files']:>6} "
                    f"{figures['seconds']:>8.2f} {rate:>12,.0f} {figures['peak_mb']:>8.0f} "
                    f"{'yes' if exact else 'NO':>6}  {', '.join(figures['drifted'])}"  # type: ignore[arg-type]
                )
            stream = rows["stream"]
            peak = float(stream["peak_mb"])  # type: ignore[arg-type]
            goals = [f"peak {peak:.0f} MB {'<=' if peak <= GOAL_MB else '>'} {GOAL_MB:.0f} MB"]
            if n >= 50_000_000:
                rate = float(stream["rows_per_s"])  # type: ignore[arg-type]
                goals.append(
                    f"{rate / 1e6:.1f}M rows/s {'>=' if rate >= GOAL_ROWS_PER_S else '<'} 5M"
                )
            if "exact" in rows:
                ratio = float(rows["exact"]["seconds"]) / float(stream["seconds"])  # type: ignore[arg-type]
                memory = float(rows["exact"]["peak_mb"]) / float(stream["peak_mb"])  # type: ignore[arg-type]
                goals.append(f"{ratio:.2f}x the exact engine's speed, {memory:.1f}x less memory")
            print(f"{'':>12} goals: {'; '.join(goals)}")
            report.append({"rows": n, **rows})
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
