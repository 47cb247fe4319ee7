"""``python -m mlops_gitops.docsgen [--check] [--root DIR]``: regenerate the generated files."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from mlops_gitops.docsgen import generated_files
from mlops_gitops.fsutil import atomic_write_text

__all__ = ["main", "stale_files"]


def stale_files(root: Path, files: dict[str, str]) -> list[str]:
    """The paths whose text on disk differs from ``files`` (missing counts as stale)."""
    stale = []
    for path, text in files.items():
        target = root / path
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            stale.append(path)
    return stale


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m mlops_gitops.docsgen",
        description="Regenerate docs/{specs,cli,layout}.md and .github/workflows/ from code.",
    )
    parser.add_argument("--root", type=Path, default=Path("."), help="repository root (default: .)")
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 when a file is stale"
    )
    args = parser.parse_args(argv)
    files = generated_files()
    stale = stale_files(args.root, files)
    if args.check:
        for path in stale:
            print(f"stale: {path}", file=sys.stderr)
        if stale:
            print("run `python -m mlops_gitops.docsgen` and commit the result", file=sys.stderr)
        return 1 if stale else 0
    for path in stale:
        atomic_write_text(args.root / path, files[path])
        print(f"wrote {path}")
    if not stale:
        print(f"{len(files)} generated file(s) up to date")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
