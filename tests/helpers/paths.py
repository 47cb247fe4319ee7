"""Where the repository and its example specs are, for tests that read them."""

from __future__ import annotations

from pathlib import Path

__all__ = ["EXAMPLE_SPECS", "REPO_ROOT"]

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_SPECS = REPO_ROOT / "specs"
