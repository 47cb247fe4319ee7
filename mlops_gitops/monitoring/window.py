"""Parse monitoring windows such as ``7d``, ``12h``, ``30m`` or ``2w`` into a ``timedelta``."""

from __future__ import annotations

import re
from datetime import timedelta

from mlops_gitops.errors import DriftError

__all__ = ["parse_window"]

_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_PATTERN = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")


def parse_window(text: str) -> timedelta:
    """``"7d"`` -> ``timedelta(days=7)``; units s, m, h, d, w; the number must be positive."""
    match = _PATTERN.match(text)
    if match is None or int(match.group(1)) == 0:
        raise DriftError(
            f"The window must be a positive whole number followed by a unit (s, m, h, d or w), "
            f"such as 7d, 12h, 30m or 2w. Got {text!r} instead.",
            "fix `monitoring.window` in the Deployment spec (or the --window option)",
        )
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
