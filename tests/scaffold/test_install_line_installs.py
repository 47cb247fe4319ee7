"""A fresh project's workflows install the tool with the line they contain (issue 15).

For each way of installing mlops-gitops (from a package index, from a git URL) the test installs
it into a new virtualenv, runs ``mlops init`` there, takes the install step of the ci.yml it
wrote, runs that step verbatim in a second fresh virtualenv and runs ``mlops --help``.

Offline and quick: the package index is a folder holding the wheel this test builds
(``--no-index --find-links``), the git URL is a repository on disk (``git+file://``) made from
this checkout's files, and the dependencies come from the dev environment (a ``.pth`` adds a
copy of its site-packages without mlops-gitops), so only mlops-gitops itself is installed from
the scaffolded line. Building from git uses the machine's pip configuration for setuptools.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers.paths import REPO_ROOT

pytestmark = pytest.mark.slow

_OURS = ("mlops_gitops", "__editable__", "__editable___mlops_gitops")
# build tools stay the new venv's own: a build (from git) must see setuptools from its isolated
# build environment, not the dev environment's
_BUILD_TOOLS = ("setuptools", "pkg_resources", "_distutils_hack", "distutils-precedence", "pip")


def run(
    *args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, f"{args} exited {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def dependencies(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The dev environment's site-packages without mlops-gitops (and without the build tools
    every venv has its own of): one symlink per entry."""
    site = Path(sysconfig.get_paths()["purelib"])
    folder = tmp_path_factory.mktemp("deps")
    for entry in site.iterdir():
        if not entry.name.startswith(_OURS + _BUILD_TOOLS):
            (folder / entry.name).symlink_to(entry)
    return folder


@pytest.fixture(scope="module")
def source_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A git repository on disk holding this checkout's files (tracked and new), committed."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO_ROOT,
        capture_output=True,
        check=False,
    )
    if listed.returncode != 0:
        pytest.skip("not a git checkout: no source to install from")
    repo = tmp_path_factory.mktemp("mlops-gitops-src")
    for name in filter(None, listed.stdout.decode().split("\0")):
        source = REPO_ROOT / name
        if source.is_file():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, repo / name)
    run("git", "init", "-q", "-b", "main", cwd=repo)
    run("git", "add", "-A", cwd=repo)
    run("git", "commit", "-qm", "snapshot", cwd=repo)
    commit = run("git", "rev-parse", "HEAD", cwd=repo).stdout.strip()
    return repo, commit


@pytest.fixture(scope="module")
def wheelhouse(source_repo: tuple[Path, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A package index on disk: the mlops-gitops wheel, built the way release.yml builds it."""
    folder = tmp_path_factory.mktemp("wheelhouse")
    run(sys.executable, "-m", "build", "--wheel", "--outdir", folder, source_repo[0])
    assert [p.name for p in folder.glob("*.whl")] == ["mlops_gitops-0.1.0-py3-none-any.whl"]
    return folder


def fresh_venv(where: Path, dependencies: Path) -> Path:
    run(sys.executable, "-m", "venv", where)
    purelib = run(
        where / "bin/python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    ).stdout.strip()
    # addsitedir, so the .pth files among the dependencies are processed as in their own venv
    (Path(purelib) / "_dev_dependencies.pth").write_text(
        f"import site; site.addsitedir({str(dependencies)!r})\n"
    )
    return where


def venv_env(venv: Path, **pip: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "VIRTUAL_ENV"))}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"
    return {**env, **pip}


def install_step(workflow: Path) -> str:
    data: dict[str, Any] = yaml.safe_load(workflow.read_text())
    steps = next(iter(data["jobs"].values()))["steps"]
    [step] = [s for s in steps if s.get("name") == "Install mlops-gitops"]
    script: str = step["run"]
    return script


def scaffold_and_install(
    tmp_path: Path, dependencies: Path, first_install: list[str], pip_env: dict[str, str]
) -> tuple[str, Path]:
    """Install mlops-gitops with ``first_install`` in one venv, ``mlops init`` a project there,
    run its ci.yml install step in a second venv; return the step and the second venv."""
    maker = fresh_venv(tmp_path / "maker", dependencies)
    run("pip", "install", "--no-deps", *first_install, env=venv_env(maker, **pip_env))
    run(maker / "bin/mlops", "init", tmp_path / "project", env=venv_env(maker))
    workflows = tmp_path / "project/.github/workflows"
    script = install_step(workflows / "ci.yml")
    assert install_step(workflows / "cd.yml") == install_step(workflows / "drift.yml") == script

    user = fresh_venv(tmp_path / "user", dependencies)
    run("bash", "-euo", "pipefail", "-c", script, env=venv_env(user, **pip_env))
    return script, user


def check_mlops_runs_from(venv: Path) -> None:
    helped = run(venv / "bin/mlops", "--help", env=venv_env(venv))
    assert helped.stdout.startswith("usage: mlops")
    where = run(
        venv / "bin/python", "-c", "import mlops_gitops; print(mlops_gitops.__file__)", cwd=venv
    )
    assert where.stdout.startswith(str(venv))  # installed by the line, not the dev checkout


def test_an_index_install_scaffolds_a_version_pin_that_installs(
    tmp_path: Path, dependencies: Path, wheelhouse: Path
) -> None:
    index = {"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(wheelhouse)}
    script, user = scaffold_and_install(tmp_path, dependencies, ["mlops-gitops"], index)
    assert script == 'pip install "mlops-gitops==0.1.0"'
    check_mlops_runs_from(user)


def test_a_git_install_scaffolds_the_url_at_its_commit_and_it_installs(
    tmp_path: Path, dependencies: Path, source_repo: tuple[Path, str]
) -> None:
    repo, commit = source_repo
    # file://localhost/...: older pip (23.x) refuses an empty host in a `name @ git+file:` URL
    url = f"git+file://localhost{repo}@{commit}"
    script, user = scaffold_and_install(tmp_path, dependencies, [f"mlops-gitops @ {url}"], {})
    assert script == (
        "# mlops-gitops was installed from a git repository on this machine; point\n"
        "# the URL at one your CI can clone (the same commit, pushed).\n"
        f'pip install "mlops-gitops @ {url}"\n'
    )
    check_mlops_runs_from(user)
