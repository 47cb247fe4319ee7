"""The spec shape, written once: document keys <-> dataclass fields, both ways.

A spec kind's fields are its frozen dataclass in :mod:`mlops_gitops.specs.models` and its JSON
Schema; nothing else lists them. A field's document key is its name in camelCase
(``cv_folds`` -> ``cvFolds``) unless its :class:`FieldShape` (dataclass field metadata, set with
:func:`shape`) names another. :func:`from_doc` builds typed objects from a schema-valid
document (the spec files and the params.yaml blocks the stages read); :func:`to_params` writes
the params.yaml block back, and :func:`to_doc` the whole ``spec`` document. Nested dataclasses,
tuples, read-only mappings, optional fields and defaults follow from the field types, so adding
a field to a kind is one schema edit and one dataclass field.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar, get_args, get_origin

__all__ = ["FieldShape", "camel", "doc_key", "from_doc", "shape", "to_doc", "to_params"]

T = TypeVar("T")
SHAPE = "mlops_gitops.shape"
"""The field-metadata key holding a field's :class:`FieldShape`."""


@dataclass(frozen=True)
class FieldShape:
    """How one dataclass field appears in a spec document and in params.yaml."""

    key: str | None = None
    """The document key when it is not the camelCase name; dotted for a nested key
    (``auth.tokenEnv``)."""
    envelope: bool = False
    """Not under ``spec``: ``metadata``, the source position and ``kind``."""
    params: bool = True
    """Written to params.yaml. Descriptive text is not: changing it re-runs no stage."""
    omit_default: bool = False
    """Left out of params.yaml while at its default (a field added after the block was first
    rendered, so older params.yaml files keep their bytes)."""
    always: bool = False
    """Written to params.yaml even when empty: a stage depends on the key."""
    keyed_by: str | None = None
    """A tuple of dataclasses written as a mapping from this field of each to the rest."""
    fallback: str | None = None
    """When the key is absent, the value of this other key of the same document."""
    number: bool = False
    """Read as a float: params.yaml holds ``1e-05`` as the renderer writes it, which YAML 1.1
    reads as a string (the schema checked the spec's number, so it is a number either way)."""


def shape(**options: Any) -> dict[str, FieldShape]:
    """Field metadata: ``field(default=..., metadata=shape(key="usernameEnv"))``."""
    return {SHAPE: FieldShape(**options)}


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


@dataclass(frozen=True)
class _Field:
    name: str
    type: Any
    key: tuple[str, ...]
    shape: FieldShape
    default: Any


_FIELDS: dict[type, tuple[_Field, ...]] = {}


def _fields(cls: type) -> tuple[_Field, ...]:
    """``cls``'s fields with their resolved types, keys and shapes (worked out once a class)."""
    if cls not in _FIELDS:
        _FIELDS[cls] = _fields_of(cls)
    return _FIELDS[cls]


def _fields_of(cls: type) -> tuple[_Field, ...]:
    hints = typing.get_type_hints(cls)
    out = []
    for f in dataclasses.fields(cls):
        fs = f.metadata.get(SHAPE, FieldShape())
        default = f.default
        if f.default_factory is not dataclasses.MISSING:
            default = f.default_factory()
        key = tuple((fs.key or camel(f.name)).split("."))
        out.append(_Field(f.name, hints[f.name], key, fs, default))
    return tuple(out)


def doc_key(cls: type, name: str) -> str:
    """The document key of ``cls``'s field ``name`` (dotted when nested)."""
    return ".".join(next(f.key for f in _fields(cls) if f.name == name))


# --------------------------------------------------------------------------- document -> objects


def _lookup(doc: Mapping[str, Any], key: tuple[str, ...]) -> tuple[bool, Any]:
    node: Any = doc
    for part in key:
        if not isinstance(node, Mapping) or part not in node:
            return False, None
        node = node[part]
    return True, node


def from_doc(cls: type[T], doc: Mapping[str, Any], **given: Any) -> T:
    """A ``cls`` from a schema-valid document; absent keys keep the dataclass defaults, and
    ``given`` fields (the envelope: metadata, source) are taken as they are."""
    hook = getattr(cls, "from_doc", None)
    if hook is not None:
        return hook(doc)  # type: ignore[no-any-return]
    values = dict(given)
    for f in _fields(cls):
        if f.name in values or f.shape.envelope:
            continue
        found, raw = _lookup(doc, f.key)
        if not found and f.shape.fallback is not None:
            found, raw = _lookup(doc, (f.shape.fallback,))
        if found:
            values[f.name] = _read(f, raw)
    return cls(**values)


def _read(f: _Field, raw: Any) -> Any:
    if f.shape.number and raw is not None:
        return float(raw)
    if f.shape.keyed_by is not None:
        (item,) = {a for a in get_args(f.type) if a is not Ellipsis}
        return tuple(from_doc(item, body, **{f.shape.keyed_by: k}) for k, body in raw.items())
    return _convert(f.type, raw)


def _is_mapping_type(tp: Any) -> bool:
    origin = get_origin(tp) or tp
    return isinstance(origin, type) and issubclass(origin, Mapping)


def _fits(tp: Any, raw: Any) -> bool:
    """Whether one arm of a union takes this document value."""
    if dataclasses.is_dataclass(tp) or _is_mapping_type(tp):
        return isinstance(raw, Mapping)
    if get_origin(tp) is tuple:
        return isinstance(raw, list | tuple)
    return not isinstance(raw, Mapping | list | tuple)


def _convert(tp: Any, raw: Any) -> Any:
    if raw is None:
        return None
    origin = get_origin(tp)
    if origin is types.UnionType or origin is typing.Union:
        arm = next((a for a in get_args(tp) if a is not type(None) and _fits(a, raw)), None)
        return raw if arm is None else _convert(arm, raw)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return from_doc(tp, raw)
    if origin is tuple:
        item = get_args(tp)[0]
        return tuple(_convert(item, v) for v in raw)
    if _is_mapping_type(tp):
        value_type = get_args(tp)[1]
        return types.MappingProxyType({k: _convert(value_type, v) for k, v in raw.items()})
    return raw


# --------------------------------------------------------------------------- objects -> params.yaml

_EMPTY: tuple[Any, ...] = ({}, [], ())


def to_params(obj: Any) -> dict[str, Any]:
    """``obj``'s params.yaml block: document keys in field order, descriptive fields left out,
    unset (``None``) and empty fields left out unless the field is marked ``always``."""
    return _to_block(obj, whole=False)


def to_doc(obj: Any) -> dict[str, Any]:
    """``obj`` as its ``spec`` document: :func:`to_params` with the descriptive fields and the
    defaults it omits, so ``from_doc(type(obj), to_doc(obj), <envelope>) == obj``."""
    return _to_block(obj, whole=True)


def _to_block(obj: Any, *, whole: bool) -> dict[str, Any]:
    hook = getattr(obj, "to_doc", None)
    if hook is not None:
        return hook()  # type: ignore[no-any-return]
    block: dict[str, Any] = {}
    for f in _fields(type(obj)):
        if f.shape.envelope or not (f.shape.params or whole):
            continue
        value = getattr(obj, f.name)
        if f.shape.omit_default and not whole and value == f.default:
            continue
        if f.shape.keyed_by is not None:
            rendered: Any = {
                getattr(item, f.shape.keyed_by): _without(
                    _to_block(item, whole=whole), f.shape.keyed_by
                )
                for item in value
            }
        else:
            rendered = _render(value, whole)
        if (rendered is None or rendered in _EMPTY) and not f.shape.always:
            continue
        _put(block, f.key, rendered)
    return block


def _without(block: dict[str, Any], field_name: str) -> dict[str, Any]:
    key = camel(field_name)
    return {k: v for k, v in block.items() if k != key}


def _render(value: Any, whole: bool) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _to_block(value, whole=whole)
    if isinstance(value, tuple | list):
        return [_render(v, whole) for v in value]
    if isinstance(value, Mapping):
        return {k: _render(v, whole) for k, v in value.items()}
    return value


def _put(block: dict[str, Any], key: tuple[str, ...], value: Any) -> None:
    node = block
    for part in key[:-1]:
        node = node.setdefault(part, {})
    node[key[-1]] = value
