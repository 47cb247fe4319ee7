"""detect_drift on planted drift, at small and large sizes, and on awkward data."""

from __future__ import annotations

import dataclasses

import numpy as np
import pyarrow as pa
import pytest

from mlops_gitops.errors import DataError, DriftError
from mlops_gitops.ml.artifact import FeatureInfo
from mlops_gitops.monitoring import ColumnOverride, DriftSettings, detect_drift
from tests.helpers.drift_data import PLANTED


def test_small_sample_uses_p_value_tests_and_flags_exactly_the_planted_columns(small):
    result = detect_drift(*small, settings=DriftSettings(multiple_testing="fdr"))
    assert set(result.drifted_columns) == PLANTED
    methods = {c.name: c.method for c in result.columns}
    assert methods["shift"] == "ks"
    assert methods["colour"] == "chisquare"
    assert methods["flag"] == "ztest"
    assert methods["count"] == "ks"  # Poisson(3) has more than 5 distinct values
    assert result.column("tiny").drifted is False
    assert result.dataset_drift is False  # 4 of 14 columns < 0.5
    assert result.drift_share == pytest.approx(4 / 14)


def test_large_sample_uses_distances_and_ignores_a_negligible_shift(large):
    result = detect_drift(*large)
    assert set(result.drifted_columns) == PLANTED
    tiny = result.column("tiny")
    assert tiny.method == "wasserstein"
    assert tiny.statistic is not None and tiny.statistic < 0.05
    assert result.column("shift").statistic == pytest.approx(0.6, abs=0.03)
    assert result.column("colour").method == "jensenshannon"
    assert result.column("plan").unseen_categories == ("premium",)
    assert result.column("plan").unseen_share == pytest.approx(0.15, abs=0.01)
    assert "> 1000" in result.column("shift").reason


def test_plain_p_values_alarm_on_clean_columns_by_chance_and_correction_stops_it():
    rng = np.random.default_rng(10)
    ref = pa.table({f"c{i}": rng.normal(size=600) for i in range(40)})
    cur = pa.table({f"c{i}": rng.normal(size=600) for i in range(40)})
    plain = detect_drift(ref, cur)
    assert plain.drifted_columns == ("c6", "c22", "c27")  # about 2 in 40 at p < 0.05
    for how in ("bonferroni", "fdr"):
        corrected = detect_drift(ref, cur, settings=DriftSettings(multiple_testing=how))
        assert corrected.drifted_columns == ()
        column = corrected.column(plain.drifted_columns[0])
        assert column.p_value_raw is not None and column.statistic is not None
        assert column.statistic > column.p_value_raw
        assert "adjusted" in column.reason


def test_calibration_keeps_a_small_window_on_a_large_reference_quiet():
    rng = np.random.default_rng(4)
    ref = pa.table({f"c{i}": rng.standard_t(3, 50_000) for i in range(10)})
    cur = pa.table({f"c{i}": rng.standard_t(3, 100) for i in range(10)})
    settings = DriftSettings(min_rows=50)
    plain = detect_drift(ref, cur, settings=settings)
    assert plain.drifted_columns  # W on 100 rows is noisy: some exceed 0.1 by chance
    calibrated = detect_drift(ref, cur, settings=dataclasses.replace(settings, calibrate=True))
    assert calibrated.drifted_columns == ()
    column = calibrated.column("c0")
    assert column.threshold_source == "calibrated"
    assert column.threshold is not None and column.threshold > 0.1
    shifted = pa.table({f"c{i}": rng.standard_t(3, 100) + 1.5 for i in range(10)})
    assert (
        len(
            detect_drift(
                ref, shifted, settings=dataclasses.replace(settings, calibrate=True)
            ).drifted_columns
        )
        == 10
    )


def test_a_jump_in_the_share_of_missing_values_drifts_a_drop_does_not():
    rng = np.random.default_rng(5)
    values = rng.normal(size=2000)
    holes = values.copy()
    holes[:800] = np.nan
    gaps = pa.array([None if i % 10 == 0 else "a" for i in range(2000)])
    ref = pa.table({"x": values, "y": gaps})
    cur = pa.table({"x": holes, "y": pa.array(["a"] * 2000)})
    result = detect_drift(ref, cur)
    x = result.column("x")
    assert x.missing_current == pytest.approx(0.4)
    assert x.missing_drifted and x.drifted and not x.distribution_drifted
    assert x.current_values == 1200
    y = result.column("y")
    assert y.missing_reference == pytest.approx(0.1)
    # fewer missing values than in training is not a jump (Evidently's test is one-sided)
    assert not y.missing_drifted and not y.drifted


def test_a_column_missing_everywhere_in_current_is_a_data_quality_failure():
    ref = pa.table({"x": np.arange(500, dtype=float), "z": np.arange(500, dtype=float)})
    cur = pa.table({"x": pa.nulls(500, pa.float64()), "z": np.arange(500, dtype=float)})
    result = detect_drift(ref, cur)
    x = result.column("x")
    assert x.data_quality == "all 500 value(s) are missing"
    assert x.tested and x.drifted
    assert result.dataset_drift  # 1 of 2 columns, and a data-quality failure fails the dataset
    assert result.to_dict()["data_quality_failures"] == ["x"]


def test_unseen_category_small_and_constant_columns():
    ref = pa.table({"c": ["a"] * 300 + ["b"] * 300, "k": [1.0] * 600, "same": ["x"] * 600})
    cur = pa.table(
        {
            "c": ["a"] * 250 + ["b"] * 250 + ["new"] * 100,
            "k": [1.0] * 300 + [2.0] * 300,
            "same": ["x"] * 600,
        }
    )
    result = detect_drift(ref, cur)
    c = result.column("c")
    assert c.method == "chisquare" and c.drifted
    assert c.unseen_categories == ("new",)
    same = result.column("same")
    assert same.method == "ztest" and same.statistic == 1.0 and not same.drifted
    assert "constant" in same.reason
    k = result.column("k")  # constant in the reference, two values now
    assert k.method == "ztest" and k.drifted


def test_constant_reference_against_spread_current_in_a_large_sample():
    ref = pa.table({"k": np.zeros(5000)})
    cur = pa.table({"k": np.random.default_rng(0).normal(size=5000)})
    result = detect_drift(ref, cur, settings=DriftSettings(min_rows=10))
    k = result.column("k")
    assert k.method == "wasserstein" and k.drifted
    assert "constant" in k.reason


def test_a_window_too_small_to_judge_gives_a_clear_result():
    ref = pa.table({"x": np.arange(1000, dtype=float)})
    cur = pa.table({"x": np.arange(12, dtype=float)})
    result = detect_drift(ref, cur)
    assert result.status == "insufficient_data"
    assert result.dataset_drift is False
    assert result.message == (
        "the current data has 12 row(s), fewer than min_rows=100: too few to judge drift"
    )
    assert result.column("x").skipped == result.message
    assert result.headline().startswith("Drift not judged")


def test_column_overrides_choose_method_and_threshold(large):
    settings = DriftSettings(
        columns={
            "tiny": ColumnOverride(threshold=0.01),
            "shift": ColumnOverride(method="psi"),
            "colour": ColumnOverride(method="chisquare", threshold=1e-300),
        }
    )
    result = detect_drift(*large, settings=settings)
    tiny = result.column("tiny")
    assert tiny.threshold == 0.01 and tiny.threshold_source == "override" and tiny.drifted
    shift = result.column("shift")
    assert shift.method == "psi" and shift.drifted and "deciles" in shift.reason
    colour = result.column("colour")
    assert colour.method == "chisquare" and colour.threshold == 1e-300
    assert "monitoring.columns" in colour.reason


def test_settings_method_applies_where_it_fits_and_falls_back_elsewhere(large):
    result = detect_drift(*large, settings=DriftSettings(method="ks"))
    assert result.column("shift").method == "ks"
    assert result.column("colour").method == "jensenshannon"
    assert "does not fit" in result.column("colour").reason


def test_an_override_that_does_not_fit_the_column_is_a_user_error(small):
    settings = DriftSettings(columns={"colour": ColumnOverride(method="wasserstein")})
    with pytest.raises(DriftError) as error:
        detect_drift(*small, settings=settings)
    assert error.value.message == (
        "monitoring.columns.colour.method is 'wasserstein', which does not fit column 'colour': "
        "it is categorical or has 5 distinct values or fewer"
    )
    assert error.value.hint and "chisquare, jensenshannon or psi" in error.value.hint


def test_an_override_for_an_unknown_column_is_a_user_error(small):
    with pytest.raises(DriftError, match="not compared: colur"):
        detect_drift(*small, settings=DriftSettings(columns={"colur": ColumnOverride("psi")}))


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("method", "kl", "The 'method' parameter of DriftSettings must be one of auto, ks"),
        ("drift_share", 0.0, "The 'drift_share' parameter of drift settings must be a number"),
        ("min_rows", 0, "The 'min_rows' parameter of drift settings must be a whole number"),
        ("multiple_testing", "holm", "The 'multiple_testing' parameter"),
    ],
)
def test_bad_settings_say_what_is_allowed(field, value, expected):
    with pytest.raises(DriftError) as error:
        DriftSettings(**{field: value})
    assert error.value.message.startswith(expected)
    assert f"Got {value!r} instead." in error.value.message


def test_settings_from_a_deployment_monitoring_section():
    from mlops_gitops.specs.models import DriftOverride, Monitoring

    monitoring = Monitoring(
        min_rows=50,
        drift_share=0.3,
        method="psi",
        calibrate=True,
        multiple_testing="fdr",
        columns={"age": DriftOverride(method="ks", threshold=0.01)},
    )
    settings = DriftSettings.from_monitoring(monitoring)
    assert (settings.min_rows, settings.drift_share, settings.method) == (50, 0.3, "psi")
    assert settings.calibrate and settings.multiple_testing == "fdr"
    assert settings.override("age") == ColumnOverride("ks", 0.01)


def test_declared_features_set_types_and_report_missing_ones():
    rng = np.random.default_rng(6)
    ref = pa.table(
        {
            "code": rng.integers(0, 40, 3000),
            "note": ["x"] * 3000,
            "when": pa.array(np.arange(3000).astype("datetime64[s]")),
        }
    )
    cur = pa.table(
        {
            "code": rng.integers(0, 40, 3000),
            "note": ["y"] * 3000,
            "when": pa.array(np.arange(3000).astype("datetime64[s]")),
        }
    )
    features = (
        FeatureInfo("code", "category"),
        FeatureInfo("note", "text"),
        FeatureInfo("when", "datetime"),
        FeatureInfo("age", "number"),
    )
    result = detect_drift(ref, cur, features=features)
    assert result.column("code").method == "jensenshannon"  # integers, declared categorical
    assert result.column("code").kind == "categorical"
    assert result.column("note").skipped == (
        "text columns are not compared (no distribution test fits)"
    )
    assert result.column("when").skipped is not None
    assert result.column("age").skipped == (
        "the model's input column is missing from the reference and current data"
    )
    assert [c.name for c in result.tested_features] == ["code"]


def test_inferred_types_skip_identifiers_and_datetimes_and_note_one_sided_columns():
    n = 500
    ref = pa.table(
        {
            "id": [f"r{i}" for i in range(n)],
            "x": np.arange(n, dtype=float),
            "t": pa.array(np.arange(n).astype("datetime64[s]")),
            "old": np.ones(n),
        }
    )
    cur = pa.table(
        {
            "id": [f"c{i}" for i in range(n)],
            "x": np.arange(n, dtype=float),
            "t": pa.array(np.arange(n).astype("datetime64[s]")),
            "new": np.ones(n),
        }
    )
    result = detect_drift(ref, cur)
    assert "looks like free text or an identifier" in (result.column("id").skipped or "")
    assert "datetime" in (result.column("t").skipped or "")
    assert result.notes == (
        "only in the reference data, not compared: old",
        "only in the current data, not compared: new",
    )


def test_prediction_drift_is_reported_apart_from_the_feature_share():
    rng = np.random.default_rng(7)
    ref = pa.table(
        {"x": rng.normal(size=2000), "prediction": rng.choice(["yes", "no"], 2000, p=[0.2, 0.8])}
    )
    cur = pa.table(
        {"x": rng.normal(size=2000), "prediction": rng.choice(["yes", "no"], 2000, p=[0.6, 0.4])}
    )
    result = detect_drift(ref, cur)
    assert result.prediction_drift is True
    assert result.prediction is not None and result.prediction.role == "prediction"
    assert result.dataset_drift is False and result.drift_share == 0.0
    assert result.to_dict()["prediction_drift"] is True


def test_no_shared_columns_is_a_user_error():
    with pytest.raises(DriftError, match="no column in common"):
        detect_drift(pa.table({"a": [1.0]}), pa.table({"b": [1.0]}))


def test_pandas_frames_and_files_are_accepted(tmp_path, small):
    import pyarrow.csv as csv
    import pyarrow.parquet as pq

    ref, cur = small
    pq.write_table(ref, tmp_path / "ref.parquet")
    csv.write_csv(cur, tmp_path / "cur.csv")
    from_files = detect_drift(tmp_path / "ref.parquet", str(tmp_path / "cur.csv"))
    from_frames = detect_drift(ref.to_pandas(), cur.to_pandas())
    assert from_files.drifted_columns == from_frames.drifted_columns
    (tmp_path / "ref.json").write_text("{}")
    with pytest.raises(DataError, match=r"must end in \.csv, \.parquet or \.pq"):
        detect_drift(tmp_path / "ref.json", cur)
    with pytest.raises(DriftError, match="must be a pyarrow Table"):
        detect_drift([1, 2], cur)
