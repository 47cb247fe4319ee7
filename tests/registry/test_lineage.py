"""build_lineage / write_lineage: every field, in and out of git, dirty or clean."""

from __future__ import annotations

import json
import platform
from importlib import metadata
from pathlib import Path
from typing import Any

from mlops_gitops import __version__
from mlops_gitops.registry import build_lineage, dvc_data_version, write_lineage
from tests.helpers.model_repo import Repo


def lineage_of(root: Path) -> dict[str, Any]:
    return build_lineage(
        root,
        experiment="churn",
        dataset_hash="sha256:abc",
        dvc_data_version="0123abcd",
        params={"alpha": 0.5, "estimator": "ridge"},
        metrics={"r2": 0.52},
        durations={"search": 1.25, "fit": 2},
    )


def test_lineage_records_every_field(repo: Repo) -> None:
    head = repo.git("rev-parse", "HEAD")
    lineage = lineage_of(repo.root)

    assert lineage["experiment"] == "churn"
    assert lineage["git"] == {"commit": head, "dirty": False, "branch": "main"}
    assert lineage["data"] == {"hash": "sha256:abc", "dvc_version": "0123abcd"}
    assert lineage["params"] == {"alpha": 0.5, "estimator": "ridge"}
    assert lineage["metrics"] == {"r2": 0.52}
    assert lineage["durations_s"] == {"search": 1.25, "fit": 2.0}
    assert lineage["python"]["version"] == platform.python_version()
    assert lineage["framework"] == {"name": "mlops-gitops", "version": __version__}
    packages = lineage["packages"]
    assert packages["gto"] == metadata.version("gto")
    assert packages["GitPython"] == metadata.version("GitPython")
    assert list(packages) == sorted(packages, key=str.lower)
    assert lineage["created"].endswith("+00:00")


def test_a_dirty_tree_is_flagged(repo: Repo) -> None:
    (repo.root / "README.md").write_text("changed\n")
    git_state = lineage_of(repo.root)["git"]
    assert git_state["dirty"] is True
    assert "uncommitted changes" in git_state["note"]


def test_outside_git_the_commit_is_null_with_a_note(tmp_path: Path) -> None:
    git_state = lineage_of(tmp_path)["git"]
    assert git_state == {
        "commit": None,
        "dirty": None,
        "note": f"{tmp_path} is not in a git repository",
    }


def test_dvc_data_version_comes_from_dvc_lock(tmp_path: Path) -> None:
    assert dvc_data_version(tmp_path, "churn") is None
    (tmp_path / "dvc.lock").write_text(
        "schema: '2.0'\nstages:\n  ingest@churn:\n    cmd: mlops stage ingest churn\n"
        "    outs:\n    - path: data/churn/ingest.json\n      md5: ffff\n"
        "    - path: data/churn/raw.parquet\n      hash: md5\n      md5: 9a8b7c\n      size: 10\n"
    )
    assert dvc_data_version(tmp_path, "churn") == "9a8b7c"
    assert dvc_data_version(tmp_path, "other") is None


def test_write_lineage_writes_sorted_json(tmp_path: Path, repo: Repo) -> None:
    lineage = lineage_of(repo.root)
    path = write_lineage(tmp_path / "models/churn", lineage)
    assert path == tmp_path / "models/churn/lineage.json"
    text = path.read_text()
    assert json.loads(text) == lineage
    assert text == json.dumps(lineage, indent=2, sort_keys=True) + "\n"
    assert [p.name for p in path.parent.iterdir()] == ["lineage.json"]
