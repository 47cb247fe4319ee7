"""Point a Dataset spec at a new data file: rewrite only its ``spec.source`` block.

The file is loaded round-trip (ruamel.yaml), so comments, key order, quoting and the other
documents of a multi-document file stay as they were. A comment on the old source's own line
describes the old source and goes; comments on the lines after it (about the next key) stay.
"""

from __future__ import annotations

import io
from typing import Any

from mlops_gitops.errors import DriftError
from mlops_gitops.io.yamlfile import roundtrip_yaml

__all__ = ["set_source_path"]


def set_source_path(text: str, dataset: str, path: str, *, file: str = "the spec") -> str:
    """``text`` with the Dataset ``dataset``'s ``spec.source`` replaced by ``{path: <path>}``."""
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.error import YAMLError

    yaml = roundtrip_yaml()
    try:
        documents = list(yaml.load_all(text))
    except YAMLError as error:
        raise DriftError(f"{file} is not valid YAML: {error}", f"fix {file}") from error
    target = next((d for d in documents if _is_dataset(d, dataset)), None)
    if target is None:
        raise DriftError(
            f"{file} holds no Dataset named {dataset!r}",
            "run `mlops validate` to see where the specs are",
        )
    spec = target["spec"]
    old = spec.get("source")
    if isinstance(old, CommentedMap):
        trailing = _without_inline(old.ca.items.get(list(old)[-1])) if old else None
        for key in list(old):
            del old[key]
        old["path"] = path
        if trailing is not None:
            old.ca.items["path"] = trailing
    else:
        spec["source"] = CommentedMap(path=path)
    if "source" in spec.ca.items:  # a flow-style block's comments hang on its key
        kept = _without_inline(spec.ca.items["source"])
        if kept is None:
            del spec.ca.items["source"]
    out = io.StringIO()
    yaml.explicit_start = text.lstrip().startswith("---") or None
    yaml.dump_all(documents, out)
    return out.getvalue()


def _is_dataset(document: Any, name: str) -> bool:
    return (
        isinstance(document, dict)
        and document.get("kind") == "Dataset"
        and isinstance(document.get("metadata"), dict)
        and document["metadata"].get("name") == name
        and isinstance(document.get("spec"), dict)
    )


def _without_inline(entry: Any) -> Any:
    """A comment entry after a value, without the part on that value's own line (changed in
    place); None when nothing is left."""
    token = entry[2] if entry and len(entry) > 2 else None
    if token is None:
        return None
    value: str = token.value
    if value.startswith("#"):  # "# about the old value\n  # about the next key\n"
        rest = value.split("\n", 1)[1] if "\n" in value else ""
        if not rest.strip():
            return None
        token.value = "\n" + rest
    return entry
