"""Small real models for runtime tests: an iris classifier saved with ``save_model``."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from mlops_gitops.ml.artifact import FeatureInfo, ModelInfo, save_model
from mlops_gitops.specs.models import Deployment, Metadata, ModelRef, Source

FEATURES = ("sepal_length", "sepal_width", "petal_length", "petal_width")
SAMPLE = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}


def train_model(root: Path, experiment: str = "iris", c: float = 1.0) -> ModelInfo:
    """Fit a logistic regression on iris and save it to ``root/models/<experiment>/``."""
    import sklearn
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    frame = load_iris(as_frame=True).frame
    frame.columns = [*FEATURES, "species"]
    model = make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=500))
    model.fit(frame[list(FEATURES)], frame["species"])
    info = ModelInfo(
        experiment=experiment,
        problem="iris",
        dataset="iris",
        task="classification",
        target="species",
        features=tuple(FeatureInfo(name=f, type="number", min=0.0, max=10.0) for f in FEATURES),
        estimator="logistic_regression",
        candidate="logreg",
        params={"C": c},
        classes=(0, 1, 2),
        framework_version=sklearn.__version__,
        created="2025-01-01T00:00:00Z",
    )
    return save_model(model, root / "models" / experiment, info)


def deployment(name: str = "iris-api", port: int = 8080, **changes: object) -> Deployment:
    spec = Deployment(
        metadata=Metadata(name=name),
        source=Source(file=f"specs/{name}.yaml"),
        model=ModelRef(experiment="iris"),
        port=port,
    )
    return dataclasses.replace(spec, **changes)  # type: ignore[arg-type]
