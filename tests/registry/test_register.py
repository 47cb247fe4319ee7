"""register_model: GTO version tags at HEAD, idempotence, refusals, the annotation."""

from __future__ import annotations

from pathlib import Path

import gto.api
import pytest

from mlops_gitops.errors import RegistryError
from mlops_gitops.registry import register_model
from tests.helpers.model_repo import FAST, GOOD, Repo


def test_first_registration_tags_v0_1_0_and_gto_sees_it(repo: Repo) -> None:
    trained = repo.commit_model("churn", metrics=GOOD, performance=FAST)

    version = register_model(repo.root, "churn")

    assert version.version == "v0.1.0"
    assert version.created
    assert version.tag == "churn@v0.1.0"
    assert "churn@v0.1.0" in repo.tags()
    # the annotation was committed on top of the trained commit, and the tag points at it
    assert version.annotation_commit == version.commit
    assert repo.git("rev-parse", "HEAD~1") == trained
    assert repo.git("rev-list", "-n1", "churn@v0.1.0") == version.commit
    assert repo.git("show", "--name-only", "--format=", "HEAD") == "artifacts.yaml"
    assert repo.git("status", "--porcelain") == ""
    shown = gto.api.show(str(repo.root), "churn")
    assert [(v["version"], v["commit_hexsha"]) for v in shown] == [("v0.1.0", version.commit)]
    described = gto.api.describe(str(repo.root), "churn")
    assert described is not None
    assert (described.type, described.path) == ("model", "models/churn/model.skops")


def test_a_new_commit_gets_the_next_version_by_bump(repo: Repo) -> None:
    repo.commit_model("churn", metrics=GOOD)
    assert register_model(repo.root, "churn").version == "v0.1.0"
    repo.commit_model("churn", payload=b"model-v2", metrics=GOOD)
    second = register_model(repo.root, "churn", message="more data")
    assert (second.version, second.annotation_commit) == ("v0.2.0", None)
    assert second.commit == repo.git("rev-parse", "HEAD")
    assert repo.tag_message("churn@v0.2.0").strip() == "more data"
    repo.commit_model("churn", payload=b"model-v3", metrics=GOOD)
    assert register_model(repo.root, "churn", bump="patch").version == "v0.2.1"
    repo.commit_model("churn", payload=b"model-v4", metrics=GOOD)
    assert register_model(repo.root, "churn", bump="major").version == "v1.0.0"
    assert sorted(t for t in repo.tags() if t.startswith("churn@")) == [
        "churn@v0.1.0",
        "churn@v0.2.0",
        "churn@v0.2.1",
        "churn@v1.0.0",
    ]


def test_registering_the_same_commit_twice_says_so_and_adds_no_tag(repo: Repo) -> None:
    repo.commit_model("churn", metrics=GOOD)
    first = register_model(repo.root, "churn")
    tags = repo.tags()

    again = register_model(repo.root, "churn", bump="major")

    assert not again.created
    assert (again.version, again.commit, again.tag) == ("v0.1.0", first.commit, "churn@v0.1.0")
    assert again.describe() == (
        f"churn is already registered as v0.1.0 at commit {first.commit[:12]} "
        "(tag churn@v0.1.0); nothing to do"
    )
    assert repo.tags() == tags


def test_uncommitted_model_changes_are_refused(repo: Repo) -> None:
    repo.commit_model("churn", metrics=GOOD)
    repo.write({"models/churn/model.skops": b"retrained", "metrics/churn.performance.json": "{}"})
    head = repo.git("rev-parse", "HEAD")

    with pytest.raises(RegistryError) as caught:
        register_model(repo.root, "churn")

    assert caught.value.message == (
        f"the model 'churn' in the working tree is not the one committed at HEAD ({head[:12]}):\n"
        "  models/churn/model.skops (modified in git)\n"
        "  metrics/churn.performance.json (untracked in git)"
    )
    assert "dvc commit" in (caught.value.hint or "")
    assert repo.tags() == []
    assert not (repo.root / "artifacts.yaml").exists()


def test_other_uncommitted_files_do_not_block_registration(repo: Repo) -> None:
    repo.commit_model("churn", metrics=GOOD)
    repo.write({"README.md": "edited\n", "models/other/model.skops": b"x"})
    assert register_model(repo.root, "churn").version == "v0.1.0"
    assert repo.git("status", "--porcelain", "README.md") == "M README.md"


def test_no_model_at_head_is_refused(repo: Repo) -> None:
    with pytest.raises(RegistryError, match=r"models/churn/model.skops is not committed at HEAD"):
        register_model(repo.root, "churn")


def test_outside_a_git_repository_is_refused(tmp_path: Path, home: Path) -> None:
    with pytest.raises(RegistryError) as caught:
        register_model(tmp_path, "churn")
    assert caught.value.message == (
        f"{tmp_path} is not in a git repository: the model registry lives in git tags"
    )


def test_bad_bump_and_bad_name_are_refused(repo: Repo) -> None:
    repo.commit_model("churn", metrics=GOOD)
    with pytest.raises(RegistryError) as caught:
        register_model(repo.root, "churn", bump="huge")
    assert caught.value.message == (
        "The 'bump' parameter must be one of major, minor, patch. Got 'huge' instead."
    )
    with pytest.raises(RegistryError, match=r"'-churn' cannot be a model name"):
        register_model(repo.root, "-churn")


def test_the_annotation_keeps_comments_and_other_artifacts(repo: Repo) -> None:
    repo.commit(
        "annotate data",
        {"artifacts.yaml": "# hand-written\ndata:  # the raw data\n  type: dataset\n"},
    )
    repo.commit_model("churn", metrics=GOOD)
    register_model(repo.root, "churn")
    text = (repo.root / "artifacts.yaml").read_text()
    assert text == (
        "# hand-written\n"
        "data:  # the raw data\n"
        "  type: dataset\n"
        "churn:\n"
        "  type: model\n"
        "  path: models/churn/model.skops\n"
    )


def test_an_annotation_already_at_head_needs_no_commit(repo: Repo) -> None:
    files = repo.model_files("churn", metrics=GOOD)
    files["artifacts.yaml"] = "churn:\n  type: model\n  path: models/churn/model.skops\n"
    trained = repo.commit("train", files)
    version = register_model(repo.root, "churn")
    assert (version.commit, version.annotation_commit) == (trained, None)


def test_uncommitted_edits_to_artifacts_yaml_are_not_swept_into_a_commit(repo: Repo) -> None:
    repo.commit_model("churn", metrics=GOOD)
    repo.write({"artifacts.yaml": "data:\n  type: dataset\n"})
    with pytest.raises(RegistryError, match=r"artifacts\.yaml has uncommitted changes"):
        register_model(repo.root, "churn")
    assert repo.tags() == []


def test_dvc_tracked_model_must_match_what_head_records(repo: Repo) -> None:
    repo.dvc("init", "-q")
    repo.commit("dvc init")
    repo.write(repo.model_files("churn", metrics=GOOD))
    repo.dvc("add", "-q", "models/churn/model.skops")
    repo.commit("train")
    (repo.root / "models/churn/model.skops").write_bytes(b"retrained, not dvc-committed")

    with pytest.raises(RegistryError) as caught:
        register_model(repo.root, "churn")
    assert "models/churn/model.skops (differs from the md5 DVC recorded at HEAD)" in str(
        caught.value
    )

    repo.dvc("add", "-q", "models/churn/model.skops")
    repo.commit("retrain")
    assert register_model(repo.root, "churn").version == "v0.1.0"
