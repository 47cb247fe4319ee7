"""Keep secrets out of messages: tokens and the credentials some remote URLs carry."""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["redact"]

_URL_CREDENTIALS = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s]+@")
_MASK = "***"


def redact(text: str, secrets: Iterable[str | None] = ()) -> str:
    """``text`` with every secret and every ``user:password@`` part of a URL replaced by ``***``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, _MASK)
    return _URL_CREDENTIALS.sub(rf"\g<scheme>{_MASK}@", text)
