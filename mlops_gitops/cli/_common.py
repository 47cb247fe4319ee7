"""Helpers shared by command modules: the project root and output formats."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

__all__ = ["add_format", "print_json", "project_root"]


def project_root(args: argparse.Namespace) -> Path:
    return Path(getattr(args, "project", ".")).resolve()


def add_format(parser: argparse.ArgumentParser, *choices: str, default: str = "text") -> None:
    options = choices or ("text", "json")
    parser.add_argument(
        "--format", choices=options, default=default, help=f"output format (default: {default})"
    )


def print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, sort_keys=True, default=str))
