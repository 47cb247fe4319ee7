"""Served requests joined with their late labels: the labelled rows of a monitoring window.

Requests come from the request log (local or object storage, rows with
``start <= timestamp < end``) or from a file; labels from every file of ``<log>/labels/``
whatever their own time, since labels arrive late. A request labelled twice keeps its newest
label.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from mlops_gitops.errors import DriftError
from mlops_gitops.requestlog.schema import LABEL, LABEL_COLUMNS, REQUEST_ID, TIMESTAMP

if TYPE_CHECKING:
    import pandas as pd

    from mlops_gitops.io.storage import Location
    from mlops_gitops.specs.models import Deployment

__all__ = ["LABEL", "LabelledWindow", "labels_directory", "read_labelled_window", "read_labels"]


@dataclass(frozen=True)
class LabelledWindow:
    """``frame``: one row per labelled request of the window: ``request_id``, ``timestamp``, the
    logged feature columns, ``prediction`` and ``label``. ``requests``: rows of the window."""

    frame: pd.DataFrame
    requests: int
    label_files: int

    @property
    def rows(self) -> int:
        return len(self.frame)


def labels_directory(root: Path, deployment: Deployment) -> Location:
    """The labels folder beside the deployment's request log (local or object storage)."""
    from mlops_gitops.requestlog.layout import LABELS_DIR, request_log_location

    return request_log_location(root, deployment).child(LABELS_DIR)


def read_labels(folder: Location | Path) -> pd.DataFrame | None:
    """The newest label of each request id in the Parquet files below ``folder``; None without
    files."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from mlops_gitops.io.storage import location

    folder = location(folder) if isinstance(folder, Path) else folder
    files = folder.find(".parquet")
    if not files:
        return None
    tables = []
    for path, data in folder.read_many(files).items():
        try:
            tables.append(pq.read_table(pa.BufferReader(data), columns=list(LABEL_COLUMNS)))
        except (pa.ArrowException, OSError, KeyError) as error:
            raise DriftError(
                f"could not read the labels file {path}: {error}",
                "labels files need the columns request_id, label and timestamp; move the broken "
                "file out of the folder and import the labels again",
            ) from error
    try:
        table = pa.concat_tables(tables, promote_options="permissive")
    except pa.ArrowException as error:
        raise DriftError(
            f"the labels files in {folder} disagree on column types: {error}",
            "import labels of one type (the model's class labels or numbers)",
        ) from error
    frame = table.to_pandas()
    frame = frame.dropna(subset=[REQUEST_ID, LABEL]).sort_values(TIMESTAMP, kind="stable")
    latest: pd.DataFrame = frame.drop_duplicates(REQUEST_ID, keep="last")[[REQUEST_ID, LABEL]]
    return latest


def read_labelled_window(
    root: Path,
    deployment: Deployment,
    *,
    start: datetime | None,
    end: datetime,
    current: Path | None = None,
) -> LabelledWindow | None:
    """The labelled requests of ``[start, end)`` (or of ``current``, a file with ``request_id``
    and ``prediction`` columns); None when the deployment has no labels at all, or ``current``
    has no ``request_id`` column to join them on."""
    from mlops_gitops.io.tables import read_table
    from mlops_gitops.requestlog.layout import request_log_location
    from mlops_gitops.requestlog.window import read_current_window

    labels = read_labels(labels_directory(root, deployment))
    if labels is None:
        return None
    if current is not None:
        requests = read_table(current).to_pandas()
    else:
        if start is None:
            raise DriftError("the window has no start", "pass --current FILE or a window")
        window = read_current_window(
            request_log_location(root, deployment), window=end - start, now=end
        )
        requests = window.table.to_pandas()
    if REQUEST_ID not in requests.columns:
        return None  # an ad hoc file without request ids: labels cannot be joined to it
    requests = requests.drop(columns=[LABEL], errors="ignore")
    requests[REQUEST_ID] = requests[REQUEST_ID].astype(str)
    joined = requests.merge(labels, on=REQUEST_ID, how="inner", validate="many_to_one")
    return LabelledWindow(joined.reset_index(drop=True), len(requests), _count(root, deployment))


def _count(root: Path, deployment: Deployment) -> int:
    return len(labels_directory(root, deployment).find(".parquet"))
