"""The committed generated files equal what the generators give now, so they cannot go stale."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_gitops.docsgen import generated_files
from mlops_gitops.docsgen.__main__ import main
from tests.helpers.paths import REPO_ROOT

REGENERATE = "regenerate with `python -m mlops_gitops.docsgen` and commit the result"
GENERATED = generated_files()


@pytest.mark.parametrize("path", sorted(GENERATED))
def test_committed_file_is_up_to_date(path: str) -> None:
    target = REPO_ROOT / path
    assert target.is_file(), f"{path} is missing: {REGENERATE}"
    assert target.read_text(encoding="utf-8") == GENERATED[path], f"{path} is stale: {REGENERATE}"


def test_every_generated_doc_is_listed() -> None:
    assert set(GENERATED) == {
        "docs/specs.md",
        "docs/cli.md",
        "docs/layout.md",
        ".github/workflows/ci.yml",
        ".github/workflows/cd.yml",
        ".github/workflows/drift.yml",
    }


def test_the_generator_writes_then_check_passes_and_catches_a_hand_edit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = ["--root", str(tmp_path)]
    assert main([*root, "--check"]) == 1
    assert main(root) == 0
    assert main([*root, "--check"]) == 0
    capsys.readouterr()
    cli = tmp_path / "docs" / "cli.md"
    cli.write_text(cli.read_text() + "hand edit\n")
    assert main([*root, "--check"]) == 1
    assert capsys.readouterr().err == (
        "stale: docs/cli.md\nrun `python -m mlops_gitops.docsgen` and commit the result\n"
    )
