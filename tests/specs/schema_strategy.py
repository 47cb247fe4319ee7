"""Hypothesis strategies for documents that pass a spec kind's JSON Schema, built from the schema.

Covers the keywords the spec schemas use (type, enum, const, pattern, lengths, bounds,
properties, additionalProperties, required, oneOf/anyOf of required keys or of schemas, items,
uniqueItems); a schema using another keyword fails loudly here rather than generating wrong
documents.
"""

from __future__ import annotations

import math
from typing import Any

from hypothesis import strategies as st

__all__ = ["documents"]

_IGNORED = {"$schema", "$id", "title", "description", "x-enum-from"}
_HANDLED = {
    "type",
    "enum",
    "const",
    "pattern",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "properties",
    "additionalProperties",
    "required",
    "minProperties",
    "maxProperties",
    "items",
    "minItems",
    "maxItems",
    "uniqueItems",
    "oneOf",
    "anyOf",
}
# spec strings are YAML text: any printable character, no control characters or surrogates
_TEXT = st.text(st.characters(exclude_categories=["Cs", "Cc"]), max_size=12)
_NAME = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)


def documents(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    return _strategy(schema)


def _strategy(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    unknown = set(schema) - _HANDLED - _IGNORED
    assert not unknown, f"schema keywords this strategy does not know: {sorted(unknown)}"
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    if "anyOf" in schema and not _only_required(schema["anyOf"]):
        return st.one_of([_strategy(option) for option in schema["anyOf"]])
    kind = schema.get("type")
    if isinstance(kind, list):
        return st.one_of([_strategy({**schema, "type": k}) for k in kind])
    if kind == "object":
        return _object(schema)
    if kind == "array":
        return _array(schema)
    if kind == "string":
        return _string(schema)
    if kind == "integer":
        return st.integers(schema.get("minimum", -(10**6)), schema.get("maximum", 10**6))
    if kind == "number":
        return _number(schema)
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    raise AssertionError(f"no strategy for schema {schema}")


def _number(schema: dict[str, Any]) -> st.SearchStrategy[float | int]:
    """Whole and fractional numbers within the schema's bounds (YAML keeps the difference)."""
    low = schema.get("minimum", schema.get("exclusiveMinimum", -1e6))
    high = schema.get("maximum", schema.get("exclusiveMaximum", 1e6))
    floats = st.floats(
        low,
        high,
        exclude_min="exclusiveMinimum" in schema,
        exclude_max="exclusiveMaximum" in schema,
        allow_nan=False,
        allow_infinity=False,
    )
    first = math.floor(low) + 1 if "exclusiveMinimum" in schema else math.ceil(low)
    last = math.ceil(high) - 1 if "exclusiveMaximum" in schema else math.floor(high)
    if first > last:
        return floats
    return st.one_of(st.integers(first, last), floats)


def _string(schema: dict[str, Any]) -> st.SearchStrategy[str]:
    low, high = schema.get("minLength", 0), min(schema.get("maxLength", 40), 40)
    if "pattern" in schema:
        text = st.from_regex(schema["pattern"], fullmatch=True)
        return text.filter(lambda s: low <= len(s) <= schema.get("maxLength", 10**9))
    return _TEXT.filter(lambda s: low <= len(s) <= high)


def _array(schema: dict[str, Any]) -> st.SearchStrategy[list[Any]]:
    items = _strategy(schema.get("items", {"type": "string"}))
    return st.lists(
        items,
        min_size=schema.get("minItems", 0),
        max_size=min(schema.get("maxItems", 3), 3),
        unique_by=(lambda v: (type(v), v)) if schema.get("uniqueItems") else None,
    )


def _only_required(options: list[dict[str, Any]]) -> bool:
    return all(set(o) == {"required"} for o in options)


@st.composite
def _object(draw: st.DrawFn, schema: dict[str, Any]) -> dict[str, Any]:
    properties = schema.get("properties", {})
    required = set(schema.get("required", ()))
    excluded: set[str] = set()
    for rule in ("oneOf", "anyOf"):
        options = schema.get(rule)
        if not options:
            continue
        assert _only_required(options), f"{rule} of schemas on an object: {options}"
        keys = [o["required"][0] for o in options]
        chosen = draw(st.sampled_from(keys))
        required.add(chosen)
        if rule == "oneOf":
            excluded.update(k for k in keys if k != chosen)
    out: dict[str, Any] = {}
    for key, sub in properties.items():
        if key in excluded:
            continue
        if key in required or draw(st.booleans()):
            out[key] = draw(_strategy(sub))
    extra = schema.get("additionalProperties", True)
    if isinstance(extra, dict):
        low = schema.get("minProperties", 0)
        high = min(schema.get("maxProperties", 3), 3)
        more = draw(st.dictionaries(_NAME, _strategy(extra), min_size=low, max_size=high))
        out.update({k: v for k, v in more.items() if k not in out})
    return out
