"""The repository's example project as a deployment that has served a week of requests: a
training split, a model record (no model file: drift checks read only the record) and a
request log in which larger tumours are being sent (``mean_radius`` drifts)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from mlops_gitops.ml.artifact import FeatureInfo, ModelInfo
from tests.helpers.drift_data import NOW

__all__ = ["FEATURES", "NOW", "write_served_example"]

FEATURES = ("mean_radius", "mean_texture", "worst_area")


def write_served_example(root: Path) -> Path:
    """Add the split, the model record and the request log to the example project at ``root``."""
    rng = np.random.default_rng(8)
    n = 400
    train = pa.table(
        {
            "mean_radius": rng.normal(14, 3.5, n),
            "mean_texture": rng.normal(19, 4, n),
            "worst_area": rng.normal(880, 560, n),
            "diagnosis": rng.choice(["malignant", "benign"], n, p=[0.37, 0.63]),
        }
    )
    (root / "data" / "breast-cancer").mkdir(parents=True)
    pq.write_table(train, root / "data" / "breast-cancer" / "train.parquet")
    info = ModelInfo(
        experiment="malignancy-classifier",
        problem="tumour-malignancy",
        dataset="breast-cancer",
        task="classification",
        target="diagnosis",
        features=tuple(FeatureInfo(name, "number") for name in FEATURES),
        estimator="logistic_regression",
        candidate="logistic",
        classes=("benign", "malignant"),
    )
    (root / "models" / "malignancy-classifier").mkdir(parents=True)
    (root / "models" / "malignancy-classifier" / "model.json").write_text(info.to_json())
    log = root / ".mlops" / "requests" / "malignancy-api"
    log.mkdir(parents=True)
    m = 300
    stamps = [NOW - timedelta(days=6) + timedelta(minutes=20 * i) for i in range(m)]
    pq.write_table(
        pa.table(
            {
                "request_id": [str(i) for i in range(m)],
                "timestamp": pa.array(stamps, type=pa.timestamp("us", tz="UTC")),
                "model_version": ["1"] * m,
                "mean_radius": rng.normal(18, 3.5, m),  # larger tumours are being sent
                "mean_texture": rng.normal(19, 4, m),
                "worst_area": rng.normal(880, 560, m),
                "prediction": rng.choice(["malignant", "benign"], m, p=[0.7, 0.3]),
            }
        ),
        log / "part-0001.parquet",
    )
    return root
