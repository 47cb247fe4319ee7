"""OpenAPI pieces for the routes: request bodies built from the model's input schema.

The handlers read raw bytes (orjson is faster than a pydantic model per request), so FastAPI
cannot infer the bodies; these schemas describe them in ``/openapi.json`` instead, with each
column's JSON type, range and allowed values, for clients and for schemathesis.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from mlops_gitops.ml.artifact import FeatureInfo
from mlops_gitops.requestlog.schema import LABEL, REQUEST_ID
from mlops_gitops.serving.validation import feature_kind

__all__ = [
    "ERROR_RESPONSES",
    "UNAUTHORIZED",
    "batch_body",
    "feedback_body",
    "infer_body",
    "json_body",
    "json_type_of",
    "predict_body",
    "value_schema",
]

_JSON_TYPES = {
    "number": "number",
    "integer": "integer",
    "boolean": "boolean",
    "int-category": "integer",
    "string": "string",
}

_ERROR = {
    "type": "object",
    "properties": {"error": {"type": "string"}, "request_id": {"type": "string"}},
    "required": ["error"],
}
UNAUTHORIZED: dict[str, Any] = {
    "description": "No or a wrong `Authorization: Bearer` token.",
    "content": {"application/json": {"schema": _ERROR}},
}
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"description": text, "content": {"application/json": {"schema": _ERROR}}}
    for code, text in (
        (400, "The body is malformed or does not fit the model's input schema."),
        (404, "No model of that name is served here."),
        (413, "The body is larger than the server's limit."),
    )
}


def json_type_of(arrow_type: pa.DataType) -> str:
    if pa.types.is_floating(arrow_type):
        return "number"
    if pa.types.is_integer(arrow_type):
        return "integer"
    if pa.types.is_boolean(arrow_type):
        return "boolean"
    return "string"


def value_schema(feature: FeatureInfo) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": _JSON_TYPES[feature_kind(feature)]}
    if feature.type == "datetime":
        schema["format"] = "date-time"
    if feature.min is not None and schema["type"] in ("number", "integer"):
        schema["minimum"] = feature.min
    if feature.max is not None and schema["type"] in ("number", "integer"):
        schema["maximum"] = feature.max
    if feature.allowed is not None:
        schema["enum"] = list(feature.allowed)
    if feature.nullable:
        schema = {"anyOf": [schema, {"type": "null"}]}
    return schema


def _instance(features: tuple[FeatureInfo, ...]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {f.name: value_schema(f) for f in features},
        # a nullable column may be left out: it is read as missing, as in a file
        "required": [f.name for f in features if not f.nullable],
        "additionalProperties": False,
    }


def json_body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


def predict_body(features: tuple[FeatureInfo, ...]) -> dict[str, Any]:
    instances = {
        "type": "object",
        "properties": {"instances": {"type": "array", "minItems": 1, "items": _instance(features)}},
        "required": ["instances"],
        "additionalProperties": False,
    }
    split = {
        "type": "object",
        "properties": {
            "dataframe_split": {
                "type": "object",
                "properties": {
                    "columns": {
                        "type": "array",
                        "items": {"enum": [f.name for f in features]},
                        "minItems": len(features),
                        "maxItems": len(features),
                        "uniqueItems": True,
                        "description": "Every input column once, in any order.",
                    },
                    "data": {
                        "type": "array",
                        "minItems": 1,
                        "items": {
                            "type": "array",
                            "minItems": len(features),
                            "maxItems": len(features),
                        },
                    },
                },
                "required": ["columns", "data"],
                "additionalProperties": False,
            }
        },
        "required": ["dataframe_split"],
        "additionalProperties": False,
    }
    return json_body({"oneOf": [instances, split]})


def infer_body(features: tuple[FeatureInfo, ...]) -> dict[str, Any]:
    tensor = {
        "type": "object",
        "properties": {
            "name": {"type": "string", "enum": [f.name for f in features]},
            "shape": {
                "type": "array",
                "items": {"type": "integer", "minimum": 0},
                "minItems": 1,
                "maxItems": 2,
            },
            "datatype": {
                "type": "string",
                "enum": ["BOOL", "BYTES", "FP32", "FP64", "INT32", "INT64"],
            },
            "data": {"type": "array"},
            "parameters": {"type": "object"},
        },
        "required": ["name", "shape", "datatype", "data"],
    }
    return json_body(
        {
            "type": "object",
            "properties": {
                "id": {"type": "string"},
                "inputs": {"type": "array", "minItems": 1, "items": tensor},
                "outputs": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {"name": {"type": "string"}},
                        "required": ["name"],
                    },
                },
                "parameters": {"type": "object"},
            },
            "required": ["inputs"],
        }
    )


def feedback_body(
    label_json_type: str,
    classes: tuple[Any, ...] = (),
    minimum: float | None = None,
    maximum: float | None = None,
) -> dict[str, Any]:
    """Labels as JSON (one of the classes, or a number in the target's range), or as a CSV or
    Parquet body with request_id and label columns."""
    value: dict[str, Any] = {"type": label_json_type}
    if classes:
        value["enum"] = list(classes)
    if minimum is not None:
        value["minimum"] = minimum
    if maximum is not None:
        value["maximum"] = maximum
    label = {
        "type": "object",
        "properties": {
            REQUEST_ID: {"type": "string", "minLength": 1, "maxLength": 200},
            LABEL: value,
        },
        "required": [REQUEST_ID, LABEL],
        "additionalProperties": False,
    }
    body = json_body(
        {
            "type": "object",
            "properties": {"labels": {"type": "array", "minItems": 1, "items": label}},
            "required": ["labels"],
        }
    )
    binary = {"type": "string", "format": "binary"}
    content = body["requestBody"]["content"]
    content["text/csv"] = {"schema": binary}
    content["application/vnd.apache.parquet"] = {"schema": binary}
    return body


def batch_body() -> dict[str, Any]:
    binary = {"type": "string", "format": "binary"}
    return {
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": binary},
                        "required": ["file"],
                    }
                },
                "text/csv": {"schema": {"type": "string"}},
                "application/vnd.apache.parquet": {"schema": binary},
            },
        }
    }
