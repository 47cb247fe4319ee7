"""What runs the model: scikit-learn on the fitted pipeline, or ONNX Runtime on its verified graph.

One :class:`Backend` protocol, two implementations. Both take checked columns (numpy arrays, one
per feature) and give labels (or values) and class probabilities computed the same way: with
probabilities, the label is ``classes[argmax]``. :func:`choose_backend` picks one:

* ``auto`` (the default): ONNX Runtime when training recorded a verified graph, scikit-learn
  otherwise, or when the folder lacks the graph's file (the reason is kept in
  :attr:`BackendChoice.reason` and logged at start-up);
* ``onnx``: the graph, or an error saying why there is none;
* ``sklearn``: the pipeline.

A graph whose sha256 differs from ``model.json``'s record is refused in every mode that would run
it, with a message naming the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np

from mlops_gitops.errors import MlopsError
from mlops_gitops.ml.artifact import ModelInfo
from mlops_gitops.ml.compiled import (
    CompiledRecord,
    GraphInputs,
    load_graph,
    open_session,
    run_graph,
)

__all__ = [
    "BACKENDS",
    "Backend",
    "BackendChoice",
    "OnnxBackend",
    "SklearnBackend",
    "choose_backend",
]

BACKENDS = ("auto", "sklearn", "onnx")
BackendName = Literal["auto", "sklearn", "onnx"]
Array = np.ndarray[Any, Any]


class Backend(Protocol):
    name: str

    def run(self, columns: dict[str, Array]) -> tuple[Array, Array | None]:
        """Labels (or values) per row, and rows x classes probabilities (or ``None``)."""
        ...


def _missing_as_nan(values: Array) -> Array:
    """A category column's nulls as NaN, the missing value the pipeline's imputer looks for.
    (pandas turns ``None`` into NaN in a column that also holds strings, but keeps it in a
    column of nulls only, such as a one-row request's: the imputer then saw no missing value and
    the encoder an unknown category, so a single row scored unlike the same row in a batch.)"""
    if values.dtype != object:
        return values
    missing = np.fromiter((v is None for v in values.tolist()), dtype=bool, count=len(values))
    if not missing.any():
        return values
    values = values.copy()
    values[missing] = np.nan
    return values


class SklearnBackend:
    """The fitted pipeline. Its ColumnTransformer selects columns by name, so the columns go in
    as a DataFrame (built from the numpy arrays without copying, nulls in categories as NaN)."""

    name = "sklearn"

    def __init__(self, pipeline: Any, info: ModelInfo) -> None:
        self.pipeline = pipeline
        self.is_classifier = info.task == "classification"
        fitted = getattr(pipeline, "classes_", None)
        self.classes = np.asarray(fitted) if fitted is not None else np.asarray(info.classes)
        self.has_proba = self.is_classifier and hasattr(pipeline, "predict_proba")
        self.categories = frozenset(f.name for f in info.features if f.type == "category")

    def run(self, columns: dict[str, Array]) -> tuple[Array, Array | None]:
        import pandas as pd

        frame = pd.DataFrame(
            {
                name: _missing_as_nan(values) if name in self.categories else values
                for name, values in columns.items()
            },
            copy=False,
        )
        if self.has_proba:
            probabilities = np.asarray(self.pipeline.predict_proba(frame), dtype=np.float64)
            return self.classes[probabilities.argmax(axis=1)], probabilities
        labels = np.asarray(self.pipeline.predict(frame))
        if not self.is_classifier:
            labels = labels.astype(np.float64, copy=False).ravel()
        return labels, None


class OnnxBackend:
    """The verified ONNX graph in an ONNX Runtime session (one thread, no spinning). No
    DataFrame: the columns go straight into the graph's inputs."""

    name = "onnx"

    def __init__(self, graph: bytes, record: CompiledRecord, sklearn: SklearnBackend) -> None:
        self.session = open_session(graph)
        self.inputs = GraphInputs(record.inputs)
        self.classes: Array | None = sklearn.classes if sklearn.is_classifier else None
        self.has_proba = sklearn.has_proba

    def run(self, columns: dict[str, Array]) -> tuple[Array, Array | None]:
        try:
            return run_graph(self.session, self.inputs.feed(columns), self.classes, self.has_proba)
        except Exception as error:  # ONNX Runtime's errors derive from Exception only
            raise ValueError(" ".join(str(error).split())) from None


@dataclass(frozen=True)
class BackendChoice:
    backend: Backend
    reason: str


def choose_backend(
    pipeline: Any, info: ModelInfo, model_dir: Path, requested: str = "auto"
) -> BackendChoice:
    """The backend ``requested`` (auto, sklearn or onnx) for the model in ``model_dir``."""
    if requested not in BACKENDS:
        raise MlopsError(
            f"backend must be one of {', '.join(BACKENDS)}, got '{requested}'",
            "use --backend auto, sklearn or onnx",
        )
    sklearn = SklearnBackend(pipeline, info)
    record = CompiledRecord.from_dict(info.compiled)
    if requested == "sklearn":
        return BackendChoice(sklearn, "scikit-learn, as requested (--backend sklearn)")
    if requested == "auto" and not record.verified:
        return BackendChoice(sklearn, f"scikit-learn: {record.status}: {record.reason}")
    if requested == "auto" and not (model_dir / record.file).is_file():
        # a folder copied without its compiled/ part: the pipeline is hash-checked and equal
        return BackendChoice(sklearn, f"scikit-learn: {record.file} is missing from {model_dir}")
    graph = load_graph(model_dir, record)  # refuses a missing or changed file, naming it
    return BackendChoice(OnnxBackend(graph, record, sklearn), f"onnx: {record.reason}")
