"""Resource exhaustion and ill-typed values are refused by `mlops validate`, and by every stage
that reads params.yaml (so `dvc exp run -S` cannot pass what validate refuses)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
import yaml

from mlops_gitops.errors import StageError
from mlops_gitops.render.dvc import render_pipeline, spec_file
from mlops_gitops.specs import load_specs
from mlops_gitops.stages.context import dataset_settings, experiment_settings
from tests.helpers.spec_files import DATASET, EXPERIMENT, errors, valid_project

FOREST = EXPERIMENT.replace(
    "    - estimator: ridge\n      params:\n        alpha: {low: 0.1, high: 10, log: true}\n",
    "    - estimator: random_forest\n      params:\n        max_depth: 3\n",
)

DEPLOYMENT = """\
apiVersion: mlops-gitops/v1
kind: Deployment
metadata: {name: price-api}
spec:
  model: {experiment: price-model}
  port: 8600
  monitoring:
    schedule: "0 6 * * *"
    columns:
      area: {threshold: 0.2}
"""


def experiment_with(extra: str, params: str = "max_depth: 3") -> str:
    return FOREST.replace("max_depth: 3", params) + textwrap.indent(extra, "  ")


GRID_PARAMS = (
    "max_depth",
    "min_samples_leaf",
    "min_samples_split",
    "max_leaf_nodes",
    "n_estimators",
)
CHOICES_89999 = "alpha: [" + ", ".join(str(i) for i in range(1, 90_000)) + "]"

# (file, text, expected "path: message" lines)
HOSTILE: list[tuple[str, str, list[str]]] = [
    (
        "experiment",
        experiment_with("compute: {nJobs: 100000}\n"),
        ["12:20: spec.compute.nJobs: must be <= 64, found 100000"],
    ),
    (
        "experiment",
        experiment_with("", "n_estimators: 1000000000000"),
        [
            "11:23: spec.candidates[0].params.n_estimators: n_estimators of random_forest must "
            "be an integer from 1 to 5_000; found a number (1000000000000)"
        ],
    ),
    (
        "experiment",
        experiment_with("search: {trials: 1000000000000}\n"),
        ["12:20: spec.search.trials: must be <= 1000, found 1000000000000"],
    ),
    (
        "experiment",
        experiment_with("search: {cvFolds: 100000000}\n"),
        ["12:21: spec.search.cvFolds: must be <= 20, found 100000000"],
    ),
    (
        "experiment",
        EXPERIMENT.replace("alpha: {low: 0.1, high: 10, log: true}", CHOICES_89999),
        [
            "11:16: spec.candidates[0].params.alpha: 89,999 choices for alpha; the limit is 100 "
            "per hyperparameter (use a range {low, high} to search a wide span)"
        ],
    ),
    (
        "experiment",
        experiment_with("", 'n_estimators: "lots"'),
        [
            "11:23: spec.candidates[0].params.n_estimators: n_estimators of random_forest must "
            "be an integer from 1 to 5_000; found 'lots'"
        ],
    ),
    (
        "experiment",
        experiment_with("", "n_estimators: -5"),
        [
            "11:23: spec.candidates[0].params.n_estimators: n_estimators of random_forest must "
            "be an integer from 1 to 5_000; found a number (-5)"
        ],
    ),
    (
        "experiment",
        EXPERIMENT.replace("alpha: {low: 0.1, high: 10, log: true}", 'alpha: "abc"'),
        [
            "11:16: spec.candidates[0].params.alpha: alpha of ridge must be a number in "
            "[0, inf); found 'abc'"
        ],
    ),
    (
        "experiment",
        EXPERIMENT.replace("alpha: {low: 0.1, high: 10, log: true}", "alpha: [1, .nan]"),
        [
            "11:20: spec.candidates[0].params.alpha[1]: found .nan; numbers must be finite",
        ],
    ),
    (
        "experiment",
        EXPERIMENT.replace("{low: 0.1, high: 10, log: true}", "{low: 0.1, high: .inf}"),
        ["11:33: spec.candidates[0].params.alpha.high: found .inf; numbers must be finite"],
    ),
    (
        "experiment",
        experiment_with("", "max_depth: 5.5\n        criterion: bogus"),
        [
            "11:20: spec.candidates[0].params.max_depth: max_depth of random_forest must be an "
            "integer from 1 to 1_000, or one of null; found a number (5.5)",
            "12:20: spec.candidates[0].params.criterion: criterion of random_forest must be one "
            "of 'squared_error', 'absolute_error', 'poisson'; found 'bogus'",
        ],
    ),
    (
        "experiment",
        experiment_with("", "n_estimators: {low: 1, high: 100000}"),
        [
            "11:23: spec.candidates[0].params.n_estimators: both ends of a range for "
            "n_estimators of random_forest must be an integer from 1 to 5_000; found "
            "{low: 1, high: 100000}"
        ],
    ),
    (
        "experiment",
        experiment_with(
            "search: {strategy: grid}\n",
            "\n        ".join(
                f"{p}: [{', '.join(str(v) for v in range(2, 12))}]" for p in GRID_PARAMS
            ),
        ),
        [
            "11:9: spec.candidates[0].params: the grid of candidate 'random_forest' holds "
            "100,000 combinations; the limit is 10,000: use fewer choices, or strategy random "
            "with a number of trials"
        ],
    ),
    (
        "experiment",
        experiment_with("championTolerance: .inf\n"),
        ["12:22: spec.championTolerance: found .inf; numbers must be finite"],
    ),
    (
        "dataset",
        DATASET + "  split: {testSize: .nan}\n",
        ["13:21: spec.split.testSize: found .nan; numbers must be finite"],
    ),
    (
        "deployment",
        DEPLOYMENT.replace("0.2", ".nan"),
        ["10:25: spec.monitoring.columns.area.threshold: found .nan; numbers must be finite"],
    ),
    (
        "deployment",
        DEPLOYMENT.replace("8600", "22"),
        ["6:9: spec.port: must be >= 1024, found 22"],
    ),
    (
        "deployment",
        DEPLOYMENT.replace('"0 6 * * *"', "every morning"),
        [
            "8:15: spec.monitoring.schedule: 'every morning' does not fit: A cron schedule for "
            "drift checks in CI: five fields (e.g. '0 6 * * *') or @hourly, @daily, @weekly, "
            "@monthly."
        ],
    ),
    (
        "deployment",
        DEPLOYMENT.replace("port: 8600", "port: 8600\n  replicas: 100000"),
        ["7:13: spec.replicas: must be <= 100, found 100000"],
    ),
]


@pytest.mark.parametrize(
    ("kind", "text", "expected"), HOSTILE, ids=[f"{k}-{i}" for i, (k, _, _) in enumerate(HOSTILE)]
)
def test_validate_refuses(project: Path, kind: str, text: str, expected: list[str]) -> None:
    valid_project(project, **{f"specs/{kind}.yaml": text, "specs/deployment.yaml": DEPLOYMENT})
    if kind == "deployment":
        valid_project(project, **{"specs/deployment.yaml": text})
    assert errors(project) == [f"specs/{kind}.yaml:{line}" for line in expected]


def test_the_unchanged_specs_pass(project: Path) -> None:
    valid_project(project, **{"specs/experiment.yaml": FOREST, "specs/deployment.yaml": DEPLOYMENT})
    assert errors(project) == []


# ---------------------------------------------------------------- params.yaml, as stages read it


def render_params(root: Path) -> dict[str, object]:
    """params.yaml and the spec files, as `mlops apply` renders them."""
    pipeline = render_pipeline(load_specs(root))
    params = {"mlops": json.loads(json.dumps(pipeline.params))}
    (root / "params.yaml").write_text(yaml.safe_dump(params))
    for file in pipeline.files:
        (root / file.path).parent.mkdir(parents=True, exist_ok=True)
        (root / file.path).write_text(json.dumps(file.body))
    return params


def edit_spec_file(root: Path, path: str, key: str, value: object) -> None:
    body = json.loads((root / path).read_text())
    body[key] = value
    (root / path).write_text(json.dumps(body))


def edit_params(root: Path, params: dict[str, object], *keys: str, value: object) -> None:
    block: dict[str, object] = params
    for key in keys[:-1]:
        block = block[key]  # type: ignore[assignment]
    block[keys[-1]] = value
    (root / "params.yaml").write_text(yaml.safe_dump(params))


@pytest.mark.parametrize(
    ("keys", "value", "message"),
    [
        (
            ("search", "trials"),
            10**12,
            "spec.search.trials: must be <= 1000, found 1000000000000",
        ),
        (
            ("preprocessing", "scale"),
            "sometimes",
            "spec.preprocessing.scale: found 'sometimes'; allowed: standard, minmax, robust, none",
        ),
        (
            ("candidates", "random_forest", "params", "n_estimators"),
            "lots",
            "spec.candidates[0].params.n_estimators: n_estimators of random_forest must be an "
            "integer from 1 to 5_000; found 'lots'",
        ),
        (
            ("candidates", "random_forest", "params", "max_depth"),
            float("nan"),
            "spec.candidates[0].params.max_depth: found .nan; numbers must be finite",
        ),
        (
            ("candidates", "random_forest"),
            {"estimator": "logistic_regression"},
            "spec.candidates[0].estimator: 'logistic_regression' is a classification estimator, "
            "but problem 'prices' is a regression task; use one of: decision_tree, dummy, "
            "elastic_net, extra_trees, gradient_boosting, hist_gradient_boosting, knn, lasso, "
            "linear_regression, linear_svm, random_forest, ridge, sgd, svm",
        ),
    ],
)
def test_a_stage_refuses_params_that_validate_would(
    project: Path, keys: tuple[str | int, ...], value: object, message: str
) -> None:
    valid_project(project, **{"specs/experiment.yaml": FOREST})
    params = render_params(project)
    assert experiment_settings(project, "price-model")[0].name == "price-model"
    edit_params(project, params, "mlops", "experiment", "price-model", *keys, value=value)  # type: ignore[arg-type]
    with pytest.raises(StageError) as error:
        experiment_settings(project, "price-model")
    assert error.value.message == (
        "params.yaml and .mlops/specs/ hold settings that `mlops validate` refuses:\n"
        f"  params.yaml mlops.experiment.price-model: {message}"
    )
    assert error.value.hint == (
        "fix the spec and run `mlops apply`; a value set with `dvc exp run -S` must pass the "
        "same checks"
    )


def test_a_stage_refuses_a_dataset_url_pointing_inside(project: Path) -> None:
    valid_project(project)
    render_params(project)
    source = {"url": "http://169.254.169.254/latest/meta-data/", "allowHttp": True}
    edit_spec_file(project, spec_file("Dataset", "houses"), "source", source)
    with pytest.raises(StageError) as error:
        dataset_settings(project, "houses")
    assert error.value.message == (
        "params.yaml and .mlops/specs/ hold settings that `mlops validate` refuses:\n"
        "  params.yaml mlops.dataset.houses: spec.source.url: the url is not fetched: "
        "169.254.169.254 is a link-local address (where cloud metadata services answer); a "
        "pipeline that runs on pull requests must not reach internal addresses (list a trusted "
        "server in MLOPS_OUTBOUND_ALLOW)"
    )


def test_the_serving_token_may_not_be_a_ci_credential(project: Path) -> None:
    text = DEPLOYMENT + "  auth: {tokenEnv: GITHUB_TOKEN}\n"
    valid_project(project, **{"specs/deployment.yaml": text})
    assert errors(project) == [
        "specs/deployment.yaml:11:20: spec.auth.tokenEnv: tokenEnv names GITHUB_TOKEN, a "
        "credential of the CI runner; give the serving token a variable of its own "
        "(e.g. MLOPS_SERVING_TOKEN)"
    ]
