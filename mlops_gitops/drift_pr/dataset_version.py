"""A new version of a dataset: its current rows plus the labelled rows of a drift window.

:func:`build_dataset_version` is pure apart from reading the current data; it returns the
Parquet bytes and the two small files git tracks for them, as ``dvc add`` writes them: the
``.dvc`` pointer (DVC 3: md5 of the bytes, size, ``hash: md5``) and the folder's ``.gitignore``
entry. Putting the bytes into DVC's cache and remote is
:mod:`mlops_gitops.drift_pr.dvc_store`'s job.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from mlops_gitops.errors import DriftError
from mlops_gitops.layout import ProjectLayout
from mlops_gitops.requestlog.schema import LABEL, TIMESTAMP

if TYPE_CHECKING:
    from mlops_gitops.specs.models import Dataset

__all__ = ["DatasetVersion", "build_dataset_version", "dvc_file_text", "gitignore_with"]


@dataclass(frozen=True)
class DatasetVersion:
    """``path``: project-relative POSIX path of the data file; ``content``: its bytes."""

    dataset: str
    path: str
    content: bytes
    based_on: str
    rows: int
    original_rows: int
    added_rows: int
    dvc_file: str
    gitignore: str

    @property
    def dvc_path(self) -> str:
        return f"{self.path}.dvc"

    @property
    def gitignore_path(self) -> str:
        return str(PurePosixPath(self.path).parent / ".gitignore")


def dvc_file_text(name: str, content: bytes) -> str:
    """The ``.dvc`` file ``dvc add`` (DVC 3) writes for a file ``name`` holding ``content``."""
    md5 = hashlib.md5(content, usedforsecurity=False).hexdigest()
    return f"outs:\n- md5: {md5}\n  size: {len(content)}\n  hash: md5\n  path: {name}\n"


def gitignore_with(existing: str, name: str) -> str:
    """``existing`` .gitignore text with ``/name`` added (as ``dvc add`` adds it) if absent."""
    entry = f"/{name}"
    lines = existing.splitlines()
    if entry in lines:
        return existing
    return "".join(f"{line}\n" for line in [*lines, entry])


def current_rows(root: Path, dataset: Dataset) -> tuple[Any, str]:
    """The dataset's rows as the pipeline last ingested them (``raw.parquet``), else its train
    and test splits; and which that was."""
    import pandas as pd

    layout = ProjectLayout(root)
    folder = layout.dataset_dir(dataset.name)
    raw = layout.raw_data(dataset.name)
    if raw.is_file():
        return pd.read_parquet(raw), raw.name
    parts = [layout.train_split(dataset.name), layout.test_split(dataset.name)]
    present = [p for p in parts if p.is_file()]
    if not present:
        raise DriftError(
            f"dataset {dataset.name!r} has no data in {folder}",
            "run `dvc pull` (or `dvc repro`) to fetch or build it",
        )
    return pd.concat([pd.read_parquet(p) for p in present], ignore_index=True), " + ".join(
        p.name for p in present
    )


def labelled_as_dataset(labelled: Any, dataset: Dataset) -> Any:
    """The labelled requests as dataset rows: the schema's feature columns, the label as the
    target, the request time as the time column (when the split uses one)."""
    names = [c.name for c in dataset.feature_columns]
    missing = [n for n in names if n not in labelled.columns]
    if missing:
        raise DriftError(
            f"the request log lacks the dataset's feature column(s) {', '.join(missing)}",
            "serve the model trained on this dataset's schema, then label its requests",
        )
    rows = labelled[names].copy()
    rows[dataset.target] = labelled[LABEL].to_numpy()
    time_column = dataset.split.time_column
    if time_column is not None and time_column not in rows.columns:
        rows[time_column] = labelled[TIMESTAMP].to_numpy()
    return rows


def build_dataset_version(
    root: Path, dataset: Dataset, labelled: Any, *, date: str
) -> DatasetVersion:
    """``data/<dataset>/drift-<date>.parquet``: the current rows, then the labelled rows that
    are not already in them (a later window overlapping an earlier one adds nothing twice)."""
    import pandas as pd

    original, based_on = current_rows(root, dataset)
    added = labelled_as_dataset(labelled, dataset)
    added = added.astype(
        {
            c: original[c].dtype
            for c in added.columns
            if c in original.columns and _castable(added[c], original[c])
        }
    )
    shared = [c for c in added.columns if c in original.columns]
    if shared:
        seen = original[shared].drop_duplicates()
        marked = added.merge(seen, on=shared, how="left", indicator=True)
        added = added[(marked["_merge"] == "left_only").to_numpy()]
    added = added.drop_duplicates()
    combined = pd.concat([original, added], ignore_index=True)
    buffer = io.BytesIO()
    combined.to_parquet(buffer, index=False)
    content = buffer.getvalue()
    layout = ProjectLayout(root)
    folder = layout.dataset_dir(dataset.name)
    name = layout.drift_data(dataset.name, date).name
    existing = folder / ".gitignore"
    return DatasetVersion(
        dataset=dataset.name,
        path=layout.posix(layout.drift_data(dataset.name, date)),
        content=content,
        based_on=f"{layout.posix(folder)}/{based_on}",
        rows=len(combined),
        original_rows=len(original),
        added_rows=len(added),
        dvc_file=dvc_file_text(name, content),
        gitignore=gitignore_with(
            existing.read_text(encoding="utf-8") if existing.is_file() else "", name
        ),
    )


def _castable(values: Any, like: Any) -> bool:
    try:
        values.astype(like.dtype)
    except (TypeError, ValueError):
        return False
    return True
