"""Property-based: schemathesis generates requests from the served /openapi.json, valid
(positive) and invalid (negative) bodies, paths and headers for every operation; none may get a
server error."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from mlops_gitops.requestlog.writer import RequestLogSettings
from mlops_gitops.serving.app import create_app
from tests.helpers.asgi_server import running
from tests.serving.server_argv import serve_argv

EXAMPLES_PER_OPERATION = 25


@pytest.fixture(scope="module")
def served(classifier_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("schemathesis-log")
    app = create_app(
        classifier_dir,
        name="churn",
        request_log=RequestLogSettings(log),
        max_body_bytes=64 * 1024,
    )
    with running(app) as url:
        yield url


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_operation_gives_a_server_error(served: str, mode: GenerationMode) -> None:
    schema = schemathesis.openapi.from_url(f"{served}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 13  # V2 (with the versioned routes), /predict, batch, metrics
    statuses: set[int] = set()
    negated_nothing: list[str] = []
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: Any) -> None:
            response = case.call_and_validate(base_url=served, checks=[not_a_server_error])
            statuses.add(response.status_code)

        try:
            check()
        except Unsatisfiable:
            # nothing to make invalid (GET /v2 takes no input): only in negative mode
            assert mode is GenerationMode.NEGATIVE
            negated_nothing.append(operation.label)
    if mode is GenerationMode.POSITIVE:
        assert 200 in statuses
    else:
        assert 400 in statuses
        assert "POST /predict" not in negated_nothing


CLI_EXAMPLES = 20
CONFIG = Path(__file__).with_name("schemathesis.toml")


def test_schemathesis_checks_all_against_a_live_server(
    classifier_dir: Path, tmp_path: Path
) -> None:
    """`schemathesis run --checks all`: every check (status codes, content types, headers,
    response schemas, schema-invalid requests refused, schema-valid ones accepted, Allow on
    405, ...) on every operation, against the server process as runtimes start it. The one
    allowance is explained in schemathesis.toml."""
    import subprocess
    import sys

    from tests.helpers.ports import free_port
    from tests.helpers.server_process import wait_ready

    port = free_port()
    server = subprocess.Popen(
        serve_argv(
            classifier_dir,
            port,
            "--request-log",
            str(tmp_path / "log"),
            "--max-body-bytes",
            str(64 * 1024),
            "--log-level",
            "error",
        ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url, server)  # type: ignore[arg-type]
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "schemathesis.cli",
                "--config-file",
                str(CONFIG),
                "run",
                f"{url}/openapi.json",
                "--checks",
                "all",
                "--max-examples",
                str(CLI_EXAMPLES),
                "--seed",
                "11",
                "--no-color",
            ],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
            cwd=tmp_path,
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    summary = result.stdout[-3000:]
    assert result.returncode == 0, summary
    assert "Selected: 13/13" in result.stdout  # with the three versioned V2 routes
    assert re.search(r"(\d+) generated, \1 passed", result.stdout), summary
