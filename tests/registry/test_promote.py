"""promote: success criteria and champion/challenger gates, --force with a recorded note, stages."""

from __future__ import annotations

import pytest

from mlops_gitops.errors import RegistryError
from mlops_gitops.registry import promote, register_model, resolve_stage
from mlops_gitops.specs.models import Criterion
from tests.helpers.model_repo import FAST, GOOD, Repo

CRITERIA = (
    Criterion("r2", min=0.45),
    Criterion("mae", max=50),
    Criterion("p99_latency_ms", max=50),
)


def registered(repo: Repo, payload: bytes, metrics: dict[str, object], **kwargs: object) -> str:
    repo.commit_model("churn", payload=payload, metrics=metrics, performance=FAST)
    return register_model(repo.root, "churn", **kwargs).version  # type: ignore[arg-type]


def to_prod(repo: Repo, **kwargs: object):  # type: ignore[no-untyped-def]
    return promote(repo.root, "churn", stage="prod", criteria=CRITERIA, metric="r2", **kwargs)  # type: ignore[arg-type]


def test_promotion_passes_when_criteria_hold(repo: Repo) -> None:
    version = registered(repo, b"m1", GOOD)

    result = to_prod(repo)

    assert (result.version, result.stage, result.tag, result.champion) == (
        version,
        "prod",
        "churn#prod#1",
        None,
    )
    assert result.checks == (
        "r2 = 0.52 meets r2 >= 0.45",
        "mae = 41 meets mae <= 50",
        "p99_latency_ms = 6 meets p99_latency_ms <= 50",
    )
    assert "churn#prod#1" in repo.tags()
    ref = resolve_stage(repo.root, "churn", "prod")
    assert (ref.version, ref.commit) == ("v0.1.0", repo.git("rev-list", "-n1", "churn@v0.1.0"))


def test_a_failing_criterion_is_refused_with_the_reason_and_margin(repo: Repo) -> None:
    registered(repo, b"m1", {**GOOD, "r2": 0.41})
    (repo.root / "metrics/churn.performance.json").unlink()
    repo.commit("performance not measured")  # the registered commit still has it

    with pytest.raises(RegistryError) as caught:
        to_prod(repo)

    assert caught.value.message == (
        "refusing to promote churn v0.1.0 to prod:\n"
        "  - r2 = 0.41 is below the criterion r2 >= 0.45 by 0.04"
    )
    assert "--force" in (caught.value.hint or "")
    assert not [t for t in repo.tags() if "#" in t]


def test_every_failure_is_listed_and_unmeasured_metrics_fail(repo: Repo) -> None:
    repo.commit_model("churn", payload=b"m1", metrics={"r2": 0.5, "mae": 62.5})
    register_model(repo.root, "churn")
    with pytest.raises(RegistryError) as caught:
        to_prod(repo)
    commit = repo.git("rev-list", "-n1", "churn@v0.1.0")
    assert caught.value.message.splitlines()[1:] == [
        "  - mae = 62.5 is above the criterion mae <= 50 by 12.5",
        f"  - p99_latency_ms is not measured in v0.1.0 (commit {commit[:12]}), so the criterion "
        "p99_latency_ms <= 50 cannot be checked",
    ]


def test_a_worse_challenger_is_refused_beyond_the_tolerance(repo: Repo) -> None:
    registered(repo, b"m1", {**GOOD, "r2": 0.60})
    to_prod(repo)
    registered(repo, b"m2", {**GOOD, "r2": 0.55})

    with pytest.raises(RegistryError) as caught:
        to_prod(repo, tolerance=0.02)

    assert caught.value.message == (
        "refusing to promote churn v0.2.0 to prod:\n"
        "  - challenger v0.2.0 has r2 = 0.55, champion v0.1.0 in prod has r2 = 0.6: the "
        "challenger is worse by 0.05, beyond the tolerance 0.02 (higher is better)"
    )
    assert resolve_stage(repo.root, "churn", "prod").version == "v0.1.0"


def test_a_worse_challenger_within_the_tolerance_is_accepted(repo: Repo) -> None:
    registered(repo, b"m1", {**GOOD, "r2": 0.60})
    to_prod(repo)
    registered(repo, b"m2", {**GOOD, "r2": 0.55})

    result = to_prod(repo, tolerance=0.05)

    assert (result.version, result.champion, result.tag) == ("v0.2.0", "v0.1.0", "churn#prod#2")
    assert result.checks[-1] == (
        "challenger v0.2.0 has r2 = 0.55, champion v0.1.0 in prod has r2 = 0.6: worse by 0.05, "
        "within the tolerance 0.05"
    )
    assert resolve_stage(repo.root, "churn", "prod").version == "v0.2.0"


def test_lower_is_better_metrics_compare_the_other_way(repo: Repo) -> None:
    registered(repo, b"m1", {**GOOD, "mae": 40.0})
    promote(repo.root, "churn", stage="prod", criteria=(), metric="mae")
    registered(repo, b"m2", {**GOOD, "mae": 45.0})
    with pytest.raises(RegistryError, match=r"worse by 5, beyond the tolerance 0 \(lower is"):
        promote(repo.root, "churn", stage="prod", criteria=(), metric="mae")
    registered(repo, b"m3", {**GOOD, "mae": 35.0})
    result = promote(repo.root, "churn", stage="prod", criteria=(), metric="mae")
    assert (result.version, result.champion) == ("v0.3.0", "v0.1.0")


def test_force_overrides_and_records_the_failures_in_the_tag(repo: Repo) -> None:
    registered(repo, b"m1", {**GOOD, "r2": 0.41})

    result = to_prod(repo, force=True)

    assert result.forced
    assert result.overridden == ("r2 = 0.41 is below the criterion r2 >= 0.45 by 0.04",)
    assert repo.tag_message("churn#prod#1") == (
        "Promote model churn v0.1.0 to prod\n\n"
        "FORCED: promoted although these gates failed:\n"
        "- r2 = 0.41 is below the criterion r2 >= 0.45 by 0.04\n\n"
        "Gates passed:\n"
        "- mae = 41 meets mae <= 50\n"
        "- p99_latency_ms = 6 meets p99_latency_ms <= 50"
    )
    assert "forced past failed gates" in result.describe()


def test_promoting_the_version_already_in_the_stage_changes_nothing(repo: Repo) -> None:
    registered(repo, b"m1", GOOD)
    to_prod(repo)
    tags = repo.tags()
    again = to_prod(repo)
    assert (again.created, again.tag) == (False, None)
    assert again.describe() == "churn v0.1.0 is already in stage prod; nothing to do"
    assert repo.tags() == tags


def test_rolling_back_to_an_older_version_takes_effect(repo: Repo) -> None:
    registered(repo, b"m1", GOOD)
    to_prod(repo)
    registered(repo, b"m2", GOOD)
    to_prod(repo)
    assert resolve_stage(repo.root, "churn", "prod").version == "v0.2.0"

    rollback = to_prod(repo, version="0.1.0")  # same metrics: the champion gate passes

    assert (rollback.version, rollback.champion, rollback.tag) == (
        "v0.1.0",
        "v0.2.0",
        "churn#prod#3",
    )
    assert resolve_stage(repo.root, "churn", "prod").version == "v0.1.0"


def test_stages_are_independent(repo: Repo) -> None:
    registered(repo, b"m1", GOOD)
    promote(repo.root, "churn", stage="staging", criteria=CRITERIA, metric="r2")
    with pytest.raises(RegistryError) as caught:
        resolve_stage(repo.root, "churn", "prod")
    assert caught.value.message == (
        "no version of model 'churn' is in stage 'prod' (stages now: staging -> v0.1.0)"
    )
    assert caught.value.hint == "promote one with `mlops models promote churn --stage prod`"


def test_bad_arguments_are_refused_with_the_remedy(repo: Repo) -> None:
    registered(repo, b"m1", GOOD)
    with pytest.raises(
        RegistryError, match=r"model 'churn' has no version v2.0.0 \(registered: v0.1.0\)"
    ):
        to_prod(repo, version="v2.0.0")
    with pytest.raises(RegistryError, match=r"'v2' is not a model version"):
        to_prod(repo, version="v2")
    with pytest.raises(RegistryError, match=r"'pro d' cannot be a stage name"):
        promote(repo.root, "churn", stage="pro d", criteria=(), metric="r2")
    with pytest.raises(RegistryError, match=r"primary metric 'auc' is not in the metric catalogue"):
        promote(repo.root, "churn", stage="prod", criteria=(), metric="auc")
    with pytest.raises(
        RegistryError, match=r"model 'nope' is not registered \(registered models: churn\)"
    ):
        promote(repo.root, "nope", stage="prod", criteria=(), metric="r2")
    with pytest.raises(RegistryError, match=r"must be >= 0. Got -0.1 instead"):
        to_prod(repo, tolerance=-0.1)
