"""Shared fixtures: git isolated from the machine, a temporary project folder, the example specs."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.paths import EXAMPLE_SPECS
from tests.helpers.s3server import S3Server


@pytest.fixture(autouse=True, scope="session")
def isolated_git(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Git never reads or writes the machine's config or $HOME during tests."""
    home = tmp_path_factory.mktemp("home")
    config = home / ".gitconfig"
    config.write_text(
        "[user]\n\tname = Test User\n\temail = test@example.com\n"
        "[init]\n\tdefaultBranch = main\n"
        "[commit]\n\tgpgsign = false\n[tag]\n\tgpgSign = false\n"
        "[core]\n\tautocrlf = false\n"
    )
    saved = {k: os.environ.get(k) for k in ("GIT_CONFIG_GLOBAL", "GIT_CONFIG_NOSYSTEM")}
    os.environ["GIT_CONFIG_GLOBAL"] = str(config)
    os.environ["GIT_CONFIG_NOSYSTEM"] = "1"
    yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """An empty project folder with a specs/ directory."""
    (tmp_path / "specs").mkdir()
    return tmp_path


@pytest.fixture
def example_project(tmp_path: Path) -> Path:
    """A copy of the repository's example specs in a fresh folder."""
    shutil.copytree(EXAMPLE_SPECS, tmp_path / "specs")
    return tmp_path


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    """One moto S3 server on 127.0.0.1 for the whole session (started on first use)."""
    with S3Server() as server:
        yield server


@pytest.fixture
def s3_bucket(s3_server: S3Server, monkeypatch: pytest.MonkeyPatch) -> str:
    """A new empty bucket on the session's S3 server, with the AWS_* variables pointing at it
    (inherited by every process the test starts); ``s3://<name>``."""
    for name, value in s3_server.environment().items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    return f"s3://{s3_server.create_bucket()}"


# fixtures that run the real pipeline (`dvc repro`): a test using one must be marked slow, so
# `pytest -m "not slow"` (make test-fast) leaves out every test that waits for DVC
PIPELINE_FIXTURES = frozenset({"reproduced_project"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    unmarked = [
        item.nodeid
        for item in items
        if PIPELINE_FIXTURES & set(getattr(item, "fixturenames", ()))
        and item.get_closest_marker("slow") is None
    ]
    if unmarked:
        raise pytest.UsageError(
            "these tests run the real DVC pipeline and need @pytest.mark.slow:\n  "
            + "\n  ".join(unmarked)
        )
