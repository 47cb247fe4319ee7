"""A killed apply leaves every file old or new; the next apply converges."""

from __future__ import annotations

import json
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import yaml

from tests.helpers.commands import mlops, run_env
from tests.helpers.diabetes_project import make_project

FILES = ("dvc.yaml", "params.yaml", ".mlops/state.json")


def snapshot(root: Path) -> dict[str, bytes | None]:
    return {f: (root / f).read_bytes() if (root / f).exists() else None for f in FILES}


def test_killed_apply_leaves_old_or_new_files_and_next_apply_converges(tmp_path: Path) -> None:
    base = make_project(tmp_path / "base")
    old = snapshot(base)
    reference = tmp_path / "reference"
    shutil.copytree(base, reference)
    started = time.perf_counter()
    mlops(reference, "apply", "--yes")
    duration = time.perf_counter() - started
    new = snapshot(reference)
    rng = random.Random(1234)
    outcomes = set()
    for attempt in range(12):
        root = tmp_path / f"attempt-{attempt}"
        shutil.copytree(base, root)
        process = subprocess.Popen(
            [sys.executable, "-m", "mlops_gitops", "apply", "--yes"],
            cwd=root,
            env=run_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.0, duration * 1.1))
        process.send_signal(signal.SIGKILL)
        process.wait()
        after = snapshot(root)
        for name in ("dvc.yaml", "params.yaml"):
            assert after[name] in (old[name], new[name]), f"{name} half-written"
            yaml.safe_load(after[name] or b"")
        state = after[".mlops/state.json"]
        if state is not None:
            json.loads(state)  # whole, even when killed between the attempt and the result
        outcomes.add(tuple(after[f] == new[f] for f in ("dvc.yaml", "params.yaml")))
        mlops(root, "apply", "--yes")
        assert not list(root.rglob(".*.tmp")), "the converging apply removes leftovers"
        converged = snapshot(root)
        assert converged["dvc.yaml"] == new["dvc.yaml"]
        assert converged["params.yaml"] == new["params.yaml"]
        plan = json.loads(mlops(root, "plan", "--format", "json").stdout)
        assert plan["changes"] is False
    assert len(outcomes) >= 2, f"every kill landed at the same point: {outcomes}"


def test_malformed_files_a_person_edited_give_a_message_not_a_traceback(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p")
    (root / "dvc.yaml").write_text("stages: [a, b]\n")
    done = mlops(root, "plan", check=False)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "dvc.yaml: 'stages' must be a mapping of stage name to stage" in done.stderr
    (root / "dvc.yaml").write_text("stages: {}\n")
    (root / "params.yaml").write_text("mlops: 5\n")
    done = mlops(root, "apply", "--yes", check=False)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "params.yaml: 'mlops' belongs to mlops-gitops and must be a mapping" in done.stderr
