"""A Deployment checked on its model's stored reference profile: the `reference` stage writes
it, `mlops drift check` reads it instead of the training split, with the same verdicts."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from mlops_gitops.cli import main
from mlops_gitops.errors import DriftError
from mlops_gitops.monitoring.deployment import check_deployment
from mlops_gitops.specs import load_specs
from tests.helpers.drift_data import NOW

PROFILE = "models/malignancy-classifier/reference_profile.json"


@pytest.fixture
def profiled(served):
    from mlops_gitops.stages.reference import run

    message = run(served, "malignancy-classifier")
    assert message.startswith("4 column(s) of 400 rows profiled")
    return served


def test_the_stage_writes_the_profile_the_check_reads_instead_of_the_split(profiled, capsys):
    specs = load_specs(profiled)
    deployment = specs.deployments["malignancy-api"]
    with_profile = check_deployment(profiled, deployment, specs, now=NOW)
    assert f"reference: the stored profile {PROFILE}" in with_profile.notes
    (profiled / "data" / "breast-cancer" / "train.parquet").unlink()  # not needed any more
    again = check_deployment(profiled, deployment, specs, now=NOW)
    assert again.columns == with_profile.columns
    (profiled / PROFILE).rename(profiled / "profile.json")
    with pytest.raises(DriftError, match=r"train\.parquet does not exist"):
        check_deployment(profiled, deployment, specs, now=NOW)


def test_profile_and_split_give_the_same_verdicts(profiled):
    specs = load_specs(profiled)
    deployment = specs.deployments["malignancy-api"]
    fast = check_deployment(profiled, deployment, specs, now=NOW)
    (profiled / PROFILE).unlink()
    exact = check_deployment(profiled, deployment, specs, now=NOW)
    assert fast.drifted_columns == exact.drifted_columns == ("mean_radius", "prediction")
    assert fast.dataset_drift is exact.dataset_drift is True
    for a, b in zip(exact.columns, fast.columns, strict=True):
        assert (a.name, a.method, a.statistic) == (b.name, b.method, b.statistic)
    assert [n for n in fast.notes if "profile" not in n] == list(exact.notes)


def test_compute_dask_without_a_scheduler_is_a_user_error(profiled, capsys):
    specs = load_specs(profiled)
    deployment = specs.deployments["malignancy-api"]
    dask = replace(deployment, monitoring=replace(deployment.monitoring, compute="dask"))

    with pytest.raises(DriftError) as caught:
        check_deployment(profiled, dask, specs, now=NOW)
    assert caught.value.message == (
        "deployment 'malignancy-api' has monitoring.compute 'dask' but no monitoring.scheduler"
    )


def test_cli_scheduler_needs_the_profile(profiled, capsys):
    (profiled / PROFILE).unlink()
    code = main(
        [
            "-C",
            str(profiled),
            "drift",
            "check",
            "malignancy-api",
            "--scheduler",
            "tcp://127.0.0.1:1",
        ]
    )
    assert code == 1
    err = capsys.readouterr().err
    assert (
        "summarising on Dask (--scheduler, or monitoring.compute: dask) needs the model's " in err
    )
    assert "dvc repro" in err


def test_cli_check_on_the_profile_writes_the_report(profiled, capsys):
    code = main(
        ["-C", str(profiled), "drift", "check", "malignancy-api", "--now", NOW.isoformat(),
         "--format", "json", "--fail-on-drift"]
    )  # fmt: skip
    assert code == 2
    report = json.loads(capsys.readouterr().out)
    assert [n for n, c in report["columns"].items() if c["drifted"]] == [
        "mean_radius",
        "prediction",
    ]
    folder = profiled / "reports" / "drift" / "malignancy-api" / "20240508T060000Z"
    assert {"mean_radius.png", "prediction.png"} <= {p.name for p in folder.iterdir()}


def test_a_current_file_is_judged_on_the_profile_as_on_the_split(profiled, tmp_path):
    import pyarrow.parquet as pq

    log = next((profiled / ".mlops" / "requests" / "malignancy-api").glob("*.parquet"))
    current = tmp_path / "today.parquet"
    pq.write_table(pq.read_table(log).drop_columns(["timestamp"]), current)
    specs = load_specs(profiled)
    deployment = specs.deployments["malignancy-api"]
    fast = check_deployment(profiled, deployment, specs, current=current, now=NOW)
    (profiled / PROFILE).unlink()
    exact = check_deployment(profiled, deployment, specs, current=current, now=NOW)
    assert fast.window_start is None and fast.current_rows == exact.current_rows == 300
    assert fast.columns == exact.columns


def test_cli_scheduler_summarises_on_dask_with_the_local_verdicts(profiled, cluster, capsys):
    def check(*extra: str) -> dict:
        code = main(
            ["-C", str(profiled), "drift", "check", "malignancy-api", "--now", NOW.isoformat(),
             "--format", "json", *extra]
        )  # fmt: skip
        assert code == 0
        return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]

    local = check()
    remote = check("--scheduler", cluster.scheduler_address)
    assert remote["columns"] == local["columns"]
    assert (
        f"window summarised on the Dask cluster at {cluster.scheduler_address}" in remote["notes"]
    )
