"""The reference profile against the exact engine: same verdicts for every method, statistics
within the stated bounds, on generated data with planted drift."""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pytest

from mlops_gitops.errors import DriftError
from mlops_gitops.ml.artifact import FeatureInfo
from mlops_gitops.monitoring.engine import detect_drift
from mlops_gitops.monitoring.profile import (
    GRID_TOLERANCE,
    build_profile,
    read_profile,
    write_profile,
)
from mlops_gitops.monitoring.profile_check import detect_drift_from_profile
from mlops_gitops.monitoring.result import DriftResult
from mlops_gitops.monitoring.settings import DriftSettings
from tests.helpers.drift_data import FEATURES, PLANTED, planted

METHODS = ("auto", "ks", "chisquare", "ztest", "wasserstein", "jensenshannon", "psi")


def _both(
    ref: pa.Table, cur: pa.Table, settings: DriftSettings, tmp_path=None
) -> tuple[DriftResult, DriftResult]:
    profile = build_profile(ref, FEATURES)
    if tmp_path is not None:  # through the file, as the drift check reads it
        write_profile(profile, tmp_path / "profile.json")
        profile = read_profile(tmp_path / "profile.json")
    exact = detect_drift(ref, cur, features=FEATURES, settings=settings)
    return exact, detect_drift_from_profile(profile, cur, features=FEATURES, settings=settings)


def _assert_equivalent(exact: DriftResult, fast: DriftResult, profile=None) -> None:
    assert fast.dataset_drift == exact.dataset_drift
    assert fast.drift_share == exact.drift_share
    assert (fast.reference_rows, fast.current_rows) == (exact.reference_rows, exact.current_rows)
    for a, b in zip(exact.columns, fast.columns, strict=True):
        assert (b.name, b.kind, b.method, b.drifted, b.skipped) == (
            a.name,
            a.kind,
            a.method,
            a.drifted,
            a.skipped,
        ), a.name
        assert (b.missing_reference, b.missing_current) == (a.missing_reference, a.missing_current)
        assert (b.reference_values, b.current_values) == (a.reference_values, a.current_values)
        assert b.unseen_categories == a.unseen_categories
        if a.method == "wasserstein":
            # the profile grid (<= GRID_TOLERANCE) plus the exact engine's own grid (1e-3)
            assert abs(b.statistic - a.statistic) <= GRID_TOLERANCE + 1e-3, a.name
        elif a.method == "ks":
            assert abs(b.test_statistic - a.test_statistic) <= 1e-3, a.name
        else:  # counts are exact, so are the statistics
            assert b.statistic == pytest.approx(a.statistic, rel=1e-9, abs=1e-12), a.name


@pytest.mark.parametrize("method", METHODS)
def test_small_windows_give_the_exact_verdicts_and_statistics(method, small, tmp_path):
    exact, fast = _both(*small, DriftSettings(method=method), tmp_path)
    _assert_equivalent(exact, fast)
    if method in ("auto", "ks"):  # raw values on both sides: KS is scipy's own, bit for bit
        ks = [(a, b) for a, b in zip(exact.columns, fast.columns, strict=True) if a.method == "ks"]
        assert ks and all(a.statistic == b.statistic for a, b in ks)


@pytest.mark.parametrize("method", METHODS)
def test_large_windows_give_the_exact_verdicts(method, large):
    exact, fast = _both(*large, DriftSettings(method=method))
    _assert_equivalent(exact, fast)
    if method == "auto":
        assert set(fast.drifted_columns) == PLANTED


def test_calibrated_thresholds_and_corrected_p_values_keep_the_verdicts(large):
    for settings in (
        DriftSettings(calibrate=True),
        DriftSettings(method="ks", multiple_testing="fdr"),
        DriftSettings(method="chisquare", multiple_testing="bonferroni"),
    ):
        exact, fast = _both(*large, settings)
        assert fast.drifted_columns == exact.drifted_columns
        assert set(fast.drifted_columns) >= PLANTED


@pytest.mark.slow
@pytest.mark.parametrize("method", METHODS)
def test_a_one_million_row_window_gives_the_exact_verdicts(method):
    ref, _ = planted(200_000, seed=3)
    _, cur = planted(1_000_000, seed=4)
    exact, fast = _both(ref, cur, DriftSettings(method=method))
    _assert_equivalent(exact, fast)


def test_the_profile_states_its_bounds_and_is_small(large, tmp_path):
    ref, _ = large
    profile = build_profile(ref, FEATURES)
    write_profile(profile, tmp_path / "p.json")
    assert (tmp_path / "p.json").stat().st_size < 1_000_000
    again = read_profile(tmp_path / "p.json")
    shift = again.columns["shift"]
    assert shift.values == 30_000 and shift.missing == 0
    assert shift.wasserstein_error <= GRID_TOLERANCE * (1 + 1e-9)
    assert 0 < shift.ks_error < 1e-3
    assert shift.sorted_values is None  # more than EXACT_VALUES: the grid only
    assert shift.std == pytest.approx(float(np.std(ref.column("shift").to_numpy())), rel=1e-12)
    assert again.columns["colour"].labels == tuple(
        ref.column("colour").unique().to_pylist()
    )  # first appearance, as the exact engine orders categories


def test_missing_values_and_data_quality_match_the_exact_engine():
    rng = np.random.default_rng(5)
    n = 2_000
    ref = pa.table(
        {
            "a": rng.normal(0, 1, n),
            "b": pa.array(np.where(rng.random(n) < 0.05, np.nan, rng.normal(0, 1, n))),
            "c": rng.choice(["x", "y"], n),
            "d": rng.normal(0, 1, n),
        }
    )
    b = rng.normal(0, 1, n)
    b[rng.random(n) < 0.4] = np.nan  # the missing share jumps
    a = rng.normal(0, 1, n)
    a[7] = math.inf
    cur = pa.table(
        {
            "a": a,
            "b": b,
            "c": pa.nulls(n, pa.string()),
            "d": pa.array(["1.5"] * 10 + ["oops"] + ["2"] * (n - 11)),
        }
    )
    number = {x: FeatureInfo(x, "number") for x in "abd"}
    features = (number["a"], number["b"], FeatureInfo("c", "category"), number["d"])
    profile = build_profile(ref, features)
    exact = detect_drift(ref, cur, features=features)
    fast = detect_drift_from_profile(profile, cur, features=features, batch_size=512)
    found = {c.name: c.data_quality for c in fast.columns}
    assert found == {c.name: c.data_quality for c in exact.columns}
    assert found["a"] == "1 of 2000 value(s) are not finite (±inf)"
    assert found["c"] == "all 2000 value(s) are missing"
    assert found["d"] is not None and found["d"].startswith("wrong type:")
    assert "at row 10" in found["d"]  # the row in the window, not in its batch
    bb = {c.name: c for c in fast.columns}["b"]
    assert bb.missing_drifted and bb.missing_current == pytest.approx(
        {c.name: c for c in exact.columns}["b"].missing_current
    )


def test_a_stale_profile_is_a_clear_error(small):
    ref, cur = small
    profile = build_profile(ref.drop_columns(["shift"]), FEATURES[:6])
    with pytest.raises(DriftError, match=r"reference profile has no column\(s\) shift"):
        detect_drift_from_profile(profile, cur, features=FEATURES)


def test_an_unreadable_profile_says_how_to_rebuild_it(tmp_path):
    (tmp_path / "p.json").write_text('{"format": "other"}')
    with pytest.raises(DriftError) as caught:
        read_profile(tmp_path / "p.json")
    assert caught.value.message == (
        f"the reference profile {tmp_path / 'p.json'} cannot be read: its format is 'other', "
        "not 'mlops-gitops/reference-profile/v1'"
    )
    assert "dvc repro" in (caught.value.hint or "")
