"""The model artifact: a skops file plus a JSON description, with a recorded hash.

Layout of ``models/<experiment>/``::

    model.skops   the fitted scikit-learn Pipeline (skops: safe to load, unlike pickle)
    model.json    ModelInfo: what the model predicts, its input schema, its hash
    compiled/     model.onnx (when verified) and verification.json: see mlops_gitops.ml.compiled

Training writes both with :func:`save_model`; serving, evaluation and the registry read them with
:func:`load_model`, which refuses a file whose hash does not match the record.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from mlops_gitops.errors import MlopsError
from mlops_gitops.fsutil import atomic_write_bytes, atomic_write_text
from mlops_gitops.layout import (  # the file names are the layout's; re-exported for readers
    COMPILED_DIR,
    MODEL_FILE,
    MODEL_INFO_FILE,
    REFERENCE_PROFILE_FILE,
)

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "COMPILED_DIR",
    "MODEL_FILE",
    "MODEL_INFO_FILE",
    "REFERENCE_PROFILE_FILE",
    "Columns",
    "CorruptModel",
    "FeatureInfo",
    "ModelInfo",
    "file_sha256",
    "load_model",
    "read_model_info",
    "save_model",
]


_REQUIRED = "mlops_gitops.required"
"""Field metadata: model.json must hold the field though the dataclass gives it a default."""


@dataclass(frozen=True)
class FeatureInfo:
    """One input column as the model expects it (from the dataset schema)."""

    name: str
    type: str
    nullable: bool = False
    min: float | None = None
    max: float | None = None
    allowed: tuple[Any, ...] | None = None


Columns: TypeAlias = "dict[str, np.ndarray[Any, Any]]"
"""Checked input values, one array per :class:`FeatureInfo` by name (what serving validates,
predicts on and writes to the request log); numpy is imported only by those who build one."""


@dataclass(frozen=True)
class ModelInfo:
    experiment: str
    problem: str
    dataset: str
    task: str
    target: str
    features: tuple[FeatureInfo, ...]
    estimator: str
    candidate: str
    params: dict[str, Any] = field(default_factory=dict)
    classes: tuple[Any, ...] = ()
    sha256: str = field(default="", metadata={_REQUIRED: True})
    framework_version: str = ""
    created: str = ""
    target_min: float | None = None
    target_max: float | None = None
    """The target's range from the dataset schema (labels sent as feedback must fit it)."""
    # the compiled graph's record (mlops_gitops.ml.compiled.CompiledRecord); empty: none
    compiled: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True, default=str) + "\n"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelInfo:
        """Build from parsed model.json; raises ValueError naming the first field that is
        missing, unknown or of the wrong type (callers add the file and what to run)."""
        _check_fields(data, _json_fields(ModelInfo), "")
        if not isinstance(data["features"], list):
            raise ValueError("field 'features' must be a list")
        for i, feature in enumerate(data["features"]):
            _check_fields(feature, _json_fields(FeatureInfo), f"features[{i}].")
        features = tuple(
            FeatureInfo(**{**f, "allowed": tuple(f["allowed"]) if f.get("allowed") else None})
            for f in data["features"]
        )
        return cls(
            **{
                **data,
                "features": features,
                "classes": tuple(data.get("classes") or ()),
            }
        )


_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "bool": (bool,),
    "number": (int, float),
    "list": (list,),
    "dict": (dict,),
}


def _json_type(annotation: Any) -> str:
    """The model.json type of a field annotation; ``?`` when null is allowed too."""
    import types
    import typing

    arms = typing.get_args(annotation) if isinstance(annotation, types.UnionType) else ()
    nullable = type(None) in arms
    base = next((a for a in arms if a is not type(None)), annotation)
    origin = typing.get_origin(base) or base
    name = {str: "str", bool: "bool", float: "number", int: "number", tuple: "list", dict: "dict"}
    return name[origin] + ("?" if nullable else "")


def _json_fields(cls: type) -> dict[str, tuple[str, bool]]:
    """field -> (JSON type, required), from the dataclass: required when it has no default."""
    import dataclasses
    import typing

    hints = typing.get_type_hints(cls)
    return {
        f.name: (
            _json_type(hints[f.name]),
            f.metadata.get(_REQUIRED, False)
            or (f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING),
        )
        for f in dataclasses.fields(cls)
    }


def _check_fields(data: object, fields: dict[str, tuple[str, bool]], prefix: str) -> None:
    if not isinstance(data, dict):
        where = f"'{prefix.rstrip('.')}'" if prefix else "the file"
        raise ValueError(f"{where} must be a JSON object")
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise ValueError(f"unknown field(s) {', '.join(prefix + k for k in unknown)}")
    missing = [k for k, (_, required) in fields.items() if required and k not in data]
    if missing:
        raise ValueError(f"missing field(s) {', '.join(prefix + k for k in missing)}")
    for key, value in data.items():
        kind = fields[key][0]
        wrong_bool = isinstance(value, bool) and kind.startswith("number")
        allowed = _JSON_TYPES[kind.rstrip("?")] + ((type(None),) if kind.endswith("?") else ())
        if not isinstance(value, allowed) or wrong_bool:
            expected = kind.rstrip("?") + (" or null" if kind.endswith("?") else "")
            raise ValueError(f"field '{prefix}{key}' must be a {expected}")


class CorruptModel(MlopsError):
    """A model directory that cannot be used, naming the file and what is wrong with it."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(
            f"model file {path} cannot be used: {problem}",
            "retrain it with `dvc repro`, or restore the committed version with "
            "`dvc checkout` (`dvc pull` when it lives in a remote)",
        )
        self.path = path


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def save_model(model: Any, directory: Path, info: ModelInfo) -> ModelInfo:
    """Write ``model`` with skops and ``info`` (with the file's hash), atomically; return info."""
    import skops.io as sio

    directory.mkdir(parents=True, exist_ok=True)
    payload = sio.dumps(model)
    atomic_write_bytes(directory / MODEL_FILE, payload)
    recorded = ModelInfo(
        **{
            **asdict(info),
            "features": info.features,
            "classes": info.classes,
            "sha256": hashlib.sha256(payload).hexdigest(),
        }
    )
    atomic_write_text(directory / MODEL_INFO_FILE, recorded.to_json())
    return recorded


def read_model_info(directory: Path) -> ModelInfo:
    path = directory / MODEL_INFO_FILE
    if not path.is_file():
        raise MlopsError(
            f"no trained model in {directory} ({MODEL_INFO_FILE} is missing)",
            "run `dvc repro` to train it",
        )
    try:
        data = json.loads(path.read_bytes())
    except (OSError, UnicodeDecodeError) as error:
        raise CorruptModel(path, f"it cannot be read ({error})") from None
    except json.JSONDecodeError as error:
        what = "it is empty" if not error.doc.strip() else f"it is not valid JSON ({error})"
        raise CorruptModel(path, what) from None
    try:
        return ModelInfo.from_dict(data)
    except (ValueError, TypeError) as error:
        raise CorruptModel(path, str(error)) from None


def load_model(directory: Path) -> tuple[Any, ModelInfo]:
    """Load a model, refusing it when its file's hash differs from the recorded one."""
    import skops.io as sio

    info = read_model_info(directory)
    path = directory / MODEL_FILE
    if not path.is_file():
        raise MlopsError(f"model file {path} is missing", "run `dvc repro` (or `dvc pull`)")
    payload = path.read_bytes()
    actual = hashlib.sha256(payload).hexdigest()
    if actual != info.sha256:
        raise CorruptModel(
            path,
            f"its sha256 is {actual[:12]}..., but {MODEL_INFO_FILE} records "
            f"{info.sha256[:12]}...: the file was changed or corrupted",
        )
    if not payload:
        raise CorruptModel(path, "it is empty")
    try:
        untrusted = sio.get_untrusted_types(data=payload)
    except Exception as error:
        raise CorruptModel(
            path, f"it is not a skops file ({type(error).__name__}: {error})"
        ) from None
    trusted = _trusted(untrusted, path)
    try:
        model = sio.loads(payload, trusted=trusted)
    except Exception as error:
        raise CorruptModel(path, f"it cannot be loaded ({type(error).__name__}: {error})") from None
    return model, info


# Types skops does not trust by default but our pipelines contain. Trust is by exact name, never
# by prefix: "anything from numpy or scikit-learn" would include FunctionTransformer wrapping
# builtins.eval, and model files come from commits.
EXTRA_TRUSTED_TYPES = frozenset(
    {
        "numpy.dtype",
        "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
        "sklearn.ensemble._hist_gradient_boosting.binning._BinMapper",
        "sklearn._loss.link.IdentityLink",
        "sklearn._loss.link.LogitLink",
        "sklearn._loss.link.MultinomialLogit",
        "sklearn._loss.loss.HalfSquaredError",
        "sklearn._loss.loss.HalfBinomialLoss",
        "sklearn._loss.loss.HalfMultinomialLoss",
        "sklearn.tree._tree.Tree",
        "sklearn.neighbors._kd_tree.KDTree",
        "sklearn.neighbors._ball_tree.BallTree",
        "sklearn.metrics._dist_metrics.EuclideanDistance64",
        "sklearn.metrics._dist_metrics.ManhattanDistance64",
        "sklearn.metrics._dist_metrics.MinkowskiDistance64",
        "sklearn.metrics._dist_metrics.ChebyshevDistance64",
        "collections.OrderedDict",
        "collections.defaultdict",
    }
)


def _trusted(untrusted: list[str], path: Path) -> list[str]:
    """The types skops flags that we vouch for; anything else refuses the model."""
    unsafe = sorted(t for t in untrusted if t not in EXTRA_TRUSTED_TYPES)
    if unsafe:
        raise MlopsError(
            f"model file {path} holds types that are not trusted: {', '.join(unsafe)}",
            "retrain the model with the catalogue's estimators; if a catalogue estimator needs "
            "one of these types, add it to EXTRA_TRUSTED_TYPES in mlops_gitops/ml/artifact.py",
        )
    return untrusted
