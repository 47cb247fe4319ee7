"""Parse YAML into plain Python values while remembering where each value and key stands.

PyYAML composes the text into nodes that carry marks; we walk the nodes ourselves so that every
value gets its JSON path and 1-based line and column. Specs come from pull requests, so the walk
is defensive: only the YAML core tags, no duplicate keys, and a budget on how many nodes aliases
may expand to (a "billion laughs" document fails fast instead of eating memory).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

from mlops_gitops.io.yaml_loader import safe_loader
from mlops_gitops.specs.diagnostics import Diagnostic, json_path

__all__ = ["MAX_FILE_BYTES", "MAX_NODES", "Document", "Path", "parse_documents"]

Path = tuple[str | int, ...]
MAX_NODES = 100_000
MAX_FILE_BYTES = 2 * 1024 * 1024

_Loader: type[yaml.SafeLoader] = safe_loader()  # C parser when built; 1e-05 is a number
_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}
_constructor = yaml.SafeLoader("")  # used only for its scalar constructors


@dataclass
class Document:
    """One YAML document: its value, and the position of every value and mapping key in it."""

    file: str
    index: int
    data: Any
    line: int
    column: int
    positions: dict[Path, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[Path, tuple[int, int]] = field(default_factory=dict)

    def position(self, path: Path, *, key: bool = False) -> tuple[int, int]:
        """Where ``path`` stands; its key when ``key``; else the nearest enclosing value."""
        if key and path in self.key_positions:
            return self.key_positions[path]
        probe = path
        while probe:
            if probe in self.positions:
                return self.positions[probe]
            probe = probe[:-1]
        return self.line, self.column

    def diagnostic(
        self, path: Path, message: str, *, key: bool = False, category: str = "schema"
    ) -> Diagnostic:
        line, column = self.position(path, key=key)
        return Diagnostic(self.file, line, column, json_path(path), message, category)  # type: ignore[arg-type]


class _Invalid(Exception):
    def __init__(self, node: yaml.Node, message: str) -> None:
        super().__init__(message)
        self.node = node
        self.message = message


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


class _Walker:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.budget = MAX_NODES

    def value(self, node: yaml.Node, path: Path) -> Any:
        self.budget -= 1
        if self.budget < 0:
            raise _Invalid(
                node,
                f"the document expands to more than {MAX_NODES} values through YAML aliases "
                "(an alias bomb?); write the values out or use fewer aliases",
            )
        self.doc.positions.setdefault(path, _mark(node))
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != "tag:yaml.org,2002:seq":
                raise _Invalid(node, f"unsupported YAML tag {node.tag!r}; use plain YAML lists")
            return [self.value(item, (*path, i)) for i, item in enumerate(node.value)]
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, path)
        raise _Invalid(node, "unsupported YAML node")  # pragma: no cover - PyYAML has no other kind

    def scalar(self, node: yaml.ScalarNode) -> Any:
        if node.tag not in _SCALAR_TAGS:
            raise _Invalid(node, f"unsupported YAML tag {node.tag!r}; specs use plain YAML values")
        if node.tag == "tag:yaml.org,2002:timestamp":
            return node.value  # keep dates as the text the person wrote
        return _constructor.yaml_constructors[node.tag](_constructor, node)

    def mapping(self, node: yaml.MappingNode, path: Path) -> dict[str, Any]:
        if node.tag != "tag:yaml.org,2002:map":
            raise _Invalid(node, f"unsupported YAML tag {node.tag!r}; use plain YAML mappings")
        if any(k.tag == "tag:yaml.org,2002:merge" for k, _ in node.value):
            _constructor.flatten_mapping(node)
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise _Invalid(key_node, "a mapping key must be a plain string")
            key = self.scalar(key_node)
            if not isinstance(key, str):
                key = str(key_node.value)
            child = (*path, key)
            if key in out:
                line, _ = self.doc.key_positions[child]
                raise _Invalid(key_node, f"duplicate key {key!r} (first given on line {line})")
            self.doc.key_positions[child] = _mark(key_node)
            out[key] = self.value(value_node, child)
        return out


def parse_documents(text: str, file: str) -> tuple[list[Document], list[Diagnostic]]:
    """Every document in ``text`` (empty ones skipped), or diagnostics for what can't be read."""
    if len(text.encode("utf-8", errors="replace")) > MAX_FILE_BYTES:
        return [], [
            Diagnostic(file, 1, 1, "", f"file is larger than {MAX_FILE_BYTES} bytes", "syntax")
        ]
    documents: list[Document] = []
    try:
        for index, node in enumerate(_compose_all(text)):
            if node is None:
                continue
            line, column = _mark(node)
            doc = Document(file, index, None, line, column)
            try:
                doc.data = _Walker(doc).value(node, ())
            except _Invalid as invalid:
                bad_line, bad_column = _mark(invalid.node)
                return documents, [
                    Diagnostic(file, bad_line, bad_column, "", invalid.message, "syntax")
                ]
            documents.append(doc)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = " ".join(p for p in (error.context, error.problem) if p)
        return documents, [Diagnostic(file, line, column, "", f"invalid YAML: {what}", "syntax")]
    except yaml.YAMLError as error:
        return documents, [Diagnostic(file, 1, 1, "", f"invalid YAML: {error}", "syntax")]
    except RecursionError:
        return documents, [Diagnostic(file, 1, 1, "", "invalid YAML: nested too deeply", "syntax")]
    return documents, []


def _compose_all(text: str) -> Iterator[yaml.Node | None]:
    loader = _Loader(text)
    try:
        while loader.check_node():
            yield loader.get_node()
    finally:
        loader.dispose()
