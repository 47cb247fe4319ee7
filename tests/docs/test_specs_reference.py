"""docs/specs.md is rendered from the JSON Schemas: every field, type, rule and description."""

from __future__ import annotations

from typing import Any

from mlops_gitops.docsgen import render_specs_reference
from mlops_gitops.specs.schema import KINDS, schemas


def leaf_paths(schema: dict[str, Any], path: str = "") -> list[str]:
    """Every property path in a schema, the way the reference names them."""
    found = []
    for key, sub in schema.get("properties", {}).items():
        child = f"{path}.{key}" if path else key
        found.append(child)
        found += leaf_paths(sub, child)
        items = sub.get("items")
        if isinstance(items, dict):
            found += leaf_paths(items, f"{child}[]")
        extra = sub.get("additionalProperties")
        if isinstance(extra, dict):
            found.append(f"{child}.<name>")
            found += leaf_paths(extra, f"{child}.<name>")
    return found


def test_every_field_of_every_kind_has_a_row() -> None:
    text = render_specs_reference(schemas())
    for kind in KINDS:
        assert f"\n## {kind}\n" in text
        for path in leaf_paths(schemas()[kind]):
            assert f"| `{path}` |" in text, path


def test_a_row_carries_type_required_allowed_default_and_description() -> None:
    schema = {
        "title": "Thing",
        "description": "A thing.",
        "type": "object",
        "required": ["spec"],
        "properties": {
            "spec": {
                "type": "object",
                "required": ["size"],
                "properties": {
                    "size": {
                        "type": "integer",
                        "minimum": 1,
                        "maximum": 9,
                        "default": 3,
                        "description": "How big | how many.",
                    },
                    "mode": {"enum": ["a", "b"]},
                    "tags": {"type": "array", "items": {"type": "string"}, "uniqueItems": True},
                    "source": {
                        "type": "object",
                        "properties": {"x": {"type": "string"}, "y": {"type": "string"}},
                        "oneOf": [{"required": ["x"]}, {"required": ["y"]}],
                    },
                },
            }
        },
    }
    text = render_specs_reference({"Thing": schema})
    assert "\n## Thing\n\nA thing.\n" in text
    assert "| `spec.size` | integer | yes | >= 1; <= 9 | `3` | How big \\| how many. |" in text
    assert "| `spec.mode` | string |  | `a`, `b` |  |  |" in text
    assert "| `spec.tags` | list of string |  | no duplicates |  |  |" in text
    assert "| `spec.source` | mapping |  | exactly one of: `x`, `y` |  |  |" in text


def test_the_reference_is_stable() -> None:
    assert render_specs_reference(schemas()) == render_specs_reference(schemas())
