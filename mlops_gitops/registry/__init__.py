"""The model registry: versions and stages as GTO git tags, promotion gates, lineage, model cards.

Git tags are the registry (GTO's conventions): ``<model>@vX.Y.Z`` registers a version at a
commit, ``<model>#<stage>#<n>`` assigns a stage to it. A model's name is its experiment's name;
``artifacts.yaml`` annotates it as ``type: model`` at ``models/<name>/model.skops``.

Importing this package is light: GTO, DVC and GitPython are imported inside the functions.
"""

from mlops_gitops.registry.checkout import checkout_model
from mlops_gitops.registry.experiment_models import promote_experiment, register_experiment
from mlops_gitops.registry.lineage import build_lineage, dvc_data_version, write_lineage
from mlops_gitops.registry.model_card import render_model_card, write_model_card
from mlops_gitops.registry.model_types import (
    CheckedOutModel,
    ModelDetail,
    ModelSummary,
    ModelVersion,
    Promotion,
    StageRef,
    VersionInfo,
)
from mlops_gitops.registry.promote import promote
from mlops_gitops.registry.queries import list_models, resolve_stage, show_model
from mlops_gitops.registry.register import register_model

__all__ = [
    "CheckedOutModel",
    "ModelDetail",
    "ModelSummary",
    "ModelVersion",
    "Promotion",
    "StageRef",
    "VersionInfo",
    "build_lineage",
    "checkout_model",
    "dvc_data_version",
    "list_models",
    "promote",
    "promote_experiment",
    "register_experiment",
    "register_model",
    "render_model_card",
    "resolve_stage",
    "show_model",
    "write_lineage",
    "write_model_card",
]
