"""Typed, frozen spec objects.

The loader builds these once from validated YAML; nothing else in the product reads raw spec
dictionaries. Collections are tuples (or read-only mappings) so a spec can be hashed, shared and
changed only by copy (``dataclasses.replace``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal, TypeAlias, TypeVar

from mlops_gitops.errors import UnknownSpec
from mlops_gitops.specs.shape import shape

__all__ = [
    "API_VERSION",
    "Candidate",
    "ColumnSchema",
    "CompileSettings",
    "Compute",
    "Criterion",
    "Dataset",
    "DatasetSource",
    "Deployment",
    "DriftOverride",
    "Experiment",
    "ImageSpec",
    "Interpretation",
    "Metadata",
    "ModelRef",
    "Monitoring",
    "Preprocessing",
    "Problem",
    "Range",
    "RequestLog",
    "Resources",
    "SearchSettings",
    "Source",
    "Spec",
    "SpecSet",
    "SplitSettings",
    "ValidationRules",
]

API_VERSION = "mlops-gitops/v1"

Task = Literal["classification", "regression"]
ColumnType = Literal["number", "integer", "category", "boolean", "text", "datetime"]
Scalar: TypeAlias = str | int | float | bool | None
RuntimeName = Literal["local", "docker", "kubernetes"]


ENVELOPE = shape(envelope=True)
"""Metadata of the fields outside a document's ``spec``: metadata, source position, kind."""
DESCRIPTIVE = shape(params=False)
"""Metadata of descriptive fields: not in params.yaml, so changing them re-runs nothing."""


def frozen_mapping(data: Mapping[str, object] | None = None) -> Mapping[str, object]:
    """A read-only view of a copy of ``data`` (for free-form spec mappings)."""
    return MappingProxyType(dict(data or {}))


@dataclass(frozen=True)
class Source:
    """Where a spec came from: the file and the 1-based line and column of the document."""

    file: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Metadata:
    name: str
    labels: Mapping[str, str] = field(default_factory=frozen_mapping)  # type: ignore[arg-type]
    annotations: Mapping[str, str] = field(default_factory=frozen_mapping)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- Problem


@dataclass(frozen=True)
class Criterion:
    """A success criterion: ``metric`` must be at least ``min`` and/or at most ``max``."""

    metric: str
    min: float | None = None
    max: float | None = None

    def check(self, value: float) -> bool:
        if self.min is not None and value < self.min:
            return False
        return not (self.max is not None and value > self.max)

    def describe(self) -> str:
        parts = []
        if self.min is not None:
            parts.append(f"{self.metric} >= {self.min:g}")
        if self.max is not None:
            parts.append(f"{self.metric} <= {self.max:g}")
        return " and ".join(parts)


@dataclass(frozen=True)
class Problem:
    metadata: Metadata = field(metadata=ENVELOPE)
    source: Source = field(metadata=ENVELOPE)
    question: str = field(metadata=DESCRIPTIVE)
    task: Task
    target: str
    metric: str
    success_criteria: tuple[Criterion, ...] = field(default=(), metadata=shape(always=True))
    hypotheses: tuple[str, ...] = field(default=(), metadata=DESCRIPTIVE)
    business_impact: str = field(default="", metadata=DESCRIPTIVE)
    owner: str = field(default="", metadata=DESCRIPTIVE)

    kind: Literal["Problem"] = field(default="Problem", metadata=ENVELOPE)

    @property
    def name(self) -> str:
        return self.metadata.name


# --------------------------------------------------------------------------- Dataset


@dataclass(frozen=True)
class DatasetSource:
    """Exactly one of ``sklearn``, ``path`` or ``url`` is set."""

    sklearn: str | None = None
    path: str | None = None
    url: str | None = None
    format: Literal["csv", "parquet"] | None = None
    token_env: str | None = None
    allow_http: bool = field(default=False, metadata=shape(omit_default=True))

    @property
    def kind(self) -> Literal["sklearn", "path", "url"]:
        if self.sklearn is not None:
            return "sklearn"
        if self.path is not None:
            return "path"
        return "url"

    @property
    def location(self) -> str:
        return self.sklearn or self.path or self.url or ""


@dataclass(frozen=True)
class ColumnSchema:
    name: str
    type: ColumnType
    nullable: bool = False
    min: float | None = None
    max: float | None = None
    allowed: tuple[Scalar, ...] | None = None
    description: str = field(default="", metadata=DESCRIPTIVE)


@dataclass(frozen=True)
class ValidationRules:
    max_missing_fraction: float = 0.0
    min_rows: int = 1
    max_duplicate_fraction: float = 1.0
    min_class_fraction: float | None = None
    max_class_fraction: float | None = None


@dataclass(frozen=True)
class SplitSettings:
    test_size: float = 0.2
    seed: int = 42
    stratify: bool = False
    time_column: str | None = None


@dataclass(frozen=True)
class Dataset:
    metadata: Metadata = field(metadata=ENVELOPE)
    source: Source = field(metadata=ENVELOPE)
    data_source: DatasetSource = field(metadata=shape(key="source"))
    target: str
    columns: tuple[ColumnSchema, ...] = field(metadata=shape(keyed_by="name"))
    validation: ValidationRules = ValidationRules()
    split: SplitSettings = SplitSettings()
    # always present, even empty: the interpret stage depends on this key
    sensitive_columns: tuple[str, ...] = field(default=(), metadata=shape(always=True))
    license: str | None = None
    description: str = field(default="", metadata=DESCRIPTIVE)

    kind: Literal["Dataset"] = field(default="Dataset", metadata=ENVELOPE)

    @property
    def name(self) -> str:
        return self.metadata.name

    def column(self, name: str) -> ColumnSchema | None:
        return next((c for c in self.columns if c.name == name), None)

    @property
    def feature_columns(self) -> tuple[ColumnSchema, ...]:
        """Every schema column but the target and the time column, in schema order."""
        skip = {self.target, self.split.time_column}
        return tuple(c for c in self.columns if c.name not in skip)


# --------------------------------------------------------------------------- Experiment


@dataclass(frozen=True)
class Range:
    """A numeric search range; ``integer`` when both ends are whole numbers."""

    low: float
    high: float
    log: bool = False
    integer: bool = False

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> Range:
        """``{low, high, log}``; whole-number ends make an integer range."""
        low, high = doc["low"], doc["high"]
        integer = all(isinstance(v, int) and not isinstance(v, bool) for v in (low, high))
        return cls(float(low), float(high), bool(doc.get("log", False)), integer)

    def to_doc(self) -> dict[str, Any]:
        low: float | int = int(self.low) if self.integer else self.low
        high: float | int = int(self.high) if self.integer else self.high
        return {"low": low, "high": high, "log": self.log}


ParamValue: TypeAlias = Scalar | tuple[Scalar, ...] | Range
"""A fixed value, a tuple of choices, or a :class:`Range`."""


@dataclass(frozen=True)
class Candidate:
    name: str = field(metadata=shape(fallback="estimator"))
    estimator: str
    params: Mapping[str, ParamValue] = field(default_factory=frozen_mapping)  # type: ignore[arg-type]

    @property
    def is_search(self) -> bool:
        return any(isinstance(v, tuple | Range) for v in self.params.values())


@dataclass(frozen=True)
class SearchSettings:
    strategy: Literal["grid", "random", "halving"] = "random"
    trials: int = 10
    cv_folds: int = 5
    scoring: str | None = None
    seed: int = 42
    tolerate_failures: bool = field(default=False, metadata=shape(omit_default=True))
    """Keep the best of the candidates that fit when others fail (default: the stage fails)."""


@dataclass(frozen=True)
class Preprocessing:
    impute_numeric: Literal["mean", "median", "most_frequent", "none"] = "median"
    impute_categorical: Literal["most_frequent", "constant", "none"] = "most_frequent"
    scale: Literal["standard", "minmax", "robust", "none"] = "standard"
    encode: Literal["onehot", "ordinal", "none"] = "onehot"


@dataclass(frozen=True)
class Interpretation:
    enabled: bool = True
    permutation_repeats: int = 5
    top_features: int = 3
    local_examples: int = 3
    fairness: bool = True


@dataclass(frozen=True)
class CompileSettings:
    """Compiled inference: convert to ONNX after training, verify within these tolerances."""

    enabled: bool = True
    probability_tolerance: float = field(default=1e-5, metadata=shape(number=True))
    relative_tolerance: float = field(default=1e-5, metadata=shape(number=True))


@dataclass(frozen=True)
class Compute:
    backend: Literal["local", "dask"] = "local"
    scheduler: str | None = None
    n_jobs: int = 1


@dataclass(frozen=True)
class Experiment:
    metadata: Metadata = field(metadata=ENVELOPE)
    source: Source = field(metadata=ENVELOPE)
    problem: str
    dataset: str
    candidates: tuple[Candidate, ...]
    search: SearchSettings = SearchSettings()
    preprocessing: Preprocessing = Preprocessing()
    interpretation: Interpretation = Interpretation()
    compile: CompileSettings = CompileSettings()
    compute: Compute = Compute()
    champion_tolerance: float = field(default=0.0, metadata=shape(number=True))
    description: str = field(default="", metadata=DESCRIPTIVE)

    kind: Literal["Experiment"] = field(default="Experiment", metadata=ENVELOPE)

    @property
    def name(self) -> str:
        return self.metadata.name


# --------------------------------------------------------------------------- Deployment


@dataclass(frozen=True)
class ModelRef:
    """What a deployment serves: an experiment's latest model, or a registered version/stage."""

    experiment: str | None = None
    registered: str | None = None
    version: str | None = None
    stage: str | None = None


@dataclass(frozen=True)
class Resources:
    cpu: str = "500m"
    memory: str = "512Mi"


@dataclass(frozen=True)
class ImageSpec:
    base: str = "python:3.11-slim"
    registry: str | None = None
    registry_username_env: str | None = field(default=None, metadata=shape(key="usernameEnv"))
    registry_password_env: str | None = field(default=None, metadata=shape(key="passwordEnv"))


@dataclass(frozen=True)
class RequestLog:
    enabled: bool = True
    directory: str | None = None
    uri: str | None = None  # a store shared by deployments: s3://bucket/prefix, or a folder
    credentials_secret: str | None = None  # Kubernetes Secret with the storage variables
    max_queue: int = 10_000
    rotate_rows: int = 10_000


@dataclass(frozen=True)
class DriftOverride:
    method: str | None = None
    threshold: float | None = None


@dataclass(frozen=True)
class Monitoring:
    enabled: bool = True
    schedule: str = "0 6 * * *"
    window: str = "7d"
    min_rows: int = 100
    drift_share: float = 0.5
    method: str = "auto"
    calibrate: bool = False
    multiple_testing: Literal["none", "bonferroni", "fdr"] = "none"
    compute: Literal["local", "dask"] = "local"
    scheduler: str | None = None
    columns: Mapping[str, DriftOverride] = field(default_factory=frozen_mapping)  # type: ignore[arg-type]
    action: Literal["pull_request", "none"] = "pull_request"
    retrain: bool = False


@dataclass(frozen=True)
class Deployment:
    metadata: Metadata = field(metadata=ENVELOPE)
    source: Source = field(metadata=ENVELOPE)
    model: ModelRef
    runtime: RuntimeName = "local"
    replicas: int = 1
    port: int = 8080
    resources: Resources = Resources()
    image: ImageSpec = ImageSpec()
    request_log: RequestLog = RequestLog()
    monitoring: Monitoring = Monitoring()
    autoscaling_max_replicas: int | None = field(default=None, metadata=shape(key="maxReplicas"))
    kserve: bool = False
    auth_token_env: str | None = field(default=None, metadata=shape(key="auth.tokenEnv"))
    """Environment variable holding the bearer token for feedback and inference."""

    kind: Literal["Deployment"] = field(default="Deployment", metadata=ENVELOPE)

    @property
    def name(self) -> str:
        return self.metadata.name


Spec: TypeAlias = Problem | Dataset | Experiment | Deployment
_S = TypeVar("_S", Problem, Dataset, Experiment, Deployment)


@dataclass(frozen=True)
class SpecSet:
    """Every spec of a project, by kind and name. Built only by the loader."""

    problems: Mapping[str, Problem] = field(default_factory=frozen_mapping)  # type: ignore[arg-type]
    datasets: Mapping[str, Dataset] = field(default_factory=frozen_mapping)  # type: ignore[arg-type]
    experiments: Mapping[str, Experiment] = field(default_factory=frozen_mapping)  # type: ignore[arg-type]
    deployments: Mapping[str, Deployment] = field(default_factory=frozen_mapping)  # type: ignore[arg-type]

    def __iter__(self) -> Iterator[Spec]:
        yield from self.problems.values()
        yield from self.datasets.values()
        yield from self.experiments.values()
        yield from self.deployments.values()

    def __len__(self) -> int:
        return (
            len(self.problems) + len(self.datasets) + len(self.experiments) + len(self.deployments)
        )

    def problem(self, name: str) -> Problem:
        """The Problem called ``name``; :class:`~mlops_gitops.errors.UnknownSpec` if none is."""
        return _lookup("Problem", self.problems, name)

    def dataset(self, name: str) -> Dataset:
        """The Dataset called ``name``; :class:`~mlops_gitops.errors.UnknownSpec` if none is."""
        return _lookup("Dataset", self.datasets, name)

    def experiment(self, name: str) -> Experiment:
        """The Experiment called ``name``; :class:`~mlops_gitops.errors.UnknownSpec` if none is."""
        return _lookup("Experiment", self.experiments, name)

    def deployment(self, name: str) -> Deployment:
        """The Deployment called ``name``; :class:`~mlops_gitops.errors.UnknownSpec` if none is."""
        return _lookup("Deployment", self.deployments, name)

    def problem_of(self, experiment: Experiment) -> Problem:
        return self.problem(experiment.problem)

    def dataset_of(self, experiment: Experiment) -> Dataset:
        return self.dataset(experiment.dataset)

    def experiment_of(self, deployment: Deployment) -> Experiment | None:
        """The experiment a deployment serves, if it names one (directly or by registered name)."""
        name = deployment.model.experiment or deployment.model.registered
        return self.experiments.get(name) if name else None


def _lookup(kind: str, specs: Mapping[str, _S], name: str) -> _S:
    found = specs.get(name)
    if found is None:
        raise UnknownSpec(kind, name, specs)
    return found
