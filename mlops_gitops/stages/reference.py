"""Stage ``reference``: the reference profile of an experiment's training split, beside its model
(``models/<experiment>/reference_profile.json``), typed by the model's input features. Drift
checks read it instead of the training split (see :mod:`mlops_gitops.monitoring.profile`)."""

from __future__ import annotations

from pathlib import Path

from mlops_gitops.layout import ProjectLayout
from mlops_gitops.ml.artifact import read_model_info

__all__ = ["run"]


def run(root: Path, name: str) -> str:
    from mlops_gitops.io.tables import column_kinds, read_table
    from mlops_gitops.monitoring.profile import build_profile, write_profile

    layout = ProjectLayout(root)
    model_dir = layout.model_dir(name)
    info = read_model_info(model_dir)  # the dataset it was trained on, its input schema
    train = layout.train_split(info.dataset)
    table = read_table(train, column_kinds(info.features))
    profile = build_profile(table, info.features, target=info.target, source=layout.posix(train))
    path = layout.reference_profile(name)
    write_profile(profile, path)
    return (
        f"{len(profile.columns)} column(s) of {profile.rows} rows profiled "
        f"({path.stat().st_size / 1024:.0f} KiB)"
    )
