"""The drift pull request: a drift report committed back for a person to review, with a new
dataset version and a champion/challenger comparison when asked.

Modules, one job each:

- ``dataset_version``: current rows + labelled rows as a new data file with its ``.dvc`` pointer;
- ``dvc_store``: the new data into DVC's cache and remote, leaving the work tree as it was;
- ``spec_source``: point a Dataset spec at the new file, keeping comments;
- ``challenger``: retrain with the experiment's search, score champion and challenger;
- ``body``: the pull request's title and body;
- ``propose``: ``mlops drift pr``, the straight path through all of the above.

The check itself is :mod:`mlops_gitops.monitoring`'s; labels and performance on labelled
traffic are :mod:`mlops_gitops.labels`'. Heavy libraries load only when a function runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mlops_gitops.drift_pr.propose import DriftProposal, propose_drift_pr

__all__ = ["DriftProposal", "propose_drift_pr"]


def __getattr__(name: str) -> object:
    if name in __all__:
        from mlops_gitops.drift_pr import propose

        return getattr(propose, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
