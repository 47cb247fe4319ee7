"""A tiny real shop project: specs, data splits, a trained model, a request log with planted
drift, late labels; and (``make_repo``) the same inside a git clone with a bare remote, DVC
initialised with a local remote. Used by the drift PR, storage and benchmark code."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from mlops_gitops.labels.store import write_labels
from mlops_gitops.ml.artifact import FeatureInfo, ModelInfo, save_model
from mlops_gitops.ml.metrics import evaluate_model
from mlops_gitops.ml.preprocess import build_pipeline
from mlops_gitops.specs.models import (
    ColumnSchema,
    Dataset,
    DatasetSource,
    Metadata,
    Preprocessing,
    Source,
    SplitSettings,
)
from mlops_gitops.stages.split import split_frame
from tests.helpers.commands import dvc
from tests.helpers.git_remote import Project, make_project

__all__ = [
    "DATASET",
    "DATASET_SPEC",
    "DAY",
    "DEPLOYMENT",
    "EXPERIMENT",
    "EXPERIMENT_SPEC",
    "FEATURES",
    "LOG",
    "NOW",
    "PROBLEM",
    "Repo",
    "customers",
    "dataset_spec",
    "deployment_spec",
    "drifted_requests",
    "label_requests",
    "make_repo",
    "write_request_log",
    "write_trained_project",
]

NOW = datetime(2024, 5, 8, 6, 0, tzinfo=UTC)
DAY = "2024-05-08"
DEPLOYMENT = "shop-api"
EXPERIMENT = "shop-ridge"
DATASET = "shop"
LOG = f".mlops/requests/{DEPLOYMENT}"
FEATURES = (
    ColumnSchema("x1", "number"),
    ColumnSchema("x2", "number"),
    ColumnSchema("plan", "category", allowed=("basic", "plus")),
)

PROBLEM = """\
apiVersion: mlops-gitops/v1
kind: Problem
metadata:
  name: shop-spend
spec:
  question: How much will a customer spend?
  task: regression
  target: spend
  metric: r2
"""

DATASET_SPEC = """\
# The shop's customers: hand-written comments must survive a drift PR.
apiVersion: mlops-gitops/v1
kind: Dataset
metadata:
  name: shop  # the dataset's name
spec:
  description: Customers and what they spent.
  source:
    path: data/shop/export.parquet  # the first export
  # what the model predicts
  target: spend
  columns:
    x1: {type: number}
    x2: {type: number}  # second signal
    plan: {type: category, allowed: [basic, plus]}
    spend: {type: number}
  split:
    testSize: 0.25
    seed: 3
"""

EXPERIMENT_SPEC = """\
apiVersion: mlops-gitops/v1
kind: Experiment
metadata:
  name: shop-ridge
spec:
  problem: shop-spend
  dataset: shop
  candidates:
    - name: ridge
      estimator: ridge
      params:
        alpha: [0.1, 10.0]
  search:
    strategy: grid
    cvFolds: 3
    seed: 1
"""


def deployment_spec(*, retrain: bool) -> str:
    return f"""\
apiVersion: mlops-gitops/v1
kind: Deployment
metadata:
  name: shop-api
spec:
  model:
    experiment: shop-ridge
  runtime: local
  port: 8710
  requestLog:
    enabled: true
  monitoring:
    window: 7d
    minRows: 50
    driftShare: 0.3
    action: pull_request
    retrain: {str(retrain).lower()}
"""


def customers(n: int, seed: int, *, shift: float = 0.0) -> pd.DataFrame:
    """``spend = 3 x1 - 2 x2 + 5 [plan == plus] + noise``; ``shift`` moves x1 (planted drift)."""
    rng = np.random.default_rng(seed)
    x1 = rng.normal(shift, 1.0, n)
    x2 = rng.normal(0.0, 1.0, n)
    plan = rng.choice(["basic", "plus"], n, p=[0.6, 0.4])
    spend = 3 * x1 - 2 * x2 + 5 * (plan == "plus") + rng.normal(0.0, 1.0, n)
    return pd.DataFrame({"x1": x1, "x2": x2, "plan": plan, "spend": spend})


def dataset_spec() -> Dataset:
    return Dataset(
        Metadata(DATASET),
        Source("specs/dataset.yaml"),
        DatasetSource(),
        target="spend",
        columns=(*FEATURES, ColumnSchema("spend", "number")),
        split=SplitSettings(test_size=0.25, seed=3),
    )


def write_trained_project(root: Path, *, retrain: bool = True) -> None:
    """Specs, raw data, train/test splits, a fitted model, its test metrics."""
    from sklearn.linear_model import Ridge

    files = {
        "specs/problem.yaml": PROBLEM,
        "specs/dataset.yaml": DATASET_SPEC,
        "specs/experiment.yaml": EXPERIMENT_SPEC,
        "specs/deployment.yaml": deployment_spec(retrain=retrain),
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    raw = customers(200, seed=1)
    folder = root / "data" / DATASET
    folder.mkdir(parents=True)
    raw.to_parquet(folder / "raw.parquet", index=False)
    dataset = dataset_spec()
    train, test = split_frame(raw, dataset)
    train.reset_index(drop=True).to_parquet(folder / "train.parquet", index=False)
    test.reset_index(drop=True).to_parquet(folder / "test.parquet", index=False)
    names = [c.name for c in FEATURES]
    model = build_pipeline(FEATURES, Preprocessing(), Ridge(alpha=1.0))
    model.fit(train[names], train["spend"])
    info = ModelInfo(
        experiment=EXPERIMENT,
        problem="shop-spend",
        dataset=DATASET,
        task="regression",
        target="spend",
        estimator="ridge",
        candidate="ridge",
        params={"alpha": 1.0},
        features=tuple(FeatureInfo(c.name, c.type, allowed=c.allowed) for c in FEATURES),
    )
    save_model(model, root / "models" / EXPERIMENT, info)
    metrics = evaluate_model("regression", model, test[names], test["spend"])["metrics"]
    (root / "metrics").mkdir()
    (root / "metrics" / f"{EXPERIMENT}.json").write_text(
        pd.Series({**metrics}).to_json(indent=2) + "\n"
    )


def write_request_log(
    root: Path,
    frame: pd.DataFrame,
    *,
    start: datetime,
    step: timedelta,
    first_id: int = 0,
    name: str = "20240501T000000Z-000001.parquet",
) -> None:
    """``frame``'s rows as served requests, in the serving log format, predicted by the model."""
    from mlops_gitops.ml.artifact import load_model

    model, _ = load_model(root / "models" / EXPERIMENT)
    names = [c.name for c in FEATURES]
    n = len(frame)
    table = pa.table(
        {
            "request_id": pa.array([f"r{first_id + i}" for i in range(n)], pa.string()),
            "timestamp": pa.array(
                [start + step * i for i in range(n)], pa.timestamp("us", tz="UTC")
            ),
            "model_version": pa.array(["abc123"] * n, pa.string()),
            "x1": pa.array(frame["x1"], pa.float64()),
            "x2": pa.array(frame["x2"], pa.float64()),
            "plan": pa.array(frame["plan"], pa.string()),
            "prediction": pa.array(model.predict(frame[names]), pa.float64()),
        }
    )
    folder = root / LOG
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, folder / name)


def drifted_requests(root: Path, n: int = 120) -> pd.DataFrame:
    """``n`` requests over the last six days of the window with x1 shifted by 2 sd."""
    frame = customers(n, seed=7, shift=2.0)
    write_request_log(root, frame, start=NOW - timedelta(days=6), step=timedelta(minutes=60))
    return frame


def label_requests(root: Path, frame: pd.DataFrame, count: int) -> None:
    """True spend of the first ``count`` requests, as late labels (recorded after the window)."""
    write_labels(
        root / LOG,
        [f"r{i}" for i in range(count)],
        list(frame["spend"][:count]),
        label_type=pa.float64(),
        when=NOW + timedelta(hours=1),
    )


@dataclass(frozen=True)
class Repo:
    """The user's clone (``clone``), the project inside it (``root``, a sub-folder, so
    repository paths and project paths differ) and DVC's remote folder."""

    clone: Project
    root: Path
    dvc_remote: Path

    def rel(self, path: str) -> str:
        """A project path as a repository path."""
        return f"project/{path}"


def make_repo(tmp_path: Path, *, retrain: bool) -> Repo:
    clone = make_project(tmp_path)
    root = clone.root / "project"
    root.mkdir()
    write_trained_project(root, retrain=retrain)
    dvc(root, "init", "--subdir", "-q")
    dvc_remote = tmp_path / "dvc-remote"
    dvc(root, "remote", "add", "--default", "storage", str(dvc_remote))
    (root / ".gitignore").write_text(".mlops/requests/\n")
    clone.git("add", "-A")
    clone.git("commit", "-q", "-m", "project")
    clone.git("push", "-q", "origin", "main")
    return Repo(clone, root, dvc_remote)
