"""The streamed window: the same summaries however the rows are split into files, replicas,
hours and batches; memory that does not grow with the window; object storage; Dask."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mlops_gitops.errors import DriftError
from mlops_gitops.io.storage import location
from mlops_gitops.monitoring.engine import detect_drift
from mlops_gitops.monitoring.profile import build_profile
from mlops_gitops.monitoring.profile_check import detect_drift_from_profile
from mlops_gitops.monitoring.profile_judge import plan_from_profile, summary_needs
from mlops_gitops.monitoring.settings import DriftSettings
from mlops_gitops.monitoring.stream import open_window, summarise_window
from mlops_gitops.requestlog.layout import file_name, partition
from mlops_gitops.requestlog.window import read_current_window
from tests.helpers.drift_data import FEATURES, NOW, PLANTED, planted


def write_window(folder, table: pa.Table, *, files: int, replicas: int, hours: int) -> None:
    """``table``'s rows as request-log files: ``hours`` hour folders before NOW, ``replicas``
    replicas, ``files`` files in all; rows keep their order (file names sort as rows do)."""
    store = location(folder)
    n = table.num_rows
    stamps = [NOW - timedelta(hours=hours) + timedelta(seconds=(i + 0.5) * hours * 3600 / n)
              for i in range(n)]  # fmt: skip
    table = table.append_column("timestamp", pa.array(stamps, type=pa.timestamp("us", tz="UTC")))
    table = table.append_column("request_id", pa.array([str(i) for i in range(n)]))
    bounds = np.linspace(0, n, files + 1).astype(int)
    for k in range(files):
        part = table.slice(bounds[k], bounds[k + 1] - bounds[k])
        hour = partition(stamps[bounds[k]])
        sink = pa.BufferOutputStream()
        pq.write_table(part, sink, row_group_size=5_000)
        name = f"{hour}/{file_name(f'r{k % replicas}', k)}"
        store.write_bytes(name, sink.getvalue().to_pybytes())


def _summary(folder, profile, settings=None, batch_size=65_536):
    settings = settings or DriftSettings()
    window = open_window(folder, window=timedelta(days=1), now=NOW)
    plans, _ = plan_from_profile(profile, window.schema, FEATURES, None)
    needs = summary_needs(profile, plans, window.schema, settings)
    return summarise_window(window, needs, batch_size=batch_size)


def test_many_files_replicas_hours_and_batches_give_the_summary_of_one_file(tmp_path, large):
    ref, cur = large
    profile = build_profile(ref, FEATURES)
    write_window(tmp_path / "one", cur, files=1, replicas=1, hours=1)
    write_window(tmp_path / "many", cur, files=37, replicas=3, hours=12)
    settings = DriftSettings(method="ks")  # the raw-value buffer too
    one = _summary(tmp_path / "one", profile, settings)
    many = _summary(tmp_path / "many", profile, settings, batch_size=1_000)
    assert many.files == 37 and one.files == 1
    assert many.comparable() == one.comparable()
    assert many.rows == cur.num_rows


def test_the_streamed_window_judges_as_the_exact_engine_on_the_read_window(tmp_path, large):
    ref, cur = large
    write_window(tmp_path, cur, files=9, replicas=3, hours=5)
    profile = build_profile(ref, FEATURES)
    read = read_current_window(tmp_path, window=timedelta(days=1), now=NOW)
    window = open_window(tmp_path, window=timedelta(days=1), now=NOW)
    for method in ("auto", "ks", "psi"):
        settings = DriftSettings(method=method)
        exact = detect_drift(ref, read.table, features=FEATURES, settings=settings)
        fast = detect_drift_from_profile(profile, window, features=FEATURES, settings=settings)
        assert fast.drifted_columns == exact.drifted_columns
        assert fast.current_rows == exact.current_rows == cur.num_rows
    assert set(fast.drifted_columns) == PLANTED


def test_only_the_window_is_read(tmp_path, small):
    ref, cur = small
    write_window(tmp_path, cur, files=6, replicas=2, hours=48)  # half of it before the window
    profile = build_profile(ref, FEATURES)
    summary = _summary(tmp_path, profile)
    assert summary.rows == cur.num_rows // 2
    assert summary.files == 3  # the other hour folders are not listed


def test_a_log_without_rows_in_the_window_is_a_user_error(tmp_path, small):
    _, cur = small
    write_window(tmp_path, cur, files=2, replicas=1, hours=1)
    with pytest.raises(DriftError, match=r"holds no \*\.parquet file in the window"):
        open_window(tmp_path, window=timedelta(hours=1), now=NOW - timedelta(days=3))


MEASURE = textwrap.dedent(
    """
    import json, sys, tracemalloc
    from datetime import timedelta
    import pyarrow as pa
    from mlops_gitops.monitoring.profile import read_profile
    from mlops_gitops.monitoring.profile_judge import plan_from_profile, summary_needs
    from mlops_gitops.monitoring.settings import DriftSettings
    from mlops_gitops.monitoring.stream import open_window, summarise_window
    from tests.helpers.drift_data import FEATURES, NOW

    folder, profile_path = sys.argv[1], sys.argv[2]
    profile = read_profile(__import__("pathlib").Path(profile_path))
    window = open_window(folder, window=timedelta(days=30), now=NOW)
    plans, _ = plan_from_profile(profile, window.schema, FEATURES, None)
    needs = summary_needs(profile, plans, window.schema, DriftSettings())
    pool = pa.default_memory_pool()
    before = pool.bytes_allocated()
    tracemalloc.start()
    summary = summarise_window(window, needs, batch_size=4096)
    numpy_peak = tracemalloc.get_traced_memory()[1]
    print(json.dumps({"rows": summary.rows, "numpy": numpy_peak,
                      "arrow": pool.max_memory() - before}))
    """
)


def _measure(folder: Path, profile_path: Path) -> dict[str, int]:
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(folder), str(profile_path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parents[2],
    )
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_memory_stays_flat_when_the_window_grows_tenfold(tmp_path):
    from mlops_gitops.monitoring.profile import write_profile

    ref, cur = planted(20_000, seed=6)
    write_profile(build_profile(ref, FEATURES), tmp_path / "profile.json")
    big = pa.concat_tables([cur] * 10)
    write_window(tmp_path / "short", cur, files=4, replicas=2, hours=4)
    write_window(tmp_path / "long", big, files=40, replicas=2, hours=40)
    short = _measure(tmp_path / "short", tmp_path / "profile.json")
    long = _measure(tmp_path / "long", tmp_path / "profile.json")
    assert (short["rows"], long["rows"]) == (20_000, 200_000)
    # ten times the rows, the same batches and bins: allocated bytes stay within 1.5x
    assert long["numpy"] < 1.5 * short["numpy"], (short, long)
    assert long["arrow"] < 1.5 * short["arrow"] + (1 << 20), (short, long)
    # and below what the window's values alone take (200,000 rows x 14 columns x 8 bytes)
    assert long["numpy"] + long["arrow"] < 200_000 * 14 * 8


def test_a_window_in_object_storage_streams_the_same(tmp_path, small, s3_bucket):
    ref, cur = small
    profile = build_profile(ref, FEATURES)
    uri = f"{s3_bucket}/logs/deployment=api"
    write_window(uri, cur, files=5, replicas=2, hours=3)
    write_window(tmp_path, cur, files=1, replicas=1, hours=1)
    remote = _summary(uri, profile)
    assert remote.files == 5
    assert remote.comparable() == _summary(tmp_path, profile).comparable()


def test_the_dask_path_gives_identical_verdicts(tmp_path, large, cluster):
    ref, cur = large
    write_window(tmp_path, cur, files=8, replicas=2, hours=4)
    profile = build_profile(ref, FEATURES)
    window = open_window(tmp_path, window=timedelta(days=1), now=NOW)
    for settings in (DriftSettings(method="ks"), DriftSettings()):
        local = detect_drift_from_profile(profile, window, features=FEATURES, settings=settings)
        remote = detect_drift_from_profile(
            profile, window, features=FEATURES, settings=settings,
            scheduler=cluster.scheduler_address,
        )  # fmt: skip
        assert remote.columns == local.columns  # every statistic, bit for bit
        assert remote.dataset_drift == local.dataset_drift
    assert set(local.drifted_columns) == PLANTED
