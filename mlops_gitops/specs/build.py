"""Schema-valid spec documents -> typed, frozen spec objects.

Runs only on documents that passed their JSON Schema, so it trusts shapes and types; defaults
live in the dataclasses of :mod:`mlops_gitops.specs.models`, not here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mlops_gitops.specs.models import (
    Candidate,
    ColumnSchema,
    CompileSettings,
    Compute,
    Criterion,
    Dataset,
    DatasetSource,
    Deployment,
    DriftOverride,
    Experiment,
    ImageSpec,
    Interpretation,
    Metadata,
    ModelRef,
    Monitoring,
    ParamValue,
    Preprocessing,
    Problem,
    Range,
    RequestLog,
    Resources,
    SearchSettings,
    Source,
    Spec,
    SplitSettings,
    ValidationRules,
    frozen_mapping,
)

__all__ = ["build_spec"]


def _pick(data: Mapping[str, Any], fields: Mapping[str, str]) -> dict[str, Any]:
    """Rename the camelCase keys present in ``data`` to dataclass field names."""
    return {attr: data[key] for key, attr in fields.items() if key in data}


def _metadata(data: Mapping[str, Any]) -> Metadata:
    meta = data["metadata"]
    return Metadata(
        name=meta["name"],
        labels=frozen_mapping(meta.get("labels")),  # type: ignore[arg-type]
        annotations=frozen_mapping(meta.get("annotations")),  # type: ignore[arg-type]
    )


def _problem(spec: Mapping[str, Any], metadata: Metadata, source: Source) -> Problem:
    return Problem(
        metadata=metadata,
        source=source,
        question=spec["question"],
        task=spec["task"],
        target=spec["target"],
        metric=spec["metric"],
        success_criteria=tuple(
            Criterion(c["metric"], c.get("min"), c.get("max"))
            for c in spec.get("successCriteria", ())
        ),
        hypotheses=tuple(spec.get("hypotheses", ())),
        business_impact=spec.get("businessImpact", ""),
        owner=spec.get("owner", ""),
    )


def _dataset(spec: Mapping[str, Any], metadata: Metadata, source: Source) -> Dataset:
    src = spec["source"]
    columns = tuple(
        ColumnSchema(
            name=name,
            type=col["type"],
            nullable=col.get("nullable", False),
            min=col.get("min"),
            max=col.get("max"),
            allowed=tuple(col["allowed"]) if "allowed" in col else None,
            description=col.get("description", ""),
        )
        for name, col in spec["columns"].items()
    )
    return Dataset(
        metadata=metadata,
        source=source,
        data_source=DatasetSource(
            sklearn=src.get("sklearn"),
            path=src.get("path"),
            url=src.get("url"),
            format=src.get("format"),
            token_env=src.get("tokenEnv"),
            allow_http=src.get("allowHttp", False),
        ),
        target=spec["target"],
        columns=columns,
        validation=ValidationRules(
            **_pick(
                spec.get("validation", {}),
                {
                    "maxMissingFraction": "max_missing_fraction",
                    "minRows": "min_rows",
                    "maxDuplicateFraction": "max_duplicate_fraction",
                    "minClassFraction": "min_class_fraction",
                    "maxClassFraction": "max_class_fraction",
                },
            )
        ),
        split=SplitSettings(
            **_pick(
                spec.get("split", {}),
                {
                    "testSize": "test_size",
                    "seed": "seed",
                    "stratify": "stratify",
                    "timeColumn": "time_column",
                },
            )
        ),
        sensitive_columns=tuple(spec.get("sensitiveColumns", ())),
        description=spec.get("description", ""),
    )


def _param(value: Any) -> ParamValue:
    if isinstance(value, list):
        return tuple(value)
    if isinstance(value, dict):
        low, high = value["low"], value["high"]
        integer = all(isinstance(v, int) and not isinstance(v, bool) for v in (low, high))
        return Range(float(low), float(high), bool(value.get("log", False)), integer)
    return value  # type: ignore[no-any-return]


def _experiment(spec: Mapping[str, Any], metadata: Metadata, source: Source) -> Experiment:
    return Experiment(
        metadata=metadata,
        source=source,
        problem=spec["problem"],
        dataset=spec["dataset"],
        candidates=tuple(
            Candidate(
                name=c.get("name", c["estimator"]),
                estimator=c["estimator"],
                params=frozen_mapping({k: _param(v) for k, v in c.get("params", {}).items()}),  # type: ignore[arg-type]
            )
            for c in spec["candidates"]
        ),
        search=SearchSettings(
            **_pick(
                spec.get("search", {}),
                {
                    "strategy": "strategy",
                    "trials": "trials",
                    "cvFolds": "cv_folds",
                    "scoring": "scoring",
                    "seed": "seed",
                    "tolerateFailures": "tolerate_failures",
                },
            )
        ),
        preprocessing=Preprocessing(
            **_pick(
                spec.get("preprocessing", {}),
                {
                    "imputeNumeric": "impute_numeric",
                    "imputeCategorical": "impute_categorical",
                    "scale": "scale",
                    "encode": "encode",
                },
            )
        ),
        interpretation=Interpretation(
            **_pick(
                spec.get("interpretation", {}),
                {
                    "enabled": "enabled",
                    "permutationRepeats": "permutation_repeats",
                    "topFeatures": "top_features",
                    "localExamples": "local_examples",
                    "fairness": "fairness",
                },
            )
        ),
        compile=_compile_settings(spec.get("compile", {})),
        compute=Compute(
            **_pick(
                spec.get("compute", {}),
                {"backend": "backend", "scheduler": "scheduler", "nJobs": "n_jobs"},
            )
        ),
        champion_tolerance=float(spec.get("championTolerance", 0.0)),
        description=spec.get("description", ""),
    )


def _compile_settings(spec: Mapping[str, Any]) -> CompileSettings:
    picked = _pick(
        spec,
        {
            "enabled": "enabled",
            "probabilityTolerance": "probability_tolerance",
            "relativeTolerance": "relative_tolerance",
        },
    )
    # params.yaml holds 1e-05 as written by the renderer, which YAML 1.1 (PyYAML) reads as a
    # string: the schema checked the spec's number, so the value is a float either way
    for key in ("probability_tolerance", "relative_tolerance"):
        if key in picked:
            picked[key] = float(picked[key])
    return CompileSettings(**picked)


def _deployment(spec: Mapping[str, Any], metadata: Metadata, source: Source) -> Deployment:
    monitoring = dict(spec.get("monitoring", {}))
    overrides = {
        column: DriftOverride(o.get("method"), o.get("threshold"))
        for column, o in monitoring.pop("columns", {}).items()
    }
    return Deployment(
        metadata=metadata,
        source=source,
        model=ModelRef(**spec["model"]),
        runtime=spec.get("runtime", "local"),
        replicas=spec.get("replicas", 1),
        port=spec.get("port", 8080),
        auth_token_env=spec.get("auth", {}).get("tokenEnv"),
        resources=Resources(**spec.get("resources", {})),
        image=ImageSpec(
            **_pick(
                spec.get("image", {}),
                {
                    "base": "base",
                    "registry": "registry",
                    "usernameEnv": "registry_username_env",
                    "passwordEnv": "registry_password_env",
                },
            )
        ),
        request_log=RequestLog(
            **_pick(
                spec.get("requestLog", {}),
                {
                    "enabled": "enabled",
                    "directory": "directory",
                    "uri": "uri",
                    "credentialsSecret": "credentials_secret",
                    "maxQueue": "max_queue",
                    "rotateRows": "rotate_rows",
                },
            )
        ),
        monitoring=Monitoring(
            **_pick(
                monitoring,
                {
                    "enabled": "enabled",
                    "schedule": "schedule",
                    "window": "window",
                    "minRows": "min_rows",
                    "driftShare": "drift_share",
                    "method": "method",
                    "calibrate": "calibrate",
                    "multipleTesting": "multiple_testing",
                    "compute": "compute",
                    "scheduler": "scheduler",
                    "action": "action",
                    "retrain": "retrain",
                },
            ),
            columns=frozen_mapping(overrides),  # type: ignore[arg-type]
        ),
        autoscaling_max_replicas=spec.get("maxReplicas"),
        kserve=spec.get("kserve", False),
    )


_BUILDERS = {
    "Problem": _problem,
    "Dataset": _dataset,
    "Experiment": _experiment,
    "Deployment": _deployment,
}


def build_spec(kind: str, data: Mapping[str, Any], source: Source) -> Spec:
    builder: Any = _BUILDERS[kind]
    spec: Spec = builder(data["spec"], _metadata(data), source)
    return spec
