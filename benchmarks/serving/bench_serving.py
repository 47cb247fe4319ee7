"""Serving throughput and latency: our server against a bare FastAPI app, same model, wrk.

Both servers run one uvicorn worker on 127.0.0.1 and serve the same 20-feature
LogisticRegression pipeline; wrk drives 16 connections at each with single-row and 100-row
``POST /predict`` bodies. The bare app is the floor an ``async def`` endpoint can reach:
``pd.DataFrame(payload["instances"])`` then ``model.predict``. Ours checks the input against the
schema, computes class probabilities, counts metrics and logs every request to Parquet.

Goal: our throughput >= 80% of bare, p99 latency <= 1.2x bare.

    python benchmarks/serving/bench_serving.py [--duration 10] [--model plain|column-transformer]

Needs wrk (Debian/Ubuntu: ``apt-get install -y wrk``; macOS: ``brew install wrk``).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from mlops_gitops.ml.artifact import FeatureInfo, ModelInfo, save_model  # noqa: E402

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

LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [[{body}]]
"""


def train(directory: Path, kind: str) -> list[dict[str, object]]:
    """Fit the benchmark model; return 100 rows of requests."""
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    rng = np.random.default_rng(0)
    rows = 5000
    n_categorical = 4 if kind == "column-transformer" else 0
    numeric = [f"x{i}" for i in range(20 - n_categorical)]
    categorical = [f"c{i}" for i in range(n_categorical)]
    data: dict[str, object] = {name: rng.normal(size=rows) for name in numeric}
    for name in categorical:
        data[name] = rng.choice(["a", "b", "c", "d"], rows)
    frame = pd.DataFrame(data)
    target = np.where(frame["x0"] + frame["x1"] > 0, "yes", "no")
    if kind == "column-transformer":
        pre = ColumnTransformer(
            [("num", StandardScaler(), numeric), ("cat", OneHotEncoder(), categorical)]
        )
    else:
        pre = StandardScaler()
    model = Pipeline([("pre", pre), ("clf", LogisticRegression())]).fit(frame, target)
    features = tuple(FeatureInfo(n, "number", min=-100.0, max=100.0) for n in numeric) + tuple(
        FeatureInfo(n, "category", allowed=("a", "b", "c", "d")) for n in categorical
    )
    info = ModelInfo(
        experiment="bench",
        problem="bench",
        dataset="bench",
        task="classification",
        target="y",
        features=features,
        estimator="logistic_regression",
        candidate="c0",
        classes=("no", "yes"),
    )
    save_model(model, directory, info)
    records: list[dict[str, object]] = frame.head(100).to_dict("records")
    return records


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start(command: list[str], port: int, cwd: Path) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(
                f"server failed: {process.stderr.read().decode() if process.stderr else ''}"
            )
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            time.sleep(0.1)
    raise SystemExit("server did not start")


def check(url: str, body: bytes) -> None:
    request = urllib.request.Request(url, data=body, headers={"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200, response.status


def _seconds(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 1e-6, "ms": 1e-3, "s": 1.0}[unit]


def wrk(url: str, body: str, duration: int, connections: int, workdir: Path) -> dict[str, float]:
    script = workdir / "post.lua"
    script.write_text(LUA.format(body=body))
    base = ["wrk", "-t1", f"-c{connections}", "-s", str(script), "--latency", url]
    subprocess.run([*base[:1], "-d2s", *base[1:]], check=True, capture_output=True)  # warm up
    out = subprocess.run(
        [*base[:1], f"-d{duration}s", *base[1:]], check=True, capture_output=True, text=True
    ).stdout
    result = {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "p50": _seconds(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)),  # type: ignore[union-attr]
        "p99": _seconds(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)),  # type: ignore[union-attr]
    }
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise SystemExit(f"{url}: {errors.group(1)} non-2xx responses\n{out}")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per run (default 10)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--model", choices=("plain", "column-transformer"), default="plain")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print(
            "wrk is not installed: `apt-get install -y wrk` (Debian/Ubuntu) or "
            "`brew install wrk` (macOS)",
            file=sys.stderr,
        )
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        rows = train(work / "model", args.model)
        (work / "bare_app.py").write_text(BARE_APP.format(model_dir=str(work / "model")))
        bare_port, ours_port = free_port(), free_port()
        uvicorn_flags = ["--workers", "1", "--log-level", "warning"]
        bare = start(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "bare_app:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(bare_port),
                "--no-access-log",
                *uvicorn_flags,
            ],
            bare_port,
            work,
        )
        ours = start(
            [
                sys.executable,
                "-m",
                "mlops_gitops.serving",
                "serve",
                "--model-dir",
                str(work / "model"),
                "--name",
                "bench",
                "--host",
                "127.0.0.1",
                "--port",
                str(ours_port),
                "--request-log",
                str(work / "log"),
                *uvicorn_flags,
            ],
            ours_port,
            ROOT,
        )
        try:
            results = []
            for size in (1, 100):
                body = json.dumps({"instances": rows[:size]})
                urls = {
                    "bare": f"http://127.0.0.1:{bare_port}/predict",
                    "ours": f"http://127.0.0.1:{ours_port}/predict",
                }
                for url in urls.values():
                    check(url, body.encode())
                measured = {
                    name: wrk(url, body, args.duration, args.connections, work)
                    for name, url in urls.items()
                }
                results.append((size, measured))
        finally:
            for process in (bare, ours):
                process.terminate()
                process.wait(30)
        logged = sum(1 for _ in (work / "log").rglob("*.parquet"))
    print(
        f"model: 20-feature LogisticRegression ({args.model}); {args.connections} connections, "
        f"{args.duration}s per run, 1 uvicorn worker each; request log files written: {logged}"
    )
    print(f"{'rows':>5} {'server':>6} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8}")
    ok = True
    for size, measured in results:
        for name, m in measured.items():
            print(
                f"{size:>5} {name:>6} {m['rps']:>9.0f} {m['p50'] * 1e3:>8.2f} "
                f"{m['p99'] * 1e3:>8.2f}"
            )
        ratio = measured["ours"]["rps"] / measured["bare"]["rps"]
        p99 = measured["ours"]["p99"] / measured["bare"]["p99"]
        verdict = "ok" if ratio >= 0.8 and p99 <= 1.2 else "MISSED"
        ok = ok and verdict == "ok"
        print(
            f"{size:>5} {'ratio':>6} {ratio:>9.2f} {'':>8} {p99:>8.2f}   "
            f"(goal >= 0.80 throughput, <= 1.20 p99: {verdict})"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
