"""``mlops models register / list / show / promote`` as a user runs them, on the example specs."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from mlops_gitops.cli import main
from tests.helpers.model_repo import FAST, Repo
from tests.helpers.paths import EXAMPLE_SPECS

NAME = "progression-linear"  # problem diabetes-progression: r2 >= 0.35, mae <= 50, p99 <= 50


@pytest.fixture
def spec_repo(repo: Repo) -> Repo:
    shutil.copytree(EXAMPLE_SPECS, repo.root / "specs")
    repo.commit("specs")
    return repo


def run(repo: Repo, *args: str) -> int:
    return main(["-C", str(repo.root), "models", *args])


def test_register_list_show_promote(spec_repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    spec_repo.commit_model(NAME, metrics={"r2": 0.48, "mae": 43.0}, performance=FAST)

    assert run(spec_repo, "register", NAME) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"registered {NAME} v0.1.0 at commit ")
    assert out.rstrip().endswith(f"(tag {NAME}@v0.1.0)")

    assert run(spec_repo, "register", NAME, "--format", "json") == 0
    again = json.loads(capsys.readouterr().out)
    assert (again["version"], again["created"]) == ("v0.1.0", False)

    assert run(spec_repo, "promote", NAME, "--stage", "prod") == 0
    assert capsys.readouterr().out == f"promoted {NAME} v0.1.0 to prod (tag {NAME}#prod#1)\n"

    assert run(spec_repo, "list", "--format", "json") == 0
    assert json.loads(capsys.readouterr().out) == [
        {"name": NAME, "latest": "v0.1.0", "stages": {"prod": "v0.1.0"}}
    ]
    assert run(spec_repo, "list") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split() == [NAME, "v0.1.0", "prod=v0.1.0"]

    assert run(spec_repo, "show", NAME) == 0
    text = capsys.readouterr().out
    assert f"model {NAME} (models/{NAME}/model.skops)" in text
    assert "  v0.1.0 [prod]  commit " in text
    assert "mae=43, " in text
    assert run(spec_repo, "show", NAME, "--format", "json") == 0
    assert json.loads(capsys.readouterr().out)["versions"][0]["metrics"]["r2"] == 0.48


def test_promote_refusal_exits_one_with_reason_and_hint(
    spec_repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    spec_repo.commit_model(NAME, metrics={"r2": 0.30, "mae": 43.0}, performance=FAST)
    assert run(spec_repo, "register", NAME) == 0
    capsys.readouterr()

    assert run(spec_repo, "promote", NAME, "--stage", "prod") == 1
    err = capsys.readouterr().err
    assert err.splitlines()[:2] == [
        f"error: refusing to promote {NAME} v0.1.0 to prod:",
        "  - r2 = 0.3 is below the criterion r2 >= 0.35 by 0.05",
    ]
    assert "hint: " in err and "--force" in err

    assert run(spec_repo, "promote", NAME, "--stage", "prod", "--force", "--format", "json") == 0
    result = json.loads(capsys.readouterr().out)
    assert result["forced"] is True
    assert result["overridden"] == ["r2 = 0.3 is below the criterion r2 >= 0.35 by 0.05"]


def test_tolerance_defaults_to_the_experiment_and_can_be_overridden(
    spec_repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    for r2 in (0.50, 0.48):
        spec_repo.commit_model(
            NAME, payload=str(r2).encode(), metrics={"r2": r2, "mae": 40.0}, performance=FAST
        )
        assert run(spec_repo, "register", NAME) == 0
        if r2 == 0.50:
            assert run(spec_repo, "promote", NAME, "--stage", "prod") == 0
    capsys.readouterr()
    assert run(spec_repo, "promote", NAME, "--stage", "prod") == 1  # championTolerance: 0
    assert "worse by 0.02, beyond the tolerance 0" in capsys.readouterr().err
    assert run(spec_repo, "promote", NAME, "--stage", "prod", "--tolerance", "0.03") == 0


def test_unknown_experiment_is_an_error(
    spec_repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(spec_repo, "register", "nope") == 1
    err = capsys.readouterr().err
    assert "error: no Experiment named 'nope'; known: " in err
    assert "progression-linear" in err


def test_the_cli_does_not_import_gto_dvc_or_git_at_start_up() -> None:
    code = (
        "import sys\n"
        "from mlops_gitops.cli import build_parser\n"
        "build_parser()\n"
        "heavy = [m for m in ('gto', 'dvc', 'git', 'mlops_gitops.registry') if m in sys.modules]\n"
        "print(heavy)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    assert out.strip() == "[]"
