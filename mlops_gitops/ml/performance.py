"""Processing performance: how fast and how reliably a saved model answers.

Model validation is not only accuracy: a model that takes a second a row, or fails on some rows,
is not fit to serve. :func:`measure_processing` loads the model as serving does (hash-checked),
then times single-row predictions (latency percentiles) and batch predictions (throughput),
within a time budget so the stage stays quick.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlops_gitops.errors import StageError
from mlops_gitops.ml.artifact import MODEL_FILE, load_model

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["measure_backends", "measure_processing"]

BATCH_REPEATS = 3


def measure_processing(
    model_dir: Path,
    X_test: pd.DataFrame,
    *,
    single_rows: int = 200,
    batch_size: int = 1000,
    seed: int = 42,
    time_budget_s: float = 2.0,
) -> dict[str, float | int]:
    """Latency, throughput, size, load time and failures of the model in ``model_dir``.

    Single rows are drawn (with replacement) from ``X_test``; the single-row loop stops early
    when it has used half of ``time_budget_s`` (``rows_probed`` says how many were timed).
    ``failures`` counts probed rows whose prediction raised.
    """
    import numpy as np

    if len(X_test) == 0:
        raise StageError("the test split is empty", "raise the dataset's `split.test_size`")
    load_model(model_dir)  # untimed: the first load also imports skops and scikit-learn
    started = time.perf_counter()
    model, _ = load_model(model_dir)
    load_time_ms = (time.perf_counter() - started) * 1000
    size_mb = (model_dir / MODEL_FILE).stat().st_size / 1_000_000

    rng = np.random.default_rng(seed)
    rows = rng.integers(0, len(X_test), size=max(1, single_rows))
    _warm_up(model, X_test)
    # A served request predicts one row on one thread; OpenMP's thread pool (histogram
    # gradient boosting, for one) only adds hand-off cost there, and on a busy machine a lot.
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        latencies, failures, error = _single_rows(model, X_test, rows, deadline=time_budget_s / 2)
    if not latencies:
        raise StageError(
            f"the model in {model_dir} failed on every probed test row: {error}",
            "check that the test split has the columns and types the model was trained on",
        )
    throughput = _throughput(model, X_test, rng, batch_size, deadline=time_budget_s / 2)
    timed = np.asarray(latencies)
    return {
        "p50_latency_ms": float(np.percentile(timed, 50)),
        "p95_latency_ms": float(np.percentile(timed, 95)),
        "p99_latency_ms": float(np.percentile(timed, 99)),
        "throughput_rows_per_s": throughput,
        "model_size_mb": size_mb,
        "load_time_ms": load_time_ms,
        "failures": failures,
        "rows_probed": len(latencies) + failures,
    }


def _warm_up(model: Any, X: pd.DataFrame) -> None:
    """One untimed prediction, so lazy imports and caches do not count as latency."""
    try:
        model.predict(X.iloc[:1])
    except Exception:  # a failing row is counted by the timed loop
        return


def _single_rows(
    model: Any, X: pd.DataFrame, rows: Any, *, deadline: float
) -> tuple[list[float], int, str]:
    latencies: list[float] = []
    failures = 0
    error = ""
    stop = time.perf_counter() + deadline
    for index in rows:
        row = X.iloc[[int(index)]]
        started = time.perf_counter()
        try:
            model.predict(row)
        except Exception as exc:  # any exception is a failed prediction, counted
            failures += 1
            error = error or f"{type(exc).__name__}: {exc}"
            continue
        latencies.append((time.perf_counter() - started) * 1000)
        if time.perf_counter() > stop:
            break
    return latencies, failures, error


def _throughput(
    model: Any, X: pd.DataFrame, rng: Any, batch_size: int, *, deadline: float
) -> float:
    """Rows per second predicting a batch (best of a few repeats); 0 when the batch fails."""
    batch = X.iloc[rng.integers(0, len(X), size=max(1, batch_size))]
    best = float("inf")
    stop = time.perf_counter() + deadline
    for _ in range(BATCH_REPEATS):
        started = time.perf_counter()
        try:
            model.predict(batch)
        except Exception:  # a batch that cannot be predicted has no throughput
            return 0.0
        best = min(best, time.perf_counter() - started)
        if time.perf_counter() > stop:
            break
    return len(batch) / best if best > 0 else float("inf")


def measure_backends(
    model_dir: Path, X_test: pd.DataFrame, *, time_budget_s: float = 2.0, seed: int = 42
) -> dict[str, float | int]:
    """Processing performance of both backends: ``sklearn_*`` always, ``onnx_*`` when training
    verified a graph; the unprefixed figures are those of the backend that will serve (``auto``),
    so success criteria gate on what serves. ``onnx_serves`` is 1 when that is the graph."""
    from mlops_gitops.ml.compiled import CompiledRecord

    sklearn = measure_processing(model_dir, X_test, time_budget_s=time_budget_s, seed=seed)
    model, info = load_model(model_dir)
    record = CompiledRecord.from_dict(info.compiled)
    measured: dict[str, float | int] = {f"sklearn_{k}": v for k, v in sklearn.items()}
    serving = sklearn
    if record.verified:
        onnx = _measure_onnx(model_dir, model, info, X_test, time_budget_s=time_budget_s, seed=seed)
        measured |= {f"onnx_{k}": v for k, v in onnx.items()}
        serving = onnx
    return {**serving, **measured, "onnx_serves": int(record.verified)}


def _measure_onnx(
    model_dir: Path, model: Any, info: Any, X: pd.DataFrame, *, time_budget_s: float, seed: int
) -> dict[str, float | int]:
    """The graph's figures, timed through the serving backend (feed conversion included)."""
    import numpy as np

    from mlops_gitops.ml.compiled import (
        CompiledRecord,
        GraphInputs,
        load_graph,
        open_session,
        run_graph,
    )

    record = CompiledRecord.from_dict(info.compiled)
    classifier = info.task == "classification"
    classes = np.asarray(model.classes_) if classifier else None
    has_proba = classifier and hasattr(model, "predict_proba")
    started = time.perf_counter()
    session = open_session(load_graph(model_dir, record))
    inputs = GraphInputs(record.inputs)
    load_time_ms = (time.perf_counter() - started) * 1000

    def run(columns: dict[str, Any]) -> Any:
        return run_graph(session, inputs.feed(columns), classes, has_proba)

    columns = {name: X[name].to_numpy() for name, _ in record.inputs}
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(X), size=200)
    rows = [{k: v[i : i + 1] for k, v in columns.items()} for i in picks]
    run(rows[0])
    latencies: list[float] = []
    failures = 0
    stop = time.perf_counter() + time_budget_s / 2
    for row in rows:
        begun = time.perf_counter()
        try:
            run(row)
        except Exception:  # any exception is a failed prediction, counted
            failures += 1
            continue
        latencies.append((time.perf_counter() - begun) * 1000)
        if time.perf_counter() > stop:
            break
    batch_rows = rng.integers(0, len(X), size=1000)
    batch = {k: v[batch_rows] for k, v in columns.items()}
    best = float("inf")
    for _ in range(BATCH_REPEATS):
        begun = time.perf_counter()
        run(batch)
        best = min(best, time.perf_counter() - begun)
    timed = np.asarray(latencies or [float("nan")])
    return {
        "p50_latency_ms": float(np.percentile(timed, 50)),
        "p95_latency_ms": float(np.percentile(timed, 95)),
        "p99_latency_ms": float(np.percentile(timed, 99)),
        "throughput_rows_per_s": len(batch_rows) / best if best > 0 else float("inf"),
        "model_size_mb": (model_dir / record.file).stat().st_size / 1_000_000,
        "load_time_ms": load_time_ms,
        "failures": failures,
        "rows_probed": len(latencies) + failures,
    }
