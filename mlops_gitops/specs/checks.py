"""Checks across specs and against the catalogue: what a JSON Schema cannot say.

Each check takes the located specs and yields diagnostics; all of them run, so a person sees
every problem at once.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from mlops_gitops.errors import UnknownSpec, did_you_mean
from mlops_gitops.io.outbound import ALLOW_ENV, AllowList, url_refusal
from mlops_gitops.specs.catalogue import ESTIMATORS, METRICS, Task, estimator_class
from mlops_gitops.specs.diagnostics import Diagnostic
from mlops_gitops.specs.hyperparams import (
    GRID_POINTS,
    MAX_CHOICES,
    MAX_GRID,
    ParamType,
    param_type,
)
from mlops_gitops.specs.models import (
    Candidate,
    Dataset,
    Deployment,
    Experiment,
    Problem,
    Range,
    Spec,
)
from mlops_gitops.specs.schema import describe
from mlops_gitops.specs.yamlpos import Document
from mlops_gitops.specs.yamlpos import Path as JsonPath

__all__ = ["Located", "run_checks"]

SECRET_QUERY_KEYS = frozenset(
    {
        "token",
        "access_token",
        "auth",
        "api_key",
        "apikey",
        "key",
        "secret",
        "password",
        "sig",
        "signature",
        "x-amz-signature",
        "x-goog-signature",
        "sas",
    }
)


@dataclass(frozen=True)
class Located:
    """A built spec and the YAML document it came from (for positions)."""

    spec: Spec
    doc: Document

    def at(self, path: JsonPath, message: str, *, key: bool = False) -> Diagnostic:
        return self.doc.diagnostic(path, message, key=key, category="reference")


class _Index:
    def __init__(self, located: Sequence[Located], declared: frozenset[tuple[str, str]]) -> None:
        self.declared = declared
        self.by_kind: dict[str, dict[str, Located]] = {
            "Problem": {},
            "Dataset": {},
            "Experiment": {},
            "Deployment": {},
        }
        self.duplicates: list[tuple[Located, Located]] = []
        for item in located:
            names = self.by_kind[item.spec.kind]
            first = names.get(item.spec.name)
            if first is None:
                names[item.spec.name] = item
            else:
                self.duplicates.append((first, item))

    def get(self, kind: str, name: str) -> Located | None:
        return self.by_kind[kind].get(name)

    def is_missing(self, kind: str, name: str) -> bool:
        """Missing, and not merely invalid (an invalid spec is already reported)."""
        return name not in self.by_kind[kind] and (kind, name) not in self.declared

    def missing(self, kind: str, name: str) -> str:
        return UnknownSpec(kind, name, self.by_kind[kind]).message


Check = Callable[[_Index, Path], Iterator[Diagnostic]]


def _duplicates(index: _Index, root: Path) -> Iterator[Diagnostic]:
    for first, again in index.duplicates:
        yield again.at(
            ("metadata", "name"),
            f"duplicate {again.spec.kind} name {again.spec.name!r} "
            f"(first defined at {first.spec.source})",
        )


def _problems(index: _Index, root: Path) -> Iterator[Diagnostic]:
    for item in index.by_kind["Problem"].values():
        problem = item.spec
        assert isinstance(problem, Problem)
        yield from _metric_fits(item, ("spec", "metric"), problem.metric, problem.task)
        for i, criterion in enumerate(problem.success_criteria):
            yield from _metric_fits(
                item, ("spec", "successCriteria", i, "metric"), criterion.metric, problem.task
            )
            if (
                criterion.min is not None
                and criterion.max is not None
                and criterion.min > criterion.max
            ):
                yield item.at(
                    ("spec", "successCriteria", i),
                    f"min {criterion.min:g} is above max {criterion.max:g}: no model can pass",
                )


def _metric_fits(item: Located, path: JsonPath, metric: str, task: str) -> Iterator[Diagnostic]:
    info = METRICS.get(metric)
    if info is not None and info.task != task:
        fitting = ", ".join(sorted(m for m, i in METRICS.items() if i.task == task))
        yield item.at(
            path, f"metric {metric!r} is for {info.task}, not {task}; use one of: {fitting}"
        )


def _datasets(index: _Index, root: Path) -> Iterator[Diagnostic]:
    for item in index.by_kind["Dataset"].values():
        dataset = item.spec
        assert isinstance(dataset, Dataset)
        names = [c.name for c in dataset.columns]
        target = dataset.column(dataset.target)
        if target is None:
            yield item.at(
                ("spec", "target"),
                f"target {dataset.target!r} is not in the dataset's columns; "
                f"columns: {', '.join(names)}{did_you_mean(dataset.target, names)}",
            )
        elif dataset.split.stratify and target.type in ("number", "datetime", "text"):
            yield item.at(
                ("spec", "split", "stratify"),
                f"cannot stratify on target {dataset.target!r} of type {target.type}: "
                "stratified splits need class labels; set stratify: false for a regression target",
            )
        time_column = dataset.split.time_column
        if time_column is not None and time_column not in names:
            yield item.at(
                ("spec", "split", "timeColumn"),
                f"time column {time_column!r} is not in the dataset's columns"
                f"{did_you_mean(time_column, names)}",
            )
        if time_column is not None and dataset.split.stratify:
            yield item.at(
                ("spec", "split", "stratify"),
                "a time-ordered split cannot also be stratified; drop one of stratify, timeColumn",
            )
        for i, column in enumerate(dataset.sensitive_columns):
            if column not in names:
                yield item.at(
                    ("spec", "sensitiveColumns", i),
                    f"sensitive column {column!r} is not in the dataset's columns"
                    f"{did_you_mean(column, names)}",
                )
        for schema in dataset.columns:
            path: JsonPath = ("spec", "columns", schema.name)
            if schema.min is not None and schema.max is not None and schema.min > schema.max:
                yield item.at(path, f"min {schema.min:g} is above max {schema.max:g}")
            if (schema.min is not None or schema.max is not None) and schema.type not in (
                "number",
                "integer",
            ):
                yield item.at(
                    path, f"min/max apply to number and integer columns, not {schema.type}"
                )
        yield from _source(item, dataset, root)


def _source(item: Located, dataset: Dataset, root: Path) -> Iterator[Diagnostic]:
    source = dataset.data_source
    if source.path is not None and not _inside(root, source.path):
        yield item.at(
            ("spec", "source", "path"),
            f"path {source.path!r} points outside the repository; keep data inside it "
            "(a relative path such as data/raw/file.csv)",
        )
    if source.token_env is not None:
        if _reserved_env(source.token_env):
            yield item.at(
                ("spec", "source", "tokenEnv"),
                f"tokenEnv names {source.token_env}, a credential of the CI runner; give the "
                "data token a variable of its own (e.g. MLOPS_DATA_TOKEN)",
            )
        if source.url is None or not source.url.startswith("https://"):
            yield item.at(
                ("spec", "source", "tokenEnv"),
                "a token is only sent over https: give an https:// url, or drop tokenEnv",
            )
    if source.url is not None:
        refusal = url_refusal(
            source.url, allow_http=source.allow_http, allow=AllowList.from_environment()
        )
        if refusal is not None:
            yield item.at(
                ("spec", "source", "url"),
                f"the url is not fetched: {refusal}; a pipeline that runs on pull requests must "
                f"not reach internal addresses (list a trusted server in {ALLOW_ENV})",
            )
        parts = urlsplit(source.url)
        if parts.password or parts.username:
            yield item.at(
                ("spec", "source", "url"),
                "the url has credentials written inline; remove them and name an environment "
                "variable with tokenEnv instead",
            )
        secret_keys = sorted(
            {k for k, _ in parse_qsl(parts.query) if k.lower() in SECRET_QUERY_KEYS}
        )
        if secret_keys:
            yield item.at(
                ("spec", "source", "url"),
                f"the url carries a secret inline (query parameter {', '.join(secret_keys)}); "
                "remove it and name an environment variable with tokenEnv instead",
            )


# Credentials a CI runner holds for its own use: a spec must not be able to send them anywhere.
RESERVED_ENV_PREFIXES = ("GITHUB_", "GH_", "ACTIONS_", "RUNNER_", "AWS_", "AZURE_", "GOOGLE_")


def _reserved_env(name: str) -> bool:
    return name.upper().startswith(RESERVED_ENV_PREFIXES)


def _request_log_problems(
    item: Located, root: Path, deployment: Deployment
) -> Iterator[Diagnostic]:
    """``requestLog.uri``: one place (not also ``directory``), a folder inside the repository
    or an object store, no credentials in it."""
    from mlops_gitops.io.storage import is_remote

    log = deployment.request_log
    if deployment.runtime == "kubernetes" and log.enabled and not is_remote(log.uri or ""):
        yield item.at(
            ("spec", "requestLog") if log.uri is None else ("spec", "requestLog", "uri"),
            "a kubernetes deployment logs its requests to object storage: a pod's own disk is "
            "lost when it restarts and split between replicas, so drift checks could not read "
            "it; set requestLog.uri (s3://bucket/prefix) or requestLog.enabled: false",
        )
    if log.uri is None:
        return
    where = ("spec", "requestLog", "uri")
    if log.directory is not None:
        yield item.at(where, "give uri or directory, not both (uri replaces directory)")
    if is_remote(log.uri):
        if "@" in log.uri.split("://", 1)[1].split("/", 1)[0]:
            yield item.at(
                where,
                "uri holds credentials; remove them and set the storage variables "
                "(AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, ...) in the environment instead",
            )
    elif not _inside(root, log.uri):
        yield item.at(
            where,
            f"uri {log.uri!r} is a folder outside the repository; keep a local request log "
            "inside it, or use an object store (s3://bucket/prefix)",
        )


def _inside(root: Path, path: str) -> bool:
    candidate = Path(path)
    return not candidate.is_absolute() and (root / candidate).resolve().is_relative_to(
        root.resolve()
    )


def _experiments(index: _Index, root: Path) -> Iterator[Diagnostic]:
    for item in index.by_kind["Experiment"].values():
        experiment = item.spec
        assert isinstance(experiment, Experiment)
        problem_item = index.get("Problem", experiment.problem)
        dataset_item = index.get("Dataset", experiment.dataset)
        if index.is_missing("Problem", experiment.problem):
            yield item.at(("spec", "problem"), index.missing("Problem", experiment.problem))
        if index.is_missing("Dataset", experiment.dataset):
            yield item.at(("spec", "dataset"), index.missing("Dataset", experiment.dataset))
        problem_spec = problem_item.spec if problem_item is not None else None
        task = problem_spec.task if isinstance(problem_spec, Problem) else None
        for i, candidate in enumerate(experiment.candidates):
            yield from _candidate_params(item, i, candidate, task, experiment.search.strategy)
        seen: dict[str, int] = {}
        for i, candidate in enumerate(experiment.candidates):
            if candidate.name in seen:
                yield item.at(
                    ("spec", "candidates", i),
                    f"duplicate candidate name {candidate.name!r} "
                    f"(also candidate {seen[candidate.name]}); give each a distinct name",
                )
            seen.setdefault(candidate.name, i)
        if experiment.compute.backend == "dask" and experiment.compute.scheduler is None:
            yield item.at(
                ("spec", "compute"),
                "compute backend dask needs a scheduler address (e.g. tcp://127.0.0.1:8786)",
            )
        if problem_item is None:
            continue
        problem = problem_item.spec
        assert isinstance(problem, Problem)
        for i, candidate in enumerate(experiment.candidates):
            if estimator_class(candidate.estimator, problem.task) is None:
                fitting = ", ".join(sorted(n for n, t in ESTIMATORS.items() if problem.task in t))
                other = next(iter(ESTIMATORS.get(candidate.estimator, {})), "another")
                yield item.at(
                    ("spec", "candidates", i, "estimator"),
                    f"{candidate.estimator!r} is a {other} estimator, but problem "
                    f"{problem.name!r} is a {problem.task} task; use one of: {fitting}",
                )
        if experiment.search.scoring is not None:
            yield from _metric_fits(
                item, ("spec", "search", "scoring"), experiment.search.scoring, problem.task
            )
        if dataset_item is None:
            continue
        dataset = dataset_item.spec
        assert isinstance(dataset, Dataset)
        if problem.target != dataset.target:
            yield item.at(
                ("spec", "dataset"),
                f"problem {problem.name!r} predicts {problem.target!r}, but dataset "
                f"{dataset.name!r} has target {dataset.target!r}; make them the same column",
            )
        if problem.task == "regression" and dataset.split.stratify:
            yield item.at(
                ("spec", "dataset"),
                f"dataset {dataset.name!r} asks for a stratified split, but problem "
                f"{problem.name!r} is a regression task; set stratify: false",
            )


def _candidate_params(
    item: Located, i: int, candidate: Candidate, task: Task | None, strategy: str
) -> Iterator[Diagnostic]:
    estimator, params = candidate.estimator, candidate.params
    entries = ESTIMATORS.get(estimator, {})
    allowed = sorted({p for c in entries.values() for p in c.params})
    if not allowed and estimator not in ESTIMATORS:
        return  # the schema already reported the unknown estimator
    tasks = [task] if task is not None and task in entries else sorted(entries)
    grid = 1
    for name, value in params.items():
        path: JsonPath = ("spec", "candidates", i, "params", name)
        if name not in allowed:
            yield item.at(
                path,
                f"unknown hyperparameter {name!r} for {estimator}"
                f"{did_you_mean(name, allowed) or '; allowed: ' + ', '.join(allowed)}",
                key=True,
            )
            continue
        types = [
            kind
            for t in tasks
            if name in entries[t].params and (kind := param_type(estimator, t, name)) is not None
        ]
        if isinstance(value, Range):
            yield from _range_problems(
                item, path, value, name=name, estimator=estimator, types=types
            )
            grid *= GRID_POINTS
        elif isinstance(value, tuple):
            if len(value) > MAX_CHOICES:
                yield item.at(
                    path,
                    f"{len(value):,} choices for {name}; the limit is {MAX_CHOICES} per "
                    "hyperparameter (use a range {low, high} to search a wide span)",
                )
                continue
            for j, choice in enumerate(value):
                yield from _value_problems(
                    item, (*path, j), choice, name=name, estimator=estimator, types=types
                )
            grid *= len(value)
        else:
            yield from _value_problems(
                item, path, value, name=name, estimator=estimator, types=types
            )
    if strategy == "grid" and grid > MAX_GRID:
        yield item.at(
            ("spec", "candidates", i, "params"),
            f"the grid of candidate {candidate.name!r} holds {grid:,} combinations; the limit "
            f"is {MAX_GRID:,}: use fewer choices, or strategy random with a number of trials",
        )


def _value_problems(
    item: Located,
    path: JsonPath,
    value: object,
    *,
    name: str,
    estimator: str,
    types: Sequence[ParamType],
) -> Iterator[Diagnostic]:
    if types and not any(kind.allows(value) for kind in types):
        yield item.at(
            path,
            f"{name} of {estimator} must be {types[0].describe()}; found {describe(value)}",
        )


def _range_problems(
    item: Located,
    path: JsonPath,
    value: Range,
    *,
    name: str,
    estimator: str,
    types: Sequence[ParamType],
) -> Iterator[Diagnostic]:
    if not all(math.isfinite(v) for v in (value.low, value.high)):
        yield item.at(path, "range ends must be finite numbers")
        return
    if value.low >= value.high:
        yield item.at(path, f"range low {value.low:g} must be below high {value.high:g}")
    if value.log and value.low <= 0:
        yield item.at(path, f"a log range needs low > 0, found {value.low:g}")
    ends = (int(value.low), int(value.high)) if value.integer else (value.low, value.high)
    if types and not any(all(kind.allows(end) for end in ends) for kind in types):
        numeric = [k for k in types if k.integers is not None or k.reals is not None]
        if not numeric:
            yield item.at(path, f"{name} of {estimator} takes {types[0].describe()}, not a range")
        else:
            yield item.at(
                path,
                f"both ends of a range for {name} of {estimator} must be "
                f"{numeric[0].describe()}; found {{low: {ends[0]!r}, high: {ends[1]!r}}}",
            )


def _deployments(index: _Index, root: Path) -> Iterator[Diagnostic]:
    for item in index.by_kind["Deployment"].values():
        deployment = item.spec
        assert isinstance(deployment, Deployment)
        model = deployment.model
        name = model.experiment or model.registered or ""
        field = "experiment" if model.experiment else "registered"
        experiment_item = index.get("Experiment", name)
        if index.is_missing("Experiment", name):
            yield item.at(("spec", "model", field), index.missing("Experiment", name))
        if model.experiment and (model.version or model.stage):
            yield item.at(
                ("spec", "model"),
                "version and stage go with registered, not experiment; "
                "write registered: <name> to serve a registered version",
            )
        if model.version and model.stage:
            yield item.at(("spec", "model"), "give a version or a stage, not both")
        log_dir = deployment.request_log.directory
        if log_dir is not None and not _inside(root, log_dir):
            yield item.at(
                ("spec", "requestLog", "directory"),
                f"directory {log_dir!r} points outside the repository; keep the request log "
                "inside it (the default is .mlops/requests/<deployment>)",
            )
        token_env = deployment.auth_token_env
        if token_env is not None and _reserved_env(token_env):
            yield item.at(
                ("spec", "auth", "tokenEnv"),
                f"tokenEnv names {token_env}, a credential of the CI runner; give the serving "
                "token a variable of its own (e.g. MLOPS_SERVING_TOKEN)",
            )
        yield from _request_log_problems(item, root, deployment)
        image = deployment.image
        for field_name, env in (
            ("usernameEnv", image.registry_username_env),
            ("passwordEnv", image.registry_password_env),
        ):
            ghcr = (image.registry or "").startswith("ghcr.io/") and env == "GITHUB_TOKEN"
            if env is not None and _reserved_env(env) and not ghcr:
                yield item.at(
                    ("spec", "image", field_name),
                    f"{field_name} names {env}, a credential of the CI runner; only a ghcr.io "
                    "registry may use GITHUB_TOKEN; give other registries their own variable",
                )
        if (
            deployment.autoscaling_max_replicas is not None
            and deployment.autoscaling_max_replicas < deployment.replicas
        ):
            yield item.at(
                ("spec", "maxReplicas"),
                f"maxReplicas {deployment.autoscaling_max_replicas} is below replicas "
                f"{deployment.replicas}",
            )
        if experiment_item is None:
            continue
        experiment = experiment_item.spec
        assert isinstance(experiment, Experiment)
        dataset_item = index.get("Dataset", experiment.dataset)
        if dataset_item is None:
            continue
        dataset = dataset_item.spec
        assert isinstance(dataset, Dataset)
        columns = [c.name for c in dataset.columns] + ["prediction"]
        for column in deployment.monitoring.columns:
            if column not in columns:
                yield item.at(
                    ("spec", "monitoring", "columns", column),
                    f"column {column!r} is not in dataset {dataset.name!r}"
                    f"{did_you_mean(column, columns)}",
                    key=True,
                )


CHECKS: tuple[Check, ...] = (_duplicates, _problems, _datasets, _experiments, _deployments)


def run_checks(
    located: Sequence[Located],
    root: Path,
    declared: frozenset[tuple[str, str]] = frozenset(),
) -> list[Diagnostic]:
    """Cross-spec diagnostics; ``declared`` names specs that exist but failed their schema."""
    index = _Index(located, declared)
    return [d for check in CHECKS for d in check(index, root)]
