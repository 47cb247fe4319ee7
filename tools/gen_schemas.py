"""Writes mlops_gitops/specs/schemas/*.json. The JSON files are the source of truth once
written; this script documents how they were first laid out and can regenerate them.
Run: python tools/gen_schemas.py"""

import json
from pathlib import Path

from mlops_gitops.ml.catalogue import ESTIMATORS, METRICS, PROCESSING_METRICS

OUT = Path(__file__).resolve().parent.parent / "mlops_gitops" / "specs" / "schemas"
BASE = "https://mlops-gitops.dev/schemas/v1"
SLUG = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
ENV = "^[A-Za-z_][A-Za-z0-9_]*$"
COLUMN = "^[^\\s].*$"


def obj(props, required=(), desc=None, **kw):
    out = {"type": "object", "additionalProperties": False, "properties": props}
    if required:
        out["required"] = list(required)
    if desc:
        out["description"] = desc
    out.update(kw)
    return out


def s(desc, **kw):
    return {"type": "string", "description": desc, **kw}


def num(desc, **kw):
    return {"type": "number", "description": desc, **kw}


def integer(desc, **kw):
    return {"type": "integer", "description": desc, **kw}


def boolean(desc):
    return {"type": "boolean", "description": desc}


scalar = {"type": ["string", "number", "integer", "boolean", "null"]}


def resource(kind, desc, spec):
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{BASE}/{kind.lower()}.json",
        "title": kind,
        "description": desc,
        **obj(
            {
                "apiVersion": {"const": "mlops-gitops/v1", "description": "Always mlops-gitops/v1."},
                "kind": {"const": kind},
                "metadata": obj(
                    {
                        "name": s("A slug: lower-case letters, digits and '-'.", pattern=SLUG, maxLength=63),
                        "labels": {"type": "object", "additionalProperties": {"type": "string"},
                                   "description": "Free-form labels; changing them retrains nothing."},
                        "annotations": {"type": "object", "additionalProperties": {"type": "string"},
                                        "description": "Free-form notes; changing them retrains nothing."},
                    },
                    required=["name"],
                ),
                "spec": spec,
            },
            required=["apiVersion", "kind", "metadata", "spec"],
        ),
    }


task = {"enum": ["classification", "regression"], "description": "What kind of prediction."}
metric_names = sorted(METRICS)
criterion_metrics = sorted(METRICS) + sorted(PROCESSING_METRICS)

problem = resource(
    "Problem",
    "The question a model answers: task, target, how success is measured, and why it matters.",
    obj(
        {
            "question": s("The question in plain words.", minLength=1),
            "task": task,
            "target": s("The column to predict; must be the dataset's target.", minLength=1),
            "metric": {"enum": metric_names, "description": "Primary metric: model selection and promotion use it."},
            "successCriteria": {
                "type": "array",
                "description": "Every criterion must hold before a model may be promoted.",
                "items": obj(
                    {
                        "metric": {"enum": criterion_metrics, "description": "A predictive or processing metric."},
                        "min": num("The metric must be at least this."),
                        "max": num("The metric must be at most this."),
                    },
                    required=["metric"],
                    anyOf=[{"required": ["min"]}, {"required": ["max"]}],
                ),
            },
            "hypotheses": {"type": "array", "items": {"type": "string"}, "description": "What we expect and will check."},
            "businessImpact": s("Why the answer matters."),
            "owner": s("Who answers for the model."),
        },
        required=["question", "task", "target", "metric"],
    ),
)

column = obj(
    {
        "type": {"enum": ["number", "integer", "category", "boolean", "text", "datetime"]},
        "nullable": boolean("Missing values allowed (default false)."),
        "min": num("Smallest allowed value."),
        "max": num("Largest allowed value."),
        "allowed": {"type": "array", "items": scalar, "minItems": 1, "description": "The only allowed values."},
        "description": s("What the column means."),
    },
    required=["type"],
)

dataset = resource(
    "Dataset",
    "Where data comes from, what it must look like, and how it is split.",
    obj(
        {
            "description": s("What the data is."),
            "source": obj(
                {
                    "sklearn": {"enum": ["diabetes", "breast_cancer", "wine", "iris"],
                                "description": "A dataset bundled with scikit-learn (no download)."},
                    "path": s("A CSV or Parquet file inside the repository.", minLength=1),
                    "url": s("An http(s) CSV or Parquet file.", pattern="^https?://"),
                    "format": {"enum": ["csv", "parquet"], "description": "Defaults to the file extension."},
                    "tokenEnv": s("Environment variable holding a bearer token for the url.", pattern=ENV),
                },
                desc="Exactly one of sklearn, path or url.",
                oneOf=[{"required": ["sklearn"]}, {"required": ["path"]}, {"required": ["url"]}],
            ),
            "target": s("The label column.", minLength=1),
            "columns": {
                "type": "object",
                "minProperties": 1,
                "description": "Column name -> its schema, in order.",
                "additionalProperties": column,
            },
            "validation": obj(
                {
                    "maxMissingFraction": num("Largest share of missing values in any column.", minimum=0, maximum=1),
                    "minRows": integer("Fewest rows accepted.", minimum=1),
                    "maxDuplicateFraction": num("Largest share of duplicated rows.", minimum=0, maximum=1),
                    "minClassFraction": num("Smallest share any target class may have.", minimum=0, maximum=1),
                    "maxClassFraction": num("Largest share any target class may have.", minimum=0, maximum=1),
                }
            ),
            "split": obj(
                {
                    "testSize": num("Share of rows held out for testing.", exclusiveMinimum=0, exclusiveMaximum=1),
                    "seed": integer("Random seed.", minimum=0),
                    "stratify": boolean("Keep class shares equal in both splits (classification only)."),
                    "timeColumn": s("Split by time: the latest rows become the test split."),
                }
            ),
            "sensitiveColumns": {"type": "array", "items": {"type": "string"}, "uniqueItems": True,
                                 "description": "Columns to check fairness on."},
        },
        required=["source", "target", "columns"],
    ),
)

range_ = obj(
    {"low": num("Lower bound."), "high": num("Upper bound."), "log": boolean("Sample on a log scale.")},
    required=["low", "high"],
    desc="A numeric search range.",
)
param_value = {"anyOf": [scalar, {"type": "array", "items": scalar, "minItems": 1}, range_]}

experiment = resource(
    "Experiment",
    "Candidate estimators and how to search them, for one problem on one dataset.",
    obj(
        {
            "description": s("What this experiment tries."),
            "problem": s("The Problem's name.", pattern=SLUG),
            "dataset": s("The Dataset's name.", pattern=SLUG),
            "candidates": {
                "type": "array",
                "minItems": 1,
                "items": obj(
                    {
                        "name": s("Defaults to the estimator.", pattern="^[a-z0-9][-_a-z0-9]*$"),
                        "estimator": {"enum": sorted(ESTIMATORS), "description": "From the catalogue."},
                        "params": {"type": "object", "additionalProperties": param_value,
                                   "description": "Fixed values, lists of choices, or {low, high, log} ranges."},
                    },
                    required=["estimator"],
                ),
            },
            "search": obj(
                {
                    "strategy": {"enum": ["grid", "random", "halving"]},
                    "trials": integer("Parameter settings tried per candidate (random, halving).", minimum=1),
                    "cvFolds": integer("Cross-validation folds.", minimum=2),
                    "scoring": {"enum": metric_names, "description": "Defaults to the problem's metric."},
                    "seed": integer("Random seed.", minimum=0),
                }
            ),
            "preprocessing": obj(
                {
                    "imputeNumeric": {"enum": ["mean", "median", "most_frequent", "none"]},
                    "imputeCategorical": {"enum": ["most_frequent", "constant", "none"]},
                    "scale": {"enum": ["standard", "minmax", "robust", "none"]},
                    "encode": {"enum": ["onehot", "ordinal", "none"]},
                }
            ),
            "interpretation": obj(
                {
                    "enabled": boolean("Run the interpret stage (default true)."),
                    "permutationRepeats": integer("Repeats for permutation importance.", minimum=1),
                    "topFeatures": integer("Features to draw partial dependence and ICE for.", minimum=1),
                    "localExamples": integer("Rows to explain one by one.", minimum=0),
                    "fairness": boolean("Metric per group of each sensitive column."),
                }
            ),
            "compute": obj(
                {
                    "backend": {"enum": ["local", "dask"]},
                    "scheduler": s("Dask scheduler address, e.g. tcp://127.0.0.1:8786."),
                    "nJobs": integer("Parallel jobs on the local backend.", minimum=1),
                }
            ),
            "championTolerance": num("How much worse than the champion a challenger may be and still be promoted.", minimum=0),
        },
        required=["problem", "dataset", "candidates"],
    ),
)

deployment = resource(
    "Deployment",
    "Which model serves where, how it scales, and how drift is watched.",
    obj(
        {
            "model": obj(
                {
                    "experiment": s("Serve this experiment's latest trained model.", pattern=SLUG),
                    "registered": s("Serve a registered model (its name is the experiment's).", pattern=SLUG),
                    "version": s("A registered version, e.g. v1.2.0.", pattern="^v\\d+\\.\\d+\\.\\d+$"),
                    "stage": s("A registry stage, e.g. prod.", pattern=SLUG),
                },
                oneOf=[{"required": ["experiment"]}, {"required": ["registered"]}],
            ),
            "runtime": {"enum": ["local", "docker", "kubernetes"]},
            "replicas": integer("Replicas (docker, kubernetes).", minimum=1),
            "maxReplicas": integer("Autoscaling ceiling (kubernetes).", minimum=1),
            "port": integer("Port to serve on.", minimum=1, maximum=65535),
            "kserve": boolean("Also render a KServe InferenceService (kubernetes)."),
            "resources": obj({"cpu": s("CPU request, e.g. 500m."), "memory": s("Memory request, e.g. 512Mi.")}),
            "image": obj(
                {
                    "base": s("Base image for the serving container."),
                    "registry": s("Registry to push to, e.g. ghcr.io/org."),
                    "usernameEnv": s("Environment variable with the registry user.", pattern=ENV),
                    "passwordEnv": s("Environment variable with the registry password.", pattern=ENV),
                }
            ),
            "requestLog": obj(
                {
                    "enabled": boolean("Log served requests for monitoring (default true)."),
                    "directory": s("Where logs go (default .mlops/requests/<deployment>)."),
                    "maxQueue": integer("Records buffered before new ones are dropped.", minimum=1),
                    "rotateRows": integer("Rows per log file.", minimum=1),
                }
            ),
            "monitoring": obj(
                {
                    "enabled": boolean("Watch this deployment for drift (default true)."),
                    "schedule": s("Cron schedule for drift checks in CI."),
                    "window": s("How much recent traffic to compare, e.g. 7d or 12h.", pattern="^[0-9]+[mhdw]$"),
                    "minRows": integer("Fewer rows than this: too small to judge.", minimum=1),
                    "driftShare": num("Share of drifted columns that makes the dataset drift.", exclusiveMinimum=0, maximum=1),
                    "method": {"enum": ["auto", "ks", "chisquare", "ztest", "wasserstein", "jensenshannon", "psi"]},
                    "calibrate": boolean("Calibrate thresholds on chunks of the reference."),
                    "multipleTesting": {"enum": ["none", "bonferroni", "fdr"]},
                    "columns": {
                        "type": "object",
                        "description": "Per-column method and threshold overrides.",
                        "additionalProperties": obj(
                            {
                                "method": {"enum": ["auto", "ks", "chisquare", "ztest", "wasserstein", "jensenshannon", "psi"]},
                                "threshold": num("Drift threshold for the method.", minimum=0),
                            }
                        ),
                    },
                    "action": {"enum": ["pull_request", "none"]},
                    "retrain": boolean("Retrain a challenger on labelled drifted data."),
                }
            ),
        },
        required=["model"],
    ),
)

OUT.mkdir(parents=True, exist_ok=True)
for name, schema in {"problem": problem, "dataset": dataset, "experiment": experiment, "deployment": deployment}.items():
    (OUT / f"{name}.json").write_text(json.dumps(schema, indent=2) + "\n")
print("wrote", OUT)
