"""Served rows reach a drift check within 2 s (issue 10): the writer flushes pending rows at
least every second, while the server keeps running."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from mlops_gitops.cli import main
from tests.helpers.shop_project import DEPLOYMENT, EXPERIMENT, LOG, customers, make_repo
from tests.storage.servers import Replica


def test_rows_served_two_seconds_ago_are_all_counted_by_drift_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo(tmp_path, retrain=False)
    rows = customers(400, seed=3).drop(columns=["spend"]).to_dict("records")
    with Replica(repo.root / "models" / EXPERIMENT, DEPLOYMENT, str(repo.root / LOG)) as server:
        sent = sum(server.predict(rows[i : i + 4])[0] for i in range(0, len(rows), 4))
        last = time.monotonic()
        time.sleep(max(0.0, 2.0 - (time.monotonic() - last)))

        code = main(["-C", str(repo.root), "drift", "check", DEPLOYMENT, "--format", "json"])

        assert server.process is not None and server.process.poll() is None  # still serving
    out, err = capsys.readouterr()
    assert code == 0, err
    assert sent == 400
    assert json.loads(out)["current_rows"] == sent
