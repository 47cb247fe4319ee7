"""The one fast YAML loader class: libyaml's parser (when built), the safe constructors, and
YAML 1.2 number rules for floats.

PyYAML resolves scalars by YAML 1.1, where ``1e-05`` (no dot before the exponent) is a string.
ruamel.yaml, and so DVC reading ``params.yaml``, and a person writing ``tolerance: 1e-5`` in a
spec, mean a number. Every reader of specs and params uses :func:`safe_loader`, so a value means
the same to us as to DVC.
"""

from __future__ import annotations

import functools
import re
from typing import Any

__all__ = ["YAML12_FLOAT", "safe_loader"]

YAML12_FLOAT = re.compile(r"^[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE][-+]?[0-9]+$")
"""Exponent floats YAML 1.2 reads as numbers and YAML 1.1 does not (the rest agree)."""


@functools.cache
def safe_loader() -> Any:
    """A SafeLoader subclass (C parser when available) that also reads ``1e-05`` as a float."""
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Loader(base):  # type: ignore[misc,valid-type]  # libyaml's parser, Python's resolver
        pass

    Loader.add_implicit_resolver("tag:yaml.org,2002:float", YAML12_FLOAT, list("-+0123456789."))
    return Loader
