"""Fixtures for runtime tests: a project with a trained model."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.runtimes.models import train_model


@pytest.fixture
def model_project(tmp_path: Path) -> Path:
    train_model(tmp_path)
    return tmp_path
