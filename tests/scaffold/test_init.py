"""``mlops init`` on real folders, with real git and DVC."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from mlops_gitops.errors import MlopsError
from mlops_gitops.scaffold import init_project
from mlops_gitops.scaffold.files import project_files
from mlops_gitops.scaffold.install import how_installed
from tests.helpers.commands import git, mlops, sh


def test_init_writes_the_project_and_sets_up_git_dvc_remote_and_hook(tmp_path: Path) -> None:
    root = tmp_path / "Demo Project"
    result = init_project(root)
    assert result.name == "demo-project"
    assert set(result.written) == set(project_files("demo-project"))
    assert result.git_initialised and result.dvc_initialised
    assert result.remote == "../demo-project-dvc-remote"
    assert (root / ".git").is_dir() and (root / ".dvc").is_dir()
    assert sh(root, "dvc", "remote", "default").stdout.strip() == "local"
    config = (root / ".dvc" / "config").read_text()
    assert "url = ../../demo-project-dvc-remote\n" in config  # relative to .dvc/: clones keep it
    assert "autostage = true\n" in config
    hook = root / ".git" / "hooks" / "pre-commit"
    assert result.hook == ".git/hooks/pre-commit"
    assert hook.stat().st_mode & stat.S_IXUSR
    assert not (tmp_path / "demo-project-dvc-remote").exists()  # nothing written outside DIR
    assert git(root, "log", "--oneline", "--all") == ""  # nothing committed


def test_existing_files_are_refused_all_at_once_and_nothing_is_written(tmp_path: Path) -> None:
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "problem.yaml").write_text("mine\n")
    (tmp_path / "README.md").write_text("mine\n")
    with pytest.raises(MlopsError) as caught:
        init_project(tmp_path, name="demo")
    assert caught.value.message == (
        f"2 file(s) already exist in {tmp_path} with other contents:\n  README.md\n"
        "  specs/problem.yaml"
    )
    assert caught.value.hint == "move them away, or run `mlops init --force` to overwrite them"
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["README.md", "problem.yaml", "specs"]


def test_cli_reports_the_conflict_without_a_traceback(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("mine\n")
    done = mlops(tmp_path, "init", ".", "--name", "demo", check=False)
    assert done.returncode == 1
    assert done.stderr == (
        f"error: 1 file(s) already exist in {tmp_path} with other contents:\n  .gitignore\n"
        "hint: move them away, or run `mlops init --force` to overwrite them\n"
    )


def test_force_overwrites_and_a_rerun_keeps_the_repository_and_remote(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    (tmp_path / "keep.txt").write_text("x")
    git(tmp_path, "add", "keep.txt")
    git(tmp_path, "commit", "-qm", "mine")
    (tmp_path / "README.md").write_text("mine\n")
    first = init_project(tmp_path, name="demo", force=True)
    assert not first.git_initialised
    assert "README.md" in first.written
    assert (tmp_path / "README.md").read_text().startswith("# demo\n")
    assert git(tmp_path, "log", "--format=%s") == "mine"

    sh(tmp_path, "dvc", "remote", "add", "-d", "-f", "local", "s3://bucket/demo")
    again = init_project(tmp_path, name="demo")
    assert again.written == () and again.hook is None
    assert not again.dvc_initialised and again.remote is None
    assert "s3://bucket/demo" in sh(tmp_path, "dvc", "remote", "list").stdout


def test_the_hook_refuses_a_commit_with_an_invalid_spec(tmp_path: Path) -> None:
    init_project(tmp_path, name="demo")
    spec = tmp_path / "specs" / "problem.yaml"
    spec.write_text(spec.read_text().replace("task: regression", "task: regresion"))
    git(tmp_path, "add", "-A")
    done = sh(tmp_path, "git", "commit", "-qm", "broken", check=False)
    assert done.returncode == 1
    assert "specs/problem.yaml" in done.stderr and "did you mean 'regression'?" in done.stderr
    assert sh(tmp_path, "git", "rev-parse", "--verify", "HEAD", check=False).returncode != 0


@pytest.mark.slow
def test_a_scaffolded_project_validates_plans_applies_and_reproduces(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    done = mlops(tmp_path, "init", "proj")
    assert "Project proj is ready" in done.stdout
    assert done.stdout.endswith(
        "\nNote: `mlops apply` also deploys. Once `dvc repro` has trained the model, the next\n"
        "`mlops apply` starts the server of specs/deployment.yaml (`mlops plan` lists it under\n"
        "Deployments); `mlops apply --scope pipeline` changes only the pipeline files.\n"
    )
    assert f"the workflows install mlops-gitops with: {how_installed().command}\n" in done.stdout
    assert mlops(root, "validate").stdout == "4 file(s), 4 spec(s): valid\n"
    assert (
        mlops(root, "plan", "--scope", "pipeline", "--detailed-exitcode", check=False).returncode
        == 2
    )
    mlops(root, "apply", "--yes")
    sh(root, "dvc", "repro")
    assert (root / "models" / "progression-ridge" / "model.skops").is_file()
    assert (root / "metrics" / "progression-ridge.json").is_file()
    assert mlops(root, "plan", "--scope", "pipeline", "--detailed-exitcode").returncode == 0
    # as the next steps say: with the model trained, apply (default scope) would deploy it
    [deploy] = json.loads(mlops(root, "plan", "--format", "json").stdout)["deployments"]
    assert (deploy["action"], deploy["resource"]) == ("deploy", "deployment/progression-api")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "first model")  # the hook validates the specs again
    assert sh(root, "dvc", "status").stdout.strip() == "Data and pipelines are up to date."
