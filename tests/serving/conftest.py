"""Real models trained once per session, and real uvicorn servers on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mlops_gitops.requestlog.writer import RequestLogSettings
from mlops_gitops.serving.app import create_app
from tests.helpers.asgi_server import running
from tests.serving.models import train_classifier, train_regressor


@pytest.fixture(scope="session")
def classifier_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("models") / "churn"
    train_classifier(directory)
    return directory


@pytest.fixture(scope="session")
def regressor_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("models") / "spend"
    train_regressor(directory)
    return directory


@pytest.fixture(scope="module")
def classifier_url(classifier_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("requests") / "churn"
    app = create_app(classifier_dir, name="churn", request_log=RequestLogSettings(log))
    with running(app) as url:
        yield url


@pytest.fixture(scope="module")
def regressor_url(regressor_dir: Path) -> Iterator[str]:
    with running(create_app(regressor_dir, name="spend", request_log=None)) as url:
        yield url


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as session:
        yield session
