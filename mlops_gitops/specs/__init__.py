"""The spec language: YAML documents in git -> a validated, typed, frozen :class:`SpecSet`.

``load_specs(root)`` is the only way in: it collects every syntax, schema and cross-spec problem
with its ``file:line:col`` and raises :class:`~mlops_gitops.errors.SpecError` listing them all.
"""

from mlops_gitops.specs.diagnostics import Diagnostic, format_diagnostics
from mlops_gitops.specs.loader import LoadResult, discover, load_specs, validate_specs
from mlops_gitops.specs.models import (
    API_VERSION,
    Dataset,
    Deployment,
    Experiment,
    Problem,
    Spec,
    SpecSet,
)

__all__ = [
    "API_VERSION",
    "Dataset",
    "Deployment",
    "Diagnostic",
    "Experiment",
    "LoadResult",
    "Problem",
    "Spec",
    "SpecSet",
    "discover",
    "format_diagnostics",
    "load_specs",
    "validate_specs",
]
