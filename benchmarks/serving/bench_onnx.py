"""Compiled inference: our server with ONNX Runtime against scikit-learn servers and the ceiling.

Servers, one uvicorn worker each on 127.0.0.1, driven by wrk (16 connections, one thread):

* ``raw``: a raw ASGI app that reads the body and returns a constant (what the HTTP stack can do);
* ``bare``: a bare FastAPI ``async def`` app: ``pd.DataFrame(instances)`` then ``model.predict``;
* ``sklearn``: ours, ``--backend sklearn`` (input checks, probabilities, metrics, request log);
* ``onnx``: ours, ``--backend onnx`` (the same, through the verified ONNX graph).

Models: the example project's three (diabetes linear, diabetes trees, breast cancer), trained
here with the product's pipeline builder and compiled with ``compile_pipeline`` (or taken from a
project's ``models/`` with ``--project``), and a 16-numeric + 4-categorical ColumnTransformer
classifier. Bodies of 1 and 100 rows (``POST /predict``). Also in-process: one row through the
verified graph (feed conversion included), and through scikit-learn.

Goals (single row): onnx >= 5x bare throughput, p99 <= 0.3x bare, >= 50% of raw; 100 rows: onnx
p99 <= 1.0x bare; in-process one row through the graph < 0.1 ms.

    python benchmarks/serving/bench_onnx.py [--duration 5] [--project DIR] [--models a,b]

Needs wrk (Debian/Ubuntu: ``apt-get install -y wrk``). MLServer is not in this run: it needs a
virtualenv of its own pins (see the closing note of issue 13).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_serving import check, free_port, start, wrk  # noqa: E402

from mlops_gitops.ml.artifact import FeatureInfo, ModelInfo, load_model, save_model  # noqa: E402
from mlops_gitops.ml.compile import compile_pipeline, write_compiled  # noqa: E402
from mlops_gitops.ml.compiled import CompiledRecord, GraphInputs, load_graph, open_session  # noqa: E402
from mlops_gitops.ml.preprocess import build_pipeline, make_estimator  # noqa: E402
from mlops_gitops.serving.backends import choose_backend  # noqa: E402
from mlops_gitops.serving.payloads import columns_from_predict_body  # noqa: E402
from mlops_gitops.serving.validation import InputSchema  # noqa: E402
from mlops_gitops.specs.models import ColumnSchema, Preprocessing  # noqa: E402

RAW_APP = """
BODY = b'{"predictions": [0.0]}'
HEADERS = [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())]


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})
"""

BARE_APP = """
from pathlib import Path
import pandas as pd
from fastapi import FastAPI
from mlops_gitops.ml.artifact import load_model

model, info = load_model(Path({model_dir!r}))
app = FastAPI()


@app.post("/predict")
async def predict(payload: dict):
    frame = pd.DataFrame(payload["instances"])
    return {{"predictions": model.predict(frame).tolist()}}
"""

EXAMPLES = {
    # name: (dataset, task, estimator, params): the example experiments' estimators
    "diabetes-linear": ("diabetes", "regression", "ridge", {"alpha": 1.0}),
    "diabetes-trees": (
        "diabetes",
        "regression",
        "random_forest",
        {"n_estimators": 100, "min_samples_leaf": 5},
    ),
    "breast-cancer": ("breast_cancer", "classification", "logistic_regression", {"C": 1.0}),
}
EXAMPLE_EXPERIMENTS = {
    "diabetes-linear": "progression-linear",
    "diabetes-trees": "progression-trees",
    "breast-cancer": "malignancy-classifier",
}


def _save(
    directory: Path,
    schema: tuple[ColumnSchema, ...],
    task: str,
    estimator: str,
    params: dict[str, Any],
    frame: pd.DataFrame,
    target: Any,
) -> pd.DataFrame:
    """Fit on 80% of ``frame``, compile and verify on the rest, save; return the test rows."""
    cut = int(len(frame) * 0.8)
    train, test = frame.iloc[:cut], frame.iloc[cut:]
    pipeline = build_pipeline(schema, Preprocessing(), make_estimator(estimator, task, params, 0))  # type: ignore[arg-type]
    pipeline.fit(train, target[:cut])
    features = tuple(FeatureInfo(c.name, c.type, c.nullable, allowed=c.allowed) for c in schema)
    compiled = compile_pipeline(pipeline, features, task, test)
    write_compiled(directory, compiled)
    classes = tuple(pipeline.classes_.tolist()) if task == "classification" else ()
    info = ModelInfo(
        experiment=directory.name,
        problem="bench",
        dataset="bench",
        task=task,
        target="y",
        features=features,
        estimator=estimator,
        candidate="c0",
        classes=classes,
        compiled=compiled.record.to_dict(),
    )
    save_model(pipeline, directory, info)
    return test.reset_index(drop=True)


def train_example(directory: Path, name: str) -> pd.DataFrame:
    from sklearn import datasets

    dataset, task, estimator, params = EXAMPLES[name]
    bunch = getattr(datasets, f"load_{dataset}")(as_frame=True)
    frame = bunch.data.sample(frac=1.0, random_state=0)
    target = bunch.target.loc[frame.index].to_numpy()
    frame = frame.reset_index(drop=True)
    frame.columns = [str(c).replace(" ", "_") for c in frame.columns]
    schema = tuple(ColumnSchema(c, "number") for c in frame.columns)
    return _save(directory, schema, task, estimator, params, frame, target)


def train_mixed(directory: Path) -> pd.DataFrame:
    """16 numeric + 4 categorical columns through a ColumnTransformer; logistic regression."""
    rng = np.random.default_rng(0)
    rows = 5000
    data: dict[str, Any] = {f"x{i}": rng.normal(size=rows) for i in range(16)}
    for i in range(4):
        data[f"c{i}"] = rng.choice(np.array(["a", "b", "c", "d"], dtype=object), rows)
    frame = pd.DataFrame(data)
    target = np.where(frame["x0"] + frame["x1"] + (frame["c0"] == "a") > 0, "yes", "no")
    schema = tuple(ColumnSchema(f"x{i}", "number") for i in range(16)) + tuple(
        ColumnSchema(f"c{i}", "category", allowed=("a", "b", "c", "d")) for i in range(4)
    )
    return _save(directory, schema, "classification", "logistic_regression", {}, frame, target)


def from_project(project: Path, name: str, directory: Path) -> pd.DataFrame:
    source = project / "models" / EXAMPLE_EXPERIMENTS[name]
    shutil.copytree(source, directory)
    dataset = "diabetes" if name.startswith("diabetes") else "breast-cancer"
    _, info = load_model(directory)
    test = pd.read_parquet(project / "data" / dataset / "test.parquet")
    return test[[f.name for f in info.features]]


def _median_ms(call: Callable[[], Any], seconds: float = 0.5) -> float:
    call()
    times = []
    stop = time.perf_counter() + seconds
    while time.perf_counter() < stop or len(times) < 200:
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def in_process(model_dir: Path, records: list[dict[str, Any]]) -> dict[str, float]:
    """One row: through the graph alone, through the onnx backend (checked columns in), and
    through the scikit-learn backend."""
    pipeline, info = load_model(model_dir)
    schema = InputSchema(info.features)
    columns = schema.check_json(columns_from_predict_body({"instances": records[:1]}, schema))
    record = CompiledRecord.from_dict(info.compiled)
    figures = {}
    if record.verified:
        session = open_session(load_graph(model_dir, record))
        feed = GraphInputs(record.inputs).feed(columns)
        figures["graph"] = _median_ms(lambda: session.run(None, feed))
        onnx = choose_backend(pipeline, info, model_dir, "onnx").backend
        figures["onnx"] = _median_ms(lambda: onnx.run(columns))
    sklearn = choose_backend(pipeline, info, model_dir, "sklearn").backend
    figures["sklearn"] = _median_ms(lambda: sklearn.run(columns))
    return figures


def _records(test: pd.DataFrame) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(test.head(100).to_json(orient="records"))
    return rows


@contextlib.contextmanager
def servers(model_dir: Path, work: Path, backend: str | None) -> Iterator[dict[str, str]]:
    """bare, ours-sklearn and ours-onnx for one model (or only raw when ``model_dir`` is None)."""
    flags = ["--workers", "1", "--log-level", "warning"]
    processes: list[subprocess.Popen[bytes]] = []
    urls: dict[str, str] = {}
    try:
        app_dir = work / f"apps-{model_dir.name}"
        app_dir.mkdir(exist_ok=True)
        (app_dir / "bare_app.py").write_text(BARE_APP.format(model_dir=str(model_dir)))
        port = free_port()
        processes.append(
            start(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "bare_app:app",
                    "--port",
                    str(port),
                    "--host",
                    "127.0.0.1",
                    "--no-access-log",
                    *flags,
                ],
                port,
                app_dir,
            )
        )
        urls["bare"] = f"http://127.0.0.1:{port}/predict"
        wanted = ("sklearn", "onnx") if backend is None else (backend,)
        for name in wanted:
            port = free_port()
            processes.append(
                start(
                    [
                        sys.executable,
                        "-m",
                        "mlops_gitops.serving",
                        "serve",
                        "--model-dir",
                        str(model_dir),
                        "--name",
                        "bench",
                        "--backend",
                        name,
                        "--host",
                        "127.0.0.1",
                        "--port",
                        str(port),
                        "--request-log",
                        str(work / f"log-{model_dir.name}-{name}"),
                        *flags,
                    ],
                    port,
                    ROOT,
                )
            )
            urls[name] = f"http://127.0.0.1:{port}/predict"
        yield urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)


@contextlib.contextmanager
def raw_server(work: Path) -> Iterator[str]:
    (work / "raw_app.py").write_text(RAW_APP)
    port = free_port()
    process = start(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "raw_app:app",
            "--port",
            str(port),
            "--host",
            "127.0.0.1",
            "--no-access-log",
            "--workers",
            "1",
            "--log-level",
            "warning",
        ],
        port,
        work,
    )
    try:
        yield f"http://127.0.0.1:{port}/predict"
    finally:
        process.terminate()
        process.wait(30)


def _goal(value: float, goal: float, *, at_least: bool) -> str:
    met = value >= goal if at_least else value <= goal
    return f"{value:.2f} ({'>=' if at_least else '<='} {goal:g}: {'ok' if met else 'MISSED'})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run (default 5)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--project", type=Path, help="take the example models from DIR/models")
    parser.add_argument(
        "--models",
        default="diabetes-linear,diabetes-trees,breast-cancer,mixed-20",
        help="comma-separated subset",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed: `apt-get install -y wrk`", file=sys.stderr)
        return 2
    names = [n for n in args.models.split(",") if n]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        print(
            f"wrk: {args.connections} connections, 1 thread, {args.duration}s per run; "
            "servers: 1 uvicorn worker each",
            flush=True,
        )
        raw: dict[int, dict[str, float]] = {}
        with raw_server(work) as url:
            for size in (1, 100):
                body = json.dumps({"instances": [{"x": 1.0}] * size})
                check(url, body.encode())
                raw[size] = wrk(url, body, args.duration, args.connections, work)
        print(f"{'model':<16} {'rows':>4} {'server':>8} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}")
        for size in (1, 100):
            m = raw[size]
            print(
                f"{'-':<16} {size:>4} {'raw':>8} {m['rps']:>8.0f} {m['p50'] * 1e3:>8.2f} "
                f"{m['p99'] * 1e3:>8.2f}",
                flush=True,
            )
        summary = []
        for name in names:
            model_dir = work / name
            if name == "mixed-20":
                test = train_mixed(model_dir)
            elif args.project:
                test = from_project(args.project, name, model_dir)
            else:
                test = train_example(model_dir, name)
            info = load_model(model_dir)[1]
            record = CompiledRecord.from_dict(info.compiled)
            print(
                f"{name}: {info.estimator}, {len(info.features)} columns; serves with "
                f"{record.describe()}",
                flush=True,
            )
            records = _records(test)
            local = in_process(model_dir, records)
            backend = None if record.verified else "sklearn"
            measured: dict[int, dict[str, dict[str, float]]] = {}
            with servers(model_dir, work, backend) as urls:
                for size in (1, 100):
                    body = json.dumps({"instances": records[:size]})
                    for url in urls.values():
                        check(url, body.encode())
                    measured[size] = {
                        server: wrk(url, body, args.duration, args.connections, work)
                        for server, url in urls.items()
                    }
                    for server, m in measured[size].items():
                        print(
                            f"{name:<16} {size:>4} {server:>8} {m['rps']:>8.0f} "
                            f"{m['p50'] * 1e3:>8.2f} {m['p99'] * 1e3:>8.2f}",
                            flush=True,
                        )
            summary.append((name, record, local, measured))
        print()
        print("ratios against the goals (onnx vs bare FastAPI + scikit-learn, and vs raw ASGI):")
        ok = True
        for name, record, local, measured in summary:
            if not record.verified:
                print(f"{name}: served by scikit-learn ({record.status}: {record.reason})")
                ok = False
                continue
            one, hundred = measured[1], measured[100]
            checks = [
                ("1 row throughput x bare", one["onnx"]["rps"] / one["bare"]["rps"], 5.0, True),
                ("1 row p99 x bare", one["onnx"]["p99"] / one["bare"]["p99"], 0.3, False),
                ("1 row throughput x raw", one["onnx"]["rps"] / raw[1]["rps"], 0.5, True),
                (
                    "100 rows p99 x bare",
                    hundred["onnx"]["p99"] / hundred["bare"]["p99"],
                    1.0,
                    False,
                ),
                ("in-process 1 row ms (onnx backend)", local["onnx"], 0.1, False),
            ]
            print(
                f"{name}: in-process one row: graph {local['graph']:.4f} ms, onnx backend "
                f"{local['onnx']:.4f} ms, scikit-learn {local['sklearn']:.3f} ms "
                f"({local['sklearn'] / local['onnx']:.0f}x)"
            )
            for label, value, goal, at_least in checks:
                text = _goal(value, goal, at_least=at_least)
                ok = ok and text.endswith("ok)")
                print(f"    {label:<36} {text}")
            print(
                f"    {'1 row throughput onnx x sklearn':<36} "
                f"{one['onnx']['rps'] / one['sklearn']['rps']:.2f}"
            )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
