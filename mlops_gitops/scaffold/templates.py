"""Read the package's template files and fill their ``@@TOKEN@@`` placeholders.

Templates use ``@@TOKEN@@`` rather than ``{...}`` or ``$...`` because the files they produce
(GitHub workflows, shell scripts) are full of braces and dollars of their own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from importlib import resources

__all__ = ["fill", "read_template"]

_TOKEN = re.compile(r"@@([A-Z_]+)@@")


def read_template(name: str) -> str:
    """The text of ``mlops_gitops/templates/<name>`` (a ``/``-separated path)."""
    node = resources.files("mlops_gitops") / "templates"
    for part in name.split("/"):
        node = node / part
    return node.read_text(encoding="utf-8")


def fill(text: str, values: Mapping[str, str]) -> str:
    """Replace every ``@@TOKEN@@``; a token without a value is a bug in the caller."""

    def replace(match: re.Match[str]) -> str:
        token = match.group(1)
        if token not in values:
            raise KeyError(f"template token @@{token}@@ has no value")
        return values[token]

    return _TOKEN.sub(replace, text)
