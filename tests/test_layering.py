"""The package layering written in pyproject.toml (``[tool.importlinter]``) holds, and a forbidden
import breaks it.

Runs the real ``lint-imports`` (import-linter) over this tree, then over a copy of the package
with one forbidden import added, which must fail and name the contract it breaks.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.paths import REPO_ROOT

LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` on the package under ``root`` with ``root/pyproject.toml``'s contracts."""
    assert LINT_IMPORTS.is_file(), "lint-imports is missing: pip install -e '.[dev]'"
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(root / "pyproject.toml")],
        cwd=root,
        # the package is found at root first; a wide terminal keeps each contract on one line
        env={**os.environ, "PYTHONPATH": str(root), "COLUMNS": "250"},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def _verdicts(output: str) -> dict[str, str]:
    """Contract name -> KEPT or BROKEN, from lint-imports' report."""
    verdicts = {}
    for line in output.splitlines():
        name, _, verdict = line.strip().rpartition(" ")
        if verdict in ("KEPT", "BROKEN") and name:
            verdicts[name] = verdict
    return verdicts


def test_every_contract_of_the_layering_is_kept() -> None:
    done = _lint(REPO_ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    verdicts = _verdicts(done.stdout)
    assert len(verdicts) == 5, done.stdout
    assert set(verdicts.values()) == {"KEPT"}


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        (
            "specs/checks.py",
            "from mlops_gitops.ml import metrics",
            "The spec language is at the bottom: specs imports no feature package",
        ),
        (
            "serving/predictor.py",
            "from mlops_gitops.ml import search",
            "Serving never imports training, reconciling or CLI code",
        ),
        (
            "stages/train.py",
            "from mlops_gitops.reconcile import plan",
            "Pipeline stages never import the reconciler",
        ),
        (
            "gitops/git.py",
            "import mlops_gitops.cli",
            "Nothing imports the CLI but `python -m mlops_gitops` and the CLI reference generator",
        ),
        (
            "requestlog/writer.py",
            "from mlops_gitops.serving import validation",
            "Packages stack: each layer imports only the layers below it",
        ),
    ],
)
def test_a_forbidden_import_breaks_its_contract(
    tmp_path: Path, module: str, line: str, contract: str
) -> None:
    shutil.copytree(
        REPO_ROOT / "mlops_gitops",
        tmp_path / "mlops_gitops",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    shutil.copy(REPO_ROOT / "pyproject.toml", tmp_path)
    target = tmp_path / "mlops_gitops" / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")
    done = _lint(tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert _verdicts(done.stdout)[contract] == "BROKEN", done.stdout
    assert f"mlops_gitops.{module[:-3].replace('/', '.')}" in done.stdout
