"""Plain-text tables and numbers for people (JSON keeps full precision)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["human_number", "text_table"]


def human_number(value: Any, digits: int = 4) -> str:
    """A float to ``digits`` significant digits (``0.13292918943162169`` -> ``0.1329``);
    anything else as ``str``."""
    if isinstance(value, bool) or not isinstance(value, float):
        return str(value)
    return f"{value:.{digits}g}"


def text_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Columns padded to their widest cell, a rule under the header; right-aligned numbers."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]

    def line(cells: Sequence[str], numeric: Sequence[bool]) -> str:
        return "  ".join(
            c.rjust(w) if n else c.ljust(w) for c, w, n in zip(cells, widths, numeric, strict=True)
        ).rstrip()

    numeric = [all(_is_number(r[i]) for r in rows) and bool(rows) for i in range(len(header))]
    out = [line(header, numeric), "  ".join("-" * w for w in widths)]
    out += [line(r, numeric) for r in rows]
    return "\n".join(out) + "\n"


def _is_number(text: str) -> bool:
    try:
        float(text.lstrip("+"))
    except ValueError:
        return False
    return True
