"""list_models, show_model, resolve_stage and checkout_model on real tags (git and DVC)."""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

import pytest

from mlops_gitops.errors import RegistryError
from mlops_gitops.registry import (
    checkout_model,
    list_models,
    promote,
    register_model,
    show_model,
)
from tests.helpers.model_repo import FAST, GOOD, Repo


def test_an_empty_registry_lists_nothing(repo: Repo) -> None:
    assert list_models(repo.root) == []
    with pytest.raises(RegistryError) as caught:
        show_model(repo.root, "churn")
    assert caught.value.message == "model 'churn' is not registered (registered models: none yet)"
    assert caught.value.hint == "register it with `mlops models register churn`"


def test_list_and_show_report_versions_stages_and_metrics(repo: Repo) -> None:
    repo.commit_model("churn", payload=b"m1", metrics={**GOOD, "r2": 0.5}, performance=FAST)
    first = register_model(repo.root, "churn")
    promote(repo.root, "churn", stage="prod", criteria=(), metric="r2")
    repo.commit_model("churn", payload=b"m2", metrics={**GOOD, "r2": 0.6}, performance=FAST)
    second = register_model(repo.root, "churn")
    promote(repo.root, "churn", stage="staging", criteria=(), metric="r2")
    repo.commit_model("other", metrics=GOOD)
    register_model(repo.root, "other", bump="major")
    repo.write({"metrics/churn.json": '{"r2": 0.7}\n'})  # a retrain not yet committed

    assert [m.to_dict() for m in list_models(repo.root)] == [
        {"name": "churn", "latest": "v0.2.0", "stages": {"prod": "v0.1.0", "staging": "v0.2.0"}},
        {"name": "other", "latest": "v1.0.0", "stages": {}},
    ]
    detail = show_model(repo.root, "churn")
    assert detail.path == "models/churn/model.skops"
    assert [(v.version, v.commit, v.stages) for v in detail.versions] == [
        ("v0.2.0", second.commit, ("staging",)),
        ("v0.1.0", first.commit, ("prod",)),
    ]
    assert detail.versions[0].metrics["r2"] == 0.6
    assert detail.versions[1].metrics == {**GOOD, **FAST, "r2": 0.5}
    assert detail.versions[0].author == "Test User"
    assert datetime.fromisoformat(detail.versions[0].registered_at).tzinfo is not None
    assert detail.current_metrics == {**FAST, "r2": 0.7}
    assert detail.to_dict()["stages"] == {"prod": "v0.1.0", "staging": "v0.2.0"}


def test_checkout_materialises_a_git_tracked_version(repo: Repo, tmp_path: Path) -> None:
    repo.commit_model("churn", payload=b"m1", metrics=GOOD)
    register_model(repo.root, "churn")
    repo.commit_model("churn", payload=b"m2", metrics=GOOD)
    register_model(repo.root, "churn")

    out = checkout_model(repo.root, "churn", "v0.1.0", tmp_path / "serve")

    assert out.files == ("model.json", "model.skops")
    assert (tmp_path / "serve/model.skops").read_bytes() == b"m1"
    assert out.commit == repo.git("rev-list", "-n1", "churn@v0.1.0")


def test_checkout_reads_a_dvc_tracked_model_from_the_cache(repo: Repo, tmp_path: Path) -> None:
    repo.dvc("init", "-q")
    repo.commit("dvc init")
    for payload in (b"weights-1", b"weights-2"):
        repo.write(repo.model_files("churn", payload=payload, metrics=GOOD))
        repo.dvc("add", "-q", "models/churn/model.skops")
        repo.commit("train")
        register_model(repo.root, "churn")
    assert repo.git("ls-files", "models/churn") == (
        "models/churn/.gitignore\nmodels/churn/model.json\nmodels/churn/model.skops.dvc"
    )

    out = checkout_model(repo.root, "churn", "v0.1.0", tmp_path / "serve")

    assert out.files == ("model.json", "model.skops")
    assert (tmp_path / "serve/model.skops").read_bytes() == b"weights-1"
    assert (repo.root / "models/churn/model.skops").read_bytes() == b"weights-2"


def test_checkout_refuses_files_that_disagree_with_model_json(repo: Repo, tmp_path: Path) -> None:
    files = repo.model_files("churn", payload=b"m1", metrics=GOOD)
    files["models/churn/model.skops"] = b"tampered"
    repo.commit("train", files)
    register_model(repo.root, "churn")
    actual = hashlib.sha256(b"tampered").hexdigest()[:12]
    recorded = hashlib.sha256(b"m1").hexdigest()[:12]
    with pytest.raises(RegistryError) as caught:
        checkout_model(repo.root, "churn", "v0.1.0", tmp_path / "serve")
    assert caught.value.message == (
        f"model.skops of churn v0.1.0 has sha256 {actual}..., but its model.json records "
        f"{recorded}...: the registered files disagree"
    )
    assert not (tmp_path / "serve").exists()


def test_checkout_of_an_unknown_version_lists_the_known_ones(repo: Repo, tmp_path: Path) -> None:
    repo.commit_model("churn", metrics=GOOD)
    register_model(repo.root, "churn")
    with pytest.raises(RegistryError) as caught:
        checkout_model(repo.root, "churn", "v9.9.9", tmp_path / "serve")
    assert caught.value.message == "model 'churn' has no version v9.9.9 (registered: v0.1.0)"
