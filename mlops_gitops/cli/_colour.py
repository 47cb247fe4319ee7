"""Colour for people at a terminal, none for pipes, files or ``NO_COLOR`` (https://no-color.org).

``use_colour(stream)`` decides once per command; ``paint`` wraps text in an ANSI style only when
told to, so the plain text (what tests, CI logs and pipes see) is the same either way.
"""

from __future__ import annotations

import os
import sys
from typing import TextIO

__all__ = ["STYLES", "paint", "use_colour"]

STYLES = {
    "green": "32",
    "yellow": "33",
    "red": "31",
    "cyan": "36",
    "dim": "2",
    "bold": "1",
}


def use_colour(stream: TextIO | None = None) -> bool:
    """True when ``stream`` (default stdout) is a terminal, ``NO_COLOR`` is unset or empty and
    ``TERM`` is not ``dumb``."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("TERM") == "dumb":
        return False
    target = sys.stdout if stream is None else stream
    isatty = getattr(target, "isatty", None)
    return bool(isatty and isatty())


def paint(text: str, style: str, enabled: bool) -> str:
    if not enabled or not text:
        return text
    return f"\x1b[{STYLES[style]}m{text}\x1b[0m"
