"""Compile the fitted pipeline to an ONNX graph (skl2onnx) and verify it against scikit-learn.

:func:`compile_pipeline` converts a copy of the pipeline with one graph input per used column
(see :class:`~mlops_gitops.ml.compiled.GraphInputs`), runs the graph in ONNX Runtime on the whole
test split and compares it with the pipeline itself:

* classification: labels identical on every row; probabilities within ``probability`` (absolute);
* regression: the largest difference divided by the largest absolute prediction within
  ``relative`` (a norm-wise relative error: a prediction near zero does not make float32's
  last digit look like a large relative error).

The result is a :class:`CompileResult`: ``verified`` with the graph's bytes, or ``fallback`` with
the reason (no converter for the estimator, a column kind the graph cannot take, a mismatch
beyond the tolerance). Serving reads the record and never guesses.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import time
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from mlops_gitops.fsutil import atomic_write_bytes, atomic_write_text
from mlops_gitops.ml.artifact import COMPILED_DIR, FeatureInfo
from mlops_gitops.ml.compiled import (
    FLOAT,
    INT64,
    MISSING_CATEGORY,
    NUMBERS_INPUT,
    ONNX_FILE,
    STRING,
    VERIFICATION_FILE,
    CompiledRecord,
    GraphInputs,
    open_session,
    run_graph,
)

__all__ = [
    "CompileResult",
    "Tolerances",
    "compile_pipeline",
    "disabled",
    "graph_inputs",
    "write_compiled",
]

# ai.onnx 18 and ai.onnx.ml 3: what skl2onnx 1.20 writes for every catalogue estimator and
# ONNX Runtime >= 1.16 runs (ai.onnx.ml 3 carries the tree ensembles' double attributes).
TARGET_OPSET = {"": 18, "ai.onnx.ml": 3}
_REASON_CHARS = 300


@dataclass(frozen=True)
class Tolerances:
    probability: float = 1e-5
    relative: float = 1e-5

    def to_dict(self) -> dict[str, float]:
        return {"probability": self.probability, "relative": self.relative}


@dataclass(frozen=True)
class CompileResult:
    record: CompiledRecord
    graph: bytes | None = None
    metrics: dict[str, float] = field(default_factory=dict)


class _Unsupported(Exception):
    """The pipeline cannot become a graph; the message is the recorded reason."""


def graph_inputs(features: Sequence[FeatureInfo]) -> tuple[tuple[str, str], ...]:
    """One graph input per column the pipeline uses, with its kind; raises for a column kind the
    graph cannot take (booleans: skl2onnx's encoders do not take bool tensors)."""
    inputs: list[tuple[str, str]] = []
    for feature in features:
        if feature.type in ("number", "integer"):
            inputs.append((feature.name, FLOAT))
        elif feature.type == "category":
            ints = bool(feature.allowed) and all(type(v) is int for v in feature.allowed or ())
            if ints and feature.nullable:
                raise _Unsupported(
                    f"column '{feature.name}' is a nullable integer category: an int64 graph "
                    "input cannot hold a missing value"
                )
            inputs.append((feature.name, INT64 if ints else STRING))
        elif feature.type == "boolean":
            raise _Unsupported(
                f"column '{feature.name}' is boolean: skl2onnx's encoders take no bool tensors"
            )
    return tuple(inputs)


def _short(error: BaseException) -> str:
    text = " ".join(str(error).split())
    if len(text) > _REASON_CHARS:
        text = text[: _REASON_CHARS - 3] + "..."
    return f"{type(error).__name__}: {text}"


@contextlib.contextmanager
def _hist_gradient_boosting_fix() -> Iterator[None]:
    """skl2onnx 1.20 passes HistGradientBoosting's ``missing_go_to_left`` (a numpy bool) into an
    ONNX integer attribute, which onnx >= 1.17 refuses ("Expected an int, got a boolean"), so
    HistGradientBoosting* fail to convert. Cast it to int while converting; nothing else changes
    (verification then proves the graph equal, missing values included)."""
    from skl2onnx.common import tree_ensemble

    original = tree_ensemble.add_node

    def add_node(*args: Any, nodes_missing_value_tracks_true: Any = 0, **kwargs: Any) -> Any:
        tracks = int(nodes_missing_value_tracks_true)
        return original(*args, nodes_missing_value_tracks_true=tracks, **kwargs)

    tree_ensemble.add_node = add_node
    try:
        yield
    finally:
        tree_ensemble.add_node = original


def _convertible_copy(pipeline: Any) -> Any:
    """A copy whose categorical imputers look for :data:`MISSING_CATEGORY` (skl2onnx imputes
    strings only when the missing value is a string); the fitted statistics stay as they are."""
    converted = copy.deepcopy(pipeline)
    columns = converted.steps[0][1]
    for _, transformer, _ in getattr(columns, "transformers_", ()):
        for _, step in getattr(transformer, "steps", ()):
            if type(step).__name__ == "SimpleImputer" and step.statistics_.dtype == object:
                step.missing_values = MISSING_CATEGORY
    return converted


def _to_onnx(to_onnx: Any, pipeline: Any, initial: list[Any], classifier: bool) -> Any:
    """Probabilities as one tensor (no ZipMap of dicts) where the converter has the option.
    LinearSVC's converter has no such option (nor probabilities), and skl2onnx adds one to a
    pipeline's classifier unless the step has options of its own: give it an empty set."""
    if classifier:
        try:
            options = {id(pipeline): {"zipmap": False}}
            return to_onnx(
                pipeline, initial_types=initial, options=options, target_opset=TARGET_OPSET
            )
        except NameError as error:
            if "Option 'zipmap'" not in str(error):
                raise
        options = {id(pipeline.steps[-1][1]): {}}
        return to_onnx(pipeline, initial_types=initial, options=options, target_opset=TARGET_OPSET)
    return to_onnx(pipeline, initial_types=initial, target_opset=TARGET_OPSET)


def _convert(pipeline: Any, inputs: tuple[tuple[str, str], ...], classifier: bool) -> bytes:
    from skl2onnx import to_onnx
    from skl2onnx.common.data_types import FloatTensorType, Int64TensorType, StringTensorType

    types = {FLOAT: FloatTensorType, STRING: StringTensorType, INT64: Int64TensorType}
    initial = [(name, types[kind]([None, 1])) for name, kind in inputs]
    converted = _convertible_copy(pipeline)
    try:
        # skl2onnx reads attributes scikit-learn has deprecated (SVC's probA_): its warnings say
        # nothing to the user, and the graph is verified afterwards anyway
        with _hist_gradient_boosting_fix(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            graph = _to_onnx(to_onnx, converted, initial, classifier)
    except Exception as error:  # skl2onnx raises many kinds; each becomes the recorded reason
        raise _Unsupported(f"skl2onnx could not convert the pipeline: {_short(error)}") from None
    numbers = [name for name, kind in inputs if kind == FLOAT]
    if numbers:
        _pack_numbers(graph, numbers)
    data: bytes = graph.SerializeToString()
    return data


def _pack_numbers(graph: Any, names: list[str]) -> None:
    """Replace the graph's per-column number inputs by one ``[n, k]`` float input split inside
    the graph into tensors of the old inputs' names (see ``NUMBERS_INPUT``)."""
    from onnx import TensorProto, helper, numpy_helper

    body = graph.graph
    kept = [value for value in body.input if value.name not in set(names)]
    packed = helper.make_tensor_value_info(NUMBERS_INPUT, TensorProto.FLOAT, [None, len(names)])
    if len(names) == 1:
        unpack = helper.make_node("Identity", [NUMBERS_INPUT], names, name="mlops_unpack")
    else:
        sizes = f"{NUMBERS_INPUT}_split"
        body.initializer.append(
            numpy_helper.from_array(np.ones(len(names), dtype=np.int64), name=sizes)
        )
        unpack = helper.make_node(
            "Split", [NUMBERS_INPUT, sizes], names, axis=1, name="mlops_unpack"
        )
    del body.input[:]
    body.input.extend([packed, *kept])
    body.node.insert(0, unpack)


def _reference(
    pipeline: Any, frame: Any, task: str, has_proba: bool
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any] | None, np.ndarray[Any, Any] | None]:
    if task != "classification":
        return np.asarray(pipeline.predict(frame), dtype=np.float64).ravel(), None, None
    classes = np.asarray(pipeline.classes_)
    if has_proba:
        probabilities = np.asarray(pipeline.predict_proba(frame), dtype=np.float64)
        return classes[probabilities.argmax(axis=1)], probabilities, classes
    return np.asarray(pipeline.predict(frame)).ravel(), None, classes


def _one_row_ms(session: Any, feed: dict[str, np.ndarray[Any, Any]]) -> float:
    one = {name: values[:1] for name, values in feed.items()}
    session.run(None, one)
    runs, started = 0, time.perf_counter()
    while runs < 200 or time.perf_counter() - started < 0.05:
        session.run(None, one)
        runs += 1
    return (time.perf_counter() - started) / runs * 1000


def _verify(
    graph: bytes,
    *,
    pipeline: Any,
    inputs: tuple[tuple[str, str], ...],
    frame: Any,
    task: str,
    has_proba: bool,
    tolerances: Tolerances,
) -> tuple[str, dict[str, float]]:
    """The mismatch (empty when none) and the figures."""
    labels, probabilities, classes = _reference(pipeline, frame, task, has_proba)
    session = open_session(graph)
    feed = GraphInputs(inputs).feed({name: frame[name].to_numpy() for name, _ in inputs})
    got_labels, got_probabilities = run_graph(session, feed, classes, has_proba)
    figures: dict[str, float] = {
        "rows": float(len(frame)),
        "one_row_ms": _one_row_ms(session, feed),
    }
    if task == "classification":
        mismatches = int(np.sum(got_labels != labels))
        figures["label_mismatches"] = float(mismatches)
        if mismatches:
            return f"{mismatches} of {len(frame)} test rows get another label", figures
        if probabilities is not None:
            if got_probabilities is None:
                return "the graph gives no class probabilities", figures
            largest = float(np.max(np.abs(got_probabilities - probabilities)))
            figures["max_probability_difference"] = largest
            if largest > tolerances.probability:
                return (
                    f"probabilities differ by up to {largest:.3g} "
                    f"(tolerance {tolerances.probability:g})",
                    figures,
                )
        return "", figures
    scale = max(float(np.max(np.abs(labels))), np.finfo(np.float64).tiny)
    largest = float(np.max(np.abs(got_labels - labels)))
    figures["max_absolute_difference"] = largest
    figures["max_relative_difference"] = largest / scale
    if largest / scale > tolerances.relative:
        return (
            f"predictions differ by up to {largest / scale:.3g} relative to the largest "
            f"prediction (tolerance {tolerances.relative:g})",
            figures,
        )
    return "", figures


def compile_pipeline(
    pipeline: Any,
    features: Sequence[FeatureInfo],
    task: str,
    test_frame: Any,
    tolerances: Tolerances = Tolerances(),
) -> CompileResult:
    """Convert ``pipeline`` and verify the graph on ``test_frame`` (the feature columns of the
    test split); never raises for a pipeline that cannot be compiled: that is a fallback."""
    has_proba = task == "classification" and hasattr(pipeline, "predict_proba")
    try:
        inputs = graph_inputs(features)
        graph = _convert(pipeline, inputs, task == "classification")
        mismatch, figures = _verify(
            graph,
            pipeline=pipeline,
            inputs=inputs,
            frame=test_frame,
            task=task,
            has_proba=has_proba,
            tolerances=tolerances,
        )
    except _Unsupported as error:
        return CompileResult(
            CompiledRecord("fallback", str(error), tolerances=tolerances.to_dict())
        )
    except Exception as error:  # the runtime refused the graph: record it, serve scikit-learn
        reason = f"ONNX Runtime could not run the graph: {_short(error)}"
        return CompileResult(CompiledRecord("fallback", reason, tolerances=tolerances.to_dict()))
    metrics = {f"onnx_{k}": v for k, v in figures.items() if k != "rows"}
    if mismatch:
        record = CompiledRecord(
            "fallback",
            f"the graph does not match scikit-learn on the test split: {mismatch}",
            inputs=inputs,
            tolerances=tolerances.to_dict(),
            verification=figures,
        )
        return CompileResult(record, None, {**metrics, "onnx_verified": 0.0})
    record = CompiledRecord(
        "verified",
        f"labels and values match scikit-learn on all {len(test_frame)} test rows",
        file=ONNX_FILE,
        sha256=hashlib.sha256(graph).hexdigest(),
        inputs=inputs,
        tolerances=tolerances.to_dict(),
        verification=figures,
    )
    return CompileResult(record, graph, {**metrics, "onnx_verified": 1.0})


def disabled(tolerances: Tolerances) -> CompileResult:
    """The result when the experiment turns compiling off (``compile.enabled: false``)."""
    reason = "compile.enabled is false in the experiment"
    return CompileResult(CompiledRecord("disabled", reason, tolerances=tolerances.to_dict()))


def write_compiled(model_dir: Path, result: CompileResult) -> None:
    """``compiled/verification.json`` always (so the folder exists for DVC), ``model.onnx`` only
    when verified; a graph left from an earlier run is removed, never served by mistake."""
    (model_dir / COMPILED_DIR).mkdir(parents=True, exist_ok=True)
    graph_path = model_dir / ONNX_FILE
    if result.graph is not None:
        atomic_write_bytes(graph_path, result.graph)
    else:
        graph_path.unlink(missing_ok=True)
    text = json.dumps(result.record.to_dict(), indent=2, sort_keys=True) + "\n"
    atomic_write_text(model_dir / VERIFICATION_FILE, text)
