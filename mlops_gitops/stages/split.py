"""Stage ``split``: train and test splits, seeded; stratified or time-ordered when asked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mlops_gitops.errors import StageError
from mlops_gitops.layout import ProjectLayout
from mlops_gitops.specs.models import Dataset
from mlops_gitops.stages.context import dataset_settings, load_frame

__all__ = ["run", "split_frame"]


def split_frame(frame: Any, dataset: Dataset) -> tuple[Any, Any]:
    from sklearn.model_selection import train_test_split

    settings = dataset.split
    if settings.time_column is not None:
        ordered = frame.sort_values(settings.time_column, kind="stable")
        cut = len(ordered) - max(1, round(len(ordered) * settings.test_size))
        return ordered.iloc[:cut], ordered.iloc[cut:]
    stratify = frame[dataset.target] if settings.stratify else None
    try:
        train, test = train_test_split(
            frame, test_size=settings.test_size, random_state=settings.seed, stratify=stratify
        )
    except ValueError as error:
        raise StageError(
            f"cannot split dataset {dataset.name!r}: {error}",
            "lower split.testSize, or turn stratify off when a class has too few rows",
        ) from error
    return train, test


def run(root: Path, name: str) -> str:
    dataset = dataset_settings(root, name)
    layout = ProjectLayout(root)
    frame = load_frame(layout.raw_data(name))
    train, test = split_frame(frame, dataset)
    for path, rows in ((layout.train_split(name), train), (layout.test_split(name), test)):
        tmp = path.with_name(f".{path.name}.tmp")
        rows.reset_index(drop=True).to_parquet(tmp, index=False)
        tmp.replace(path)
    return f"{len(train)} train rows, {len(test)} test rows"
