"""One reported problem in a spec file, printed as ``file:line:col: path: message``."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Literal

__all__ = ["Diagnostic", "format_diagnostics", "json_path"]

Format = Literal["text", "json", "github"]


@dataclass(frozen=True, order=True)
class Diagnostic:
    file: str
    line: int
    column: int
    path: str
    message: str
    category: Literal["syntax", "schema", "reference", "data"] = "schema"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


def json_path(parts: Sequence[str | int]) -> str:
    """``("spec", "candidates", 0, "estimator")`` -> ``spec.candidates[0].estimator``."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part.replace("_", "").replace("-", "").isalnum():
            out += f".{part}" if out else part
        else:
            out += f"[{json.dumps(part)}]"
    return out


def _github_escape(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def format_diagnostics(diagnostics: Iterable[Diagnostic], fmt: Format) -> str:
    items = sorted(diagnostics)
    if fmt == "json":
        return json.dumps({"valid": not items, "errors": [asdict(d) for d in items]}, indent=2)
    if fmt == "github":
        return "\n".join(
            f"::error file={d.file},line={d.line},col={d.column},title=mlops validate::"
            + _github_escape(f"{d.path}: {d.message}" if d.path else d.message)
            for d in items
        )
    return "\n".join(str(d) for d in items)
