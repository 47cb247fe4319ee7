"""The Open Inference Protocol (V2) as KServe and MLServer speak it over REST: payloads only.

Model metadata lists one input per feature column (shape ``[-1]``) and the outputs ``predict``
(and ``predict_proba`` for a classifier, shape ``[-1, n_classes]``, columns in ``classes`` order).
An inference request names one input per column, or sends a single 2-D tensor of shape
``[n, n_features]`` whose columns are the features in metadata order. The routes live in
:mod:`mlops_gitops.serving.app`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from mlops_gitops.ml.artifact import FeatureInfo, ModelInfo
from mlops_gitops.serving.payloads import JsonColumns, PayloadError
from mlops_gitops.serving.predictor import Prediction
from mlops_gitops.serving.validation import InputError, InputSchema, Problem, feature_kind

__all__ = [
    "InferRequest",
    "feature_datatype",
    "infer_response",
    "model_metadata",
    "output_datatype",
    "parse_infer_request",
]

_DATATYPES = {"number": "FP64", "integer": "INT64", "boolean": "BOOL", "int-category": "INT64"}
_FLOATS = frozenset({"FP16", "FP32", "FP64"})
_INTS = frozenset({"INT8", "INT16", "INT32", "INT64", "UINT8", "UINT16", "UINT32", "UINT64"})
_ALL = _FLOATS | _INTS | {"BOOL", "BYTES"}
_COMPATIBLE = {
    "FP64": _FLOATS | _INTS,
    "INT64": _INTS | _FLOATS,
    "BOOL": frozenset({"BOOL"}),
    "BYTES": frozenset({"BYTES"}),
}
OUTPUTS = ("predict", "predict_proba")


def feature_datatype(feature: FeatureInfo) -> str:
    return _DATATYPES.get(feature_kind(feature), "BYTES")


def output_datatype(values: np.ndarray[Any, Any]) -> str:
    kind = values.dtype.kind
    if kind == "f":
        return "FP64"
    if kind in "iu":
        return "INT64"
    if kind == "b":
        return "BOOL"
    return "BYTES"


def model_metadata(
    name: str,
    version: str,
    info: ModelInfo,
    classes: tuple[Any, ...],
    backend: str = "sklearn",
    *,
    content_hash: str = "",
) -> Any:
    """V2 model metadata; ``version`` is the registry version when there is one, and
    ``parameters.content_hash`` the model file's sha256 prefix either way."""
    outputs: list[dict[str, Any]] = [
        {"name": "predict", "datatype": _label_datatype(info, classes), "shape": [-1]}
    ]
    if classes:
        outputs.append({"name": "predict_proba", "datatype": "FP64", "shape": [-1, len(classes)]})
    return {
        "name": name,
        "versions": [version],
        "platform": "onnxruntime_onnx" if backend == "onnx" else "sklearn",
        "inputs": [
            {"name": f.name, "datatype": feature_datatype(f), "shape": [-1]} for f in info.features
        ],
        "outputs": outputs,
        "parameters": {
            "task": info.task,
            "target": info.target,
            "experiment": info.experiment,
            "estimator": info.estimator,
            "classes": list(classes),
            "backend": backend,
            "content_hash": content_hash or info.sha256[:12],
        },
    }


def _label_datatype(info: ModelInfo, classes: tuple[Any, ...]) -> str:
    if not classes:
        return "FP64"
    return output_datatype(np.asarray(classes))


@dataclass(frozen=True)
class InferRequest:
    columns: JsonColumns
    id: str | None
    outputs: tuple[str, ...]


def parse_infer_request(body: Any, schema: InputSchema, *, has_proba: bool) -> InferRequest:
    if not isinstance(body, dict):
        raise PayloadError(f"expected a JSON object with 'inputs', got {type(body).__name__}")
    request_id = body.get("id")
    if request_id is not None and not isinstance(request_id, str):
        raise PayloadError("'id' must be a string")
    inputs = body.get("inputs")
    if not isinstance(inputs, list) or not inputs:
        raise PayloadError("'inputs' must be a non-empty array of tensors")
    tensors = [_tensor(item, index) for index, item in enumerate(inputs)]
    if len(tensors) == 1 and len(tensors[0].shape) == 2 and tensors[0].shape[1] > 1:
        columns = _from_matrix(tensors[0], schema)
    else:
        columns = _from_named(tensors, schema)
    return InferRequest(columns, request_id, _requested_outputs(body, has_proba=has_proba))


@dataclass(frozen=True)
class _Tensor:
    name: str
    shape: tuple[int, ...]
    datatype: str
    data: list[Any]


def _tensor(item: Any, index: int) -> _Tensor:
    if not isinstance(item, dict):
        raise PayloadError(f"inputs[{index}] must be an object with name, shape, datatype, data")
    name, shape, datatype, data = (item.get(k) for k in ("name", "shape", "datatype", "data"))
    where = f"input '{name}'" if isinstance(name, str) else f"inputs[{index}]"
    if not isinstance(name, str):
        raise PayloadError(f"{where}: 'name' must be a string")
    if (
        not isinstance(shape, list)
        or not 1 <= len(shape) <= 2
        or not all(type(d) is int and d >= 0 for d in shape)
    ):
        raise PayloadError(f"{where}: 'shape' must be [n] or [n, m] with non-negative integers")
    if not isinstance(datatype, str) or datatype not in _ALL:
        raise PayloadError(f"{where}: 'datatype' must be one of {', '.join(sorted(_ALL))}")
    if not isinstance(data, list):
        raise PayloadError(f"{where}: 'data' must be an array")
    flat = _flatten(data, where)
    if len(flat) != math.prod(shape):
        raise PayloadError(
            f"{where}: shape {shape} needs {math.prod(shape)} values, got {len(flat)}"
        )
    if not flat:
        raise PayloadError(f"{where}: no values")
    return _Tensor(name, tuple(shape), datatype, flat)


def _flatten(data: list[Any], where: str) -> list[Any]:
    if not any(type(v) is list for v in data):
        return data
    flat: list[Any] = []
    for value in data:
        if type(value) is list:
            if any(type(v) is list for v in value):
                raise PayloadError(f"{where}: 'data' nests deeper than the tensor's shape")
            flat.extend(value)
        else:
            raise PayloadError(f"{where}: 'data' mixes arrays and values")
    return flat


def _from_matrix(tensor: _Tensor, schema: InputSchema) -> JsonColumns:
    _rows, width = tensor.shape
    if width != len(schema.names):
        raise PayloadError(
            f"input '{tensor.name}': a 2-D tensor must have shape [n, {len(schema.names)}] "
            f"(columns {', '.join(schema.names)}), got {list(tensor.shape)}"
        )
    data = tensor.data
    return {name: data[index::width] for index, name in enumerate(schema.names)}


def _from_named(tensors: list[_Tensor], schema: InputSchema) -> JsonColumns:
    names = [t.name for t in tensors]
    if len(set(names)) != len(names):
        raise PayloadError("an input is named twice")
    problems = schema.column_problems(names)
    if problems:
        raise InputError(problems)
    features = {f.name: f for f in schema.features}
    rows = len(tensors[0].data)
    for tensor in tensors:
        if len(tensor.shape) == 2 and tensor.shape[1] != 1:
            raise PayloadError(f"input '{tensor.name}': shape must be [n] or [n, 1]")
        if len(tensor.data) != rows:
            raise PayloadError(
                f"input '{tensor.name}' has {len(tensor.data)} values, but input "
                f"'{tensors[0].name}' has {rows}"
            )
        expected = feature_datatype(features[tensor.name])
        if tensor.datatype not in _COMPATIBLE[expected]:
            raise InputError(
                [
                    Problem(
                        tensor.name, f"datatype {tensor.datatype}, but the model takes {expected}"
                    )
                ]
            )
    by_name = {t.name: t.data for t in tensors}
    return {name: by_name.get(name, [None] * rows) for name in schema.names}


def _requested_outputs(body: dict[str, Any], *, has_proba: bool) -> tuple[str, ...]:
    available = OUTPUTS if has_proba else OUTPUTS[:1]
    requested = body.get("outputs")
    if requested is None:
        return available
    if not isinstance(requested, list) or not all(
        isinstance(o, dict) and isinstance(o.get("name"), str) for o in requested
    ):
        raise PayloadError("'outputs' must be an array of objects with a 'name'")
    names = tuple(o["name"] for o in requested)
    unknown = [n for n in names if n not in available]
    if unknown:
        raise PayloadError(f"unknown output '{unknown[0]}'; this model has: {', '.join(available)}")
    return names or available


def infer_response(
    name: str, version: str, request_id: str, prediction: Prediction, outputs: tuple[str, ...]
) -> dict[str, Any]:
    tensors: list[dict[str, Any]] = []
    rows = len(prediction.labels)
    for output in outputs:
        if output == "predict":
            tensors.append(
                {
                    "name": "predict",
                    "shape": [rows],
                    "datatype": output_datatype(prediction.labels),
                    "data": prediction.labels.tolist(),
                }
            )
        elif prediction.probabilities is not None:
            probabilities = prediction.probabilities
            tensors.append(
                {
                    "name": "predict_proba",
                    "shape": list(probabilities.shape),
                    "datatype": "FP64",
                    "data": probabilities.ravel(),
                }
            )
    return {"model_name": name, "model_version": version, "id": request_id, "outputs": tensors}
