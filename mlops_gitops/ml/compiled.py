"""The compiled graph beside a model: its record in ``model.json``, its inputs, its session.

Training (:mod:`mlops_gitops.ml.compile`) writes ``compiled/model.onnx`` when the ONNX graph of the
fitted pipeline was proven equal to scikit-learn on the test split, and records the outcome in
``model.json`` under ``compiled``::

    {"status": "verified" | "fallback" | "disabled", "reason": "...",
     "file": "compiled/model.onnx", "sha256": "...", "inputs": [[column, kind], ...],
     "tolerances": {...}, "verification": {...figures...}}

This module is the runtime side: what serving, batch prediction and the performance stage need to
run the graph (onnxruntime and numpy, no scikit-learn, no skl2onnx). :func:`load_graph` refuses a
file whose sha256 differs from the record, naming the file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mlops_gitops.errors import MlopsError
from mlops_gitops.ml.artifact import COMPILED_DIR

__all__ = [
    "COMPILED_DIR",
    "MISSING_CATEGORY",
    "NUMBERS_INPUT",
    "ONNX_FILE",
    "VERIFICATION_FILE",
    "CompiledRecord",
    "GraphInputs",
    "compiled_metrics",
    "load_graph",
    "open_session",
    "run_graph",
]

ONNX_FILE = f"{COMPILED_DIR}/model.onnx"
VERIFICATION_FILE = f"{COMPILED_DIR}/verification.json"
# A missing category goes into the graph as this string: skl2onnx imputes strings only when the
# missing value is a string, so the converted copy's categorical imputer looks for this one.
MISSING_CATEGORY = "\x00mlops-missing"

FLOAT, STRING, INT64 = "float", "string", "int64"
# The graph takes every number column in one float32 matrix (in the order of the record's float
# inputs) and splits it inside: one input instead of one per column, which makes the feed one
# array write per column instead of a tensor per column, and ONNX Runtime binds one input.
NUMBERS_INPUT = "mlops_numbers"


@dataclass(frozen=True)
class CompiledRecord:
    """``model.json``'s ``compiled`` block, typed. ``status`` is verified, fallback or disabled."""

    status: str
    reason: str = ""
    file: str = ""
    sha256: str = ""
    inputs: tuple[tuple[str, str], ...] = ()
    tolerances: Mapping[str, float] | None = None
    verification: Mapping[str, Any] | None = None

    @property
    def verified(self) -> bool:
        return self.status == "verified"

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> CompiledRecord:
        if not data:
            return cls("fallback", "the model was trained before compiled inference existed")
        return cls(
            status=str(data.get("status", "fallback")),
            reason=str(data.get("reason", "")),
            file=str(data.get("file", "")),
            sha256=str(data.get("sha256", "")),
            inputs=tuple((str(n), str(k)) for n, k in data.get("inputs", ())),
            tolerances=data.get("tolerances"),
            verification=data.get("verification"),
        )

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"status": self.status, "reason": self.reason}
        if self.file:
            data |= {"file": self.file, "sha256": self.sha256}
        if self.inputs:
            data["inputs"] = [list(pair) for pair in self.inputs]
        if self.tolerances is not None:
            data["tolerances"] = dict(self.tolerances)
        if self.verification is not None:
            data["verification"] = dict(self.verification)
        return data

    def describe(self) -> str:
        """One line for people: which backend serves and why."""
        if self.verified:
            return f"onnx (graph verified on the test split; {self.file})"
        return f"scikit-learn ({self.status}: {self.reason})"


def compiled_metrics(compiled: Mapping[str, Any] | None) -> dict[str, float]:
    """The verification figures as metrics (``onnx_verified`` 1 or 0, differences, one-row
    latency), for the metrics files that DVC compares between runs."""
    record = CompiledRecord.from_dict(compiled)
    figures = {f"onnx_{k}": float(v) for k, v in (record.verification or {}).items() if k != "rows"}
    return {"onnx_verified": 1.0 if record.verified else 0.0, **figures}


class GraphInputs:
    """Turns checked columns (numpy arrays, one per feature) into the graph's feed. Numbers go
    in as one float32 ``[n, k]`` matrix, :data:`NUMBERS_INPUT` (ONNX Runtime's imputer and tree
    ensembles run on float32); categories as ``[n, 1]`` strings (a null as
    :data:`MISSING_CATEGORY`), integer categories as ``[n, 1]`` int64."""

    def __init__(self, inputs: tuple[tuple[str, str], ...]) -> None:
        self.inputs = inputs
        self.numbers = tuple(name for name, kind in inputs if kind == FLOAT)
        self.others = tuple((name, kind) for name, kind in inputs if kind != FLOAT)

    def feed(self, columns: Mapping[str, Any]) -> dict[str, np.ndarray[Any, Any]]:
        feed: dict[str, np.ndarray[Any, Any]] = {}
        if self.numbers:
            matrix = np.empty((len(columns[self.numbers[0]]), len(self.numbers)), np.float32)
            for index, name in enumerate(self.numbers):
                matrix[:, index] = columns[name]
            feed[NUMBERS_INPUT] = matrix
        for name, kind in self.others:
            values = columns[name]
            if kind == INT64:
                feed[name] = np.asarray(values, dtype=np.int64).reshape(-1, 1)
            else:
                feed[name] = _strings(values).reshape(-1, 1)
        return feed


def _strings(values: Any) -> np.ndarray[Any, Any]:
    array = np.asarray(values, dtype=object)
    if all(type(v) is str for v in array.tolist()):
        return array
    return np.asarray([v if type(v) is str else MISSING_CATEGORY for v in array], dtype=object)


def open_session(graph: bytes) -> Any:
    """An ONNX Runtime session tuned for one request at a time: one intra-op and one inter-op
    thread, sequential execution, and no spinning (idle threads sleep instead of burning a core
    that the event loop and the other workers need)."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.add_session_config_entry("session.inter_op.allow_spinning", "0")
    options.log_severity_level = 3  # errors only: shape notes would flood the server's log
    return ort.InferenceSession(graph, options, providers=["CPUExecutionProvider"])


def run_graph(
    session: Any,
    feed: dict[str, np.ndarray[Any, Any]],
    classes: np.ndarray[Any, Any] | None,
    has_proba: bool,
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any] | None]:
    """Labels (or values) and probabilities from one run of the graph, the way the scikit-learn
    backend computes them: with probabilities, the label is ``classes[argmax]``."""
    outputs = session.run(None, feed)
    if classes is None:
        return np.asarray(outputs[0], dtype=np.float64).ravel(), None
    scores = outputs[1] if len(outputs) > 1 else None
    if (
        has_proba
        and isinstance(scores, np.ndarray)
        and scores.ndim == 2
        and scores.shape[1] == len(classes)
    ):
        probabilities = scores.astype(np.float64)
        return classes[probabilities.argmax(axis=1)], probabilities
    return np.asarray(outputs[0]).ravel(), None


def load_graph(model_dir: Path, record: CompiledRecord) -> bytes:
    """The verified graph's bytes; refuses a missing file or one whose hash is not the record's."""
    if not record.verified:
        raise MlopsError(
            f"the model in {model_dir} has no verified ONNX graph: {record.reason}",
            "serve it with --backend sklearn (or auto), or retrain with `dvc repro`",
        )
    path = model_dir / record.file
    if not path.is_file():
        raise MlopsError(
            f"compiled graph {path} is missing", "run `dvc repro` (or `dvc pull`) to restore it"
        )
    graph = path.read_bytes()
    actual = hashlib.sha256(graph).hexdigest()
    if actual != record.sha256:
        raise MlopsError(
            f"compiled graph {path} has sha256 {actual[:12]}..., but model.json records "
            f"{record.sha256[:12]}...: the file was changed or corrupted",
            "retrain with `dvc repro`, or restore it with `dvc checkout`",
        )
    return graph
