"""Pipeline stages, one module each, run by ``dvc repro`` as ``python -m mlops_gitops.stages``.

Every stage reads its settings from what ``mlops apply`` rendered (the tunables in
``params.yaml``, the fixed settings in ``.mlops/specs/``: the keys and files DVC tracks for it),
never from the spec files, so what DVC says a stage depends on is what it used. Each writes
machine-readable JSON and a short Markdown summary.
"""

STAGES = (
    "ingest",
    "profile",
    "validate",
    "split",
    "train",
    "reference",
    "evaluate",
    "performance",
    "interpret",
    "card",
)
