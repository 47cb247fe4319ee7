"""JSON Schema validation of spec documents, with messages a person can act on.

One schema per kind ships as package data (``schemas/<kind>.json``, draft 2020-12). Every error is
collected; each names what was found and what is allowed, and points at the offending key (for an
unknown field) or value.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping
from functools import cache
from importlib import resources
from typing import Any

from mlops_gitops.errors import did_you_mean
from mlops_gitops.specs.diagnostics import Diagnostic
from mlops_gitops.specs.models import API_VERSION
from mlops_gitops.specs.yamlpos import Document

__all__ = ["KINDS", "check_document", "schema_for", "schemas"]

KINDS = ("Problem", "Dataset", "Experiment", "Deployment")
SLUG_PATTERN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"


@cache
def schemas() -> Mapping[str, dict[str, Any]]:
    """Kind -> its JSON Schema."""
    folder = resources.files("mlops_gitops.specs") / "schemas"
    return {kind: json.loads((folder / f"{kind.lower()}.json").read_text()) for kind in KINDS}


def schema_for(kind: str) -> dict[str, Any]:
    return schemas()[kind]


@cache
def _fast_check(kind: str) -> Any:
    """A compiled validator that only says valid or not (fastjsonschema: ~5x faster). Valid
    documents, nearly all of them, never reach the slower validator that explains errors.
    The code is generated ahead of time (``specs/compiled/``); compiling here is the fallback."""
    import importlib

    try:
        module = importlib.import_module(f"mlops_gitops.specs.compiled.{kind.lower()}")
    except ImportError:
        module = None
    if module is not None:
        from mlops_gitops.specs.compile_schemas import schema_digest

        if getattr(module, "SCHEMA_SHA256", None) == schema_digest(kind):
            return module.validate
    import fastjsonschema

    return fastjsonschema.compile(schema_for(kind))


def _is_valid(kind: str, data: Any) -> bool:
    from fastjsonschema import JsonSchemaException

    try:
        _fast_check(kind)(data)
    except JsonSchemaException:
        return False
    return True


@cache
def _validator(kind: str) -> Any:
    from jsonschema import Draft202012Validator

    schema = schema_for(kind)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def describe(value: Any) -> str:
    """How a found value is named in messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, int | float):
        return f"a number ({value!r})"
    if isinstance(value, str):
        return f"{value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__  # pragma: no cover - YAML gives no other types


def check_document(doc: Document) -> tuple[str | None, list[Diagnostic]]:
    """The document's kind if it is a valid spec, and the diagnostics either way."""
    data = doc.data
    if not isinstance(data, dict):
        return None, [
            doc.diagnostic(
                (),
                "a spec document must be a mapping with apiVersion, kind, metadata and spec; "
                f"found {describe(data)}",
            )
        ]
    problems: list[Diagnostic] = []
    api_version = data.get("apiVersion")
    if api_version != API_VERSION:
        found = "nothing" if api_version is None else describe(api_version)
        problems.append(
            doc.diagnostic(
                ("apiVersion",), f"unknown apiVersion: found {found}; expected {API_VERSION!r}"
            )
        )
    kind = data.get("kind")
    if kind not in KINDS:
        found = "nothing" if kind is None else describe(kind)
        hint = did_you_mean(kind, KINDS) if isinstance(kind, str) else ""
        problems.append(
            doc.diagnostic(
                ("kind",), f"unknown kind: found {found}; allowed: {', '.join(KINDS)}{hint}"
            )
        )
        return None, problems
    non_finite = [
        doc.diagnostic(path, f"found {_yaml_number(value)}; numbers must be finite")
        for path, value in _non_finite(data, ())
    ]
    problems.extend(non_finite)
    if problems or not _is_valid(kind, data):
        for error in _validator(kind).iter_errors(data):
            if isinstance(error.instance, float) and not math.isfinite(error.instance):
                continue  # reported once, above
            problems.extend(_to_diagnostics(doc, error))
    return (kind if not problems else None), problems


def _non_finite(value: Any, path: tuple[str | int, ...]) -> Iterator[tuple[Any, float]]:
    """Every NaN or infinity in a document (YAML's .nan and .inf): no setting takes them, and
    JSON Schema's minimum and maximum let NaN through (every comparison with NaN is false)."""
    if isinstance(value, float) and not math.isfinite(value):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _non_finite(item, (*path, str(key)))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _non_finite(item, (*path, i))


def _yaml_number(value: float) -> str:
    if math.isnan(value):
        return ".nan"
    return ".inf" if value > 0 else "-.inf"


def _to_diagnostics(doc: Document, error: Any) -> Iterator[Diagnostic]:
    path = tuple(error.absolute_path)
    validator = error.validator
    schema = error.schema
    instance = error.instance
    if validator == "additionalProperties" and isinstance(instance, dict):
        allowed = sorted(schema.get("properties", {}))
        for key in sorted(set(instance) - set(allowed)):
            yield doc.diagnostic(
                (*path, key),
                f"unknown field {key!r}; allowed: {', '.join(allowed)}{did_you_mean(key, allowed)}",
                key=True,
            )
        return
    if validator == "required":
        missing = [k for k in error.validator_value if k not in instance]
        for key in missing:
            yield doc.diagnostic(path, f"missing required field {key!r}")
        return
    if validator == "enum":
        options = [str(o) for o in error.validator_value]
        word = instance if isinstance(instance, str) else ""
        if path[-1:] == ("estimator",):
            yield doc.diagnostic(
                path,
                f"estimator {describe(instance)} is not in the catalogue (specs name estimators "
                f"from it, never import paths); allowed: {', '.join(options)}"
                f"{did_you_mean(word, options)}",
            )
            return
        suggestion = did_you_mean(word, options)
        yield doc.diagnostic(
            path, f"found {describe(instance)}; allowed: {', '.join(options)}{suggestion}"
        )
        return
    if validator == "const":
        yield doc.diagnostic(
            path, f"found {describe(instance)}; expected {error.validator_value!r}"
        )
        return
    if validator == "type":
        expected = error.validator_value
        expected = " or ".join(expected) if isinstance(expected, list) else expected
        yield doc.diagnostic(path, f"expected {_article(expected)}, found {describe(instance)}")
        return
    if validator == "pattern":
        if error.validator_value == SLUG_PATTERN:
            yield doc.diagnostic(
                path,
                f"{describe(instance)} is not a valid name: use lower-case letters, digits and "
                "'-', starting and ending with a letter or digit",
            )
        else:
            what = schema.get("description", f"the pattern {error.validator_value}")
            yield doc.diagnostic(path, f"{describe(instance)} does not fit: {what}")
        return
    if validator in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        sign = {"minimum": ">=", "maximum": "<=", "exclusiveMinimum": ">", "exclusiveMaximum": "<"}
        yield doc.diagnostic(
            path, f"must be {sign[validator]} {error.validator_value}, found {instance!r}"
        )
        return
    if validator in ("minItems", "minProperties", "minLength"):
        yield doc.diagnostic(path, "must not be empty")
        return
    if validator in ("maxItems", "maxProperties"):
        count = len(instance) if isinstance(instance, list | dict) else 0
        what = "items" if validator == "maxItems" else "entries"
        yield doc.diagnostic(path, f"has {count:,} {what}; the limit is {error.validator_value:,}")
        return
    if validator == "maxLength":
        yield doc.diagnostic(path, f"is longer than {error.validator_value} characters")
        return
    if validator == "uniqueItems":
        yield doc.diagnostic(path, "items must be unique")
        return
    if validator in ("oneOf", "anyOf"):
        options = error.validator_value
        keys = [next(iter(o["required"])) for o in options if set(o) == {"required"}]
        if keys and len(keys) == len(options) and isinstance(instance, dict):
            present = [k for k in keys if k in instance]
            found = ", ".join(present) if present else "none"
            rule = "exactly one" if validator == "oneOf" else "at least one"
            yield doc.diagnostic(path, f"give {rule} of: {', '.join(keys)} (found: {found})")
            return
        if path and path[-2:-1] == ("params",):
            yield doc.diagnostic(
                path,
                f"found {describe(instance)}; a hyperparameter is a value, a list of choices, "
                "or a range {low, high, log}",
            )
            return
        best = error.context[0].message if error.context else error.message
        yield doc.diagnostic(path, best)
        return
    yield doc.diagnostic(path, error.message)  # pragma: no cover - every validator used is above


def _article(word: str) -> str:
    return f"an {word}" if word[:1] in "aeiou" else f"a {word}"
