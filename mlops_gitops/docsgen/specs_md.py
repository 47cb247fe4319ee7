"""docs/specs.md: the spec reference, generated from the JSON Schemas of the spec kinds.

Every field gets a row: its path in the document, type, whether it is required, the values the
schema allows, the schema's default, and its description. Nothing is written by hand, so the
reference cannot drift from what ``mlops validate`` enforces.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from mlops_gitops.docsgen.markdown import code, table

__all__ = ["render_specs_reference"]

Schema = Mapping[str, Any]
Row = tuple[str, str, str, str, str, str]

HEADER = ("field", "type", "required", "allowed", "default", "description")


def render_specs_reference(schemas: Mapping[str, Schema]) -> str:
    """Markdown for every kind in ``schemas`` (kind -> JSON Schema), in the given order."""
    out = [
        "# Spec reference",
        "",
        "<!-- Generated from mlops_gitops/specs/schemas/*.json by `python -m "
        "mlops_gitops.docsgen`. Do not edit by hand. -->",
        "",
        "Every spec is a YAML document with `apiVersion`, `kind`, `metadata` and `spec`, like a "
        "Kubernetes resource. `mlops validate` checks specs against these schemas; `mlops schema "
        "export DIR` writes them for editors (`# yaml-language-server: $schema=...`).",
        "",
        "Paths: `a.b` is field `b` inside mapping `a`; `a[]` is an item of list `a`; `a.<name>` "
        "is a key you choose.",
        "",
    ]
    out += [f"- [{kind}](#{kind.lower()})" for kind in schemas]
    for kind, schema in schemas.items():
        out += ["", f"## {kind}", ""]
        if schema.get("description"):
            out += [str(schema["description"]), ""]
        rows = list(_rows(schema, "", required=True))
        out += table(HEADER, rows)
    return "\n".join(out) + "\n"


def _rows(schema: Schema, path: str, *, required: bool) -> Iterator[Row]:
    if path:
        yield (
            code(path),
            _type(schema),
            "yes" if required else "",
            _allowed(schema),
            code(_json(schema["default"])) if "default" in schema else "",
            str(schema.get("description", "")),
        )
    yield from _children(schema, path)


def _children(schema: Schema, path: str) -> Iterator[Row]:
    needed = set(schema.get("required", ()))
    for key, sub in schema.get("properties", {}).items():
        yield from _rows(sub, f"{path}.{key}" if path else key, required=key in needed)
    extra = schema.get("additionalProperties")
    if isinstance(extra, Mapping):
        yield from _rows(extra, f"{path}.<name>", required=False)
    items = schema.get("items")
    if isinstance(items, Mapping) and _is_structured(items):
        yield from _children(items, f"{path}[]")
    for option in _alternatives(schema):
        if _is_structured(option):
            yield from _children(option, path)


def _is_structured(schema: Schema) -> bool:
    return bool(schema.get("properties")) or isinstance(schema.get("additionalProperties"), Mapping)


def _alternatives(schema: Schema) -> list[Schema]:
    """The branches of a oneOf/anyOf that are whole schemas (not just `required` rules)."""
    options = schema.get("oneOf", []) + schema.get("anyOf", [])
    return [o for o in options if set(o) != {"required"}]


def _type(schema: Schema) -> str:
    if "const" in schema:
        return _json_type(schema["const"])
    if "enum" in schema:
        kinds = sorted({_json_type(v) for v in schema["enum"]})
        return " or ".join(kinds)
    declared = schema.get("type")
    if declared is None:
        options = _alternatives(schema)
        return " or ".join(_type(o) for o in options) if options else "any"
    names = declared if isinstance(declared, list) else [declared]
    if names == ["array"] and isinstance(schema.get("items"), Mapping):
        return f"list of {_type(schema['items'])}"
    extra = schema.get("additionalProperties")
    if names == ["object"] and isinstance(extra, Mapping) and not schema.get("properties"):
        return f"mapping of name to {_type(extra)}"
    return " or ".join("mapping" if n == "object" else n for n in names)


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "null" if value is None else type(value).__name__


def _allowed(schema: Schema) -> str:
    parts: list[str] = []
    if "const" in schema:
        parts.append(code(_json(schema["const"])))
    if "enum" in schema:
        parts.append(", ".join(code(_json(v)) for v in schema["enum"]))
    bounds = {"minimum": ">=", "exclusiveMinimum": ">", "maximum": "<=", "exclusiveMaximum": "<"}
    parts += [f"{sign} {_json(schema[key])}" for key, sign in bounds.items() if key in schema]
    if "pattern" in schema:
        parts.append(f"matches {code(schema['pattern'])}")
    if schema.get("minLength") == 1 or schema.get("minItems") == 1:
        parts.append("not empty")
    elif "minItems" in schema:
        parts.append(f"at least {schema['minItems']} items")
    if "maxLength" in schema:
        parts.append(f"at most {schema['maxLength']} characters")
    if schema.get("minProperties") == 1:
        parts.append("at least one entry")
    if schema.get("uniqueItems"):
        parts.append("no duplicates")
    parts += _required_rules(schema)
    items = schema.get("items")
    if isinstance(items, Mapping):
        parts += [f"each item: {rule}" for rule in _required_rules(items)]
    return "; ".join(parts)


def _required_rules(schema: Schema) -> list[str]:
    """``oneOf``/``anyOf`` branches that only require a key, as one sentence each."""
    rules = []
    for word, rule in (("oneOf", "exactly one of"), ("anyOf", "at least one of")):
        keys = [next(iter(o["required"])) for o in schema.get(word, []) if set(o) == {"required"}]
        if keys:
            rules.append(f"{rule}: {', '.join(code(k) for k in keys)}")
    return rules


def _json(value: Any) -> str:
    return json.dumps(value) if not isinstance(value, str) else value
