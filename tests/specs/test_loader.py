"""The spec loader: every error class pinned with its exact message, line and column."""

from __future__ import annotations

import dataclasses
import textwrap
from pathlib import Path

import pytest

from mlops_gitops.errors import SpecError
from mlops_gitops.specs import load_specs
from mlops_gitops.specs.models import Range
from tests.helpers.files import write_files
from tests.helpers.spec_files import DATASET, EXPERIMENT, PROBLEM, errors, valid_project


def test_example_specs_load_into_frozen_objects(example_project: Path) -> None:
    specs = load_specs(example_project)
    assert sorted(specs.experiments) == [
        "malignancy-classifier",
        "progression-linear",
        "progression-trees",
    ]
    experiment = specs.experiments["progression-linear"]
    assert specs.problem_of(experiment).task == "regression"
    assert isinstance(experiment.candidates[0].params["alpha"], Range)
    with pytest.raises(dataclasses.FrozenInstanceError):
        experiment.problem = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        experiment.candidates[0].params["alpha"] = 1  # type: ignore[index]


def test_valid_minimal_project(project: Path) -> None:
    valid_project(project)
    specs = load_specs(project)
    assert specs.experiments["price-model"].source.file == "specs/experiment.yaml"
    assert specs.datasets["houses"].columns[0].name == "rooms"


def test_yaml_syntax_error_names_line_and_column(project: Path) -> None:
    write_files(project, {"specs/broken.yaml": "a: [1, 2\nb: 3\n"})
    assert errors(project) == [
        "specs/broken.yaml:2:2: invalid YAML: while parsing a flow sequence "
        "did not find expected ',' or ']'"
    ]


def test_unknown_field_points_at_the_key_with_a_suggestion(project: Path) -> None:
    valid_project(
        project,
        **{"specs/experiment.yaml": EXPERIMENT.replace("  dataset: houses", "  datset: houses")},
    )
    assert errors(project) == [
        "specs/experiment.yaml:6:3: spec: missing required field 'dataset'",
        "specs/experiment.yaml:7:3: spec.datset: unknown field 'datset'; allowed: candidates, "
        "championTolerance, compile, compute, dataset, description, interpretation, "
        "preprocessing, problem, search; did you mean 'dataset'?",
    ]


def test_unknown_kind_and_api_version(project: Path) -> None:
    write_files(project, {"specs/x.yaml": "apiVersion: v2\nkind: Model\nmetadata: {name: a}\n"})
    assert errors(project) == [
        "specs/x.yaml:1:13: apiVersion: unknown apiVersion: found 'v2'; expected 'mlops-gitops/v1'",
        "specs/x.yaml:2:7: kind: unknown kind: found 'Model'; allowed: Problem, Dataset, "
        "Experiment, Deployment",
    ]


def test_document_that_is_not_a_mapping(project: Path) -> None:
    write_files(project, {"specs/x.yaml": "---\n- a\n- b\n"})
    assert errors(project) == [
        "specs/x.yaml:2:1: a spec document must be a mapping with apiVersion, kind, "
        "metadata and spec; found a list"
    ]


def test_invalid_name(project: Path) -> None:
    valid_project(
        project, **{"specs/problem.yaml": PROBLEM.replace("name: prices", "name: Pr_ces")}
    )
    assert errors(project) == [
        "specs/experiment.yaml:6:12: spec.problem: no Problem named 'prices'; known: none",
        "specs/problem.yaml:4:9: metadata.name: 'Pr_ces' is not a valid name: use lower-case "
        "letters, digits and '-', starting and ending with a letter or digit",
    ]


def test_duplicate_names_across_files(project: Path) -> None:
    valid_project(project, **{"specs/again.yaml": PROBLEM})
    assert errors(project) == [
        "specs/problem.yaml:4:9: metadata.name: duplicate Problem name 'prices' "
        "(first defined at specs/again.yaml:1:1)"
    ]


def test_several_documents_per_file(project: Path) -> None:
    write_files(project, {"specs/all.yaml": "---\n".join([PROBLEM, DATASET, EXPERIMENT])})
    assert len(load_specs(project)) == 3


def test_reference_to_missing_spec_suggests_the_near_name(project: Path) -> None:
    valid_project(
        project,
        **{"specs/experiment.yaml": EXPERIMENT.replace("problem: prices", "problem: price")},
    )
    assert errors(project) == [
        "specs/experiment.yaml:6:12: spec.problem: no Problem named 'price'; known: prices; "
        "did you mean 'prices'?"
    ]


def test_estimator_of_the_wrong_task(project: Path) -> None:
    valid_project(
        project,
        **{
            "specs/experiment.yaml": EXPERIMENT.replace("estimator: ridge", "estimator: svm")
            .replace("        alpha: {low: 0.1, high: 10, log: true}\n", "        C: 1.0\n")
            .replace("estimator: svm", "estimator: logistic_regression")
        },
    )
    [message] = errors(project)
    assert message.startswith(
        "specs/experiment.yaml:9:18: spec.candidates[0].estimator: 'logistic_regression' is a "
        "classification estimator, but problem 'prices' is a regression task; use one of: "
        "decision_tree, dummy, elastic_net,"
    )


def test_estimator_not_in_catalogue(project: Path) -> None:
    valid_project(
        project,
        **{"specs/experiment.yaml": EXPERIMENT.replace("estimator: ridge", "estimator: os.system")},
    )
    [message] = errors(project)
    assert message.startswith(
        "specs/experiment.yaml:9:18: spec.candidates[0].estimator: estimator 'os.system' is not "
        "in the catalogue (specs name estimators from it, never import paths); allowed: "
    )


def test_unknown_hyperparameter(project: Path) -> None:
    valid_project(
        project,
        **{"specs/experiment.yaml": EXPERIMENT.replace("alpha:", "alpah:")},
    )
    assert errors(project) == [
        "specs/experiment.yaml:11:9: spec.candidates[0].params.alpah: unknown hyperparameter "
        "'alpah' for ridge; did you mean 'alpha'?"
    ]


def test_target_not_in_schema(project: Path) -> None:
    valid_project(
        project, **{"specs/dataset.yaml": DATASET.replace("target: price", "target: cost")}
    )
    assert (
        "specs/dataset.yaml:8:11: spec.target: target 'cost' is not in the dataset's columns; "
        "columns: rooms, area, price" in errors(project)
    )


def test_metric_that_does_not_fit_the_task(project: Path) -> None:
    valid_project(
        project, **{"specs/problem.yaml": PROBLEM.replace("metric: r2", "metric: accuracy")}
    )
    assert errors(project) == [
        "specs/problem.yaml:9:11: spec.metric: metric 'accuracy' is for classification, not "
        "regression; use one of: mae, mape, r2, rmse"
    ]


def test_stratify_on_a_regression_target(project: Path) -> None:
    valid_project(project, **{"specs/dataset.yaml": DATASET + "  split:\n    stratify: true\n"})
    assert errors(project) == [
        "specs/dataset.yaml:14:15: spec.split.stratify: cannot stratify on target 'price' of "
        "type number: stratified splits need class labels; set stratify: false for a regression "
        "target",
        "specs/experiment.yaml:7:12: spec.dataset: dataset 'houses' asks for a stratified "
        "split, but problem 'prices' is a regression task; set stratify: false",
    ]


def test_data_path_escaping_the_repository(project: Path) -> None:
    valid_project(
        project,
        **{"specs/dataset.yaml": DATASET.replace("data/houses.csv", "../../etc/passwd")},
    )
    assert errors(project) == [
        "specs/dataset.yaml:7:11: spec.source.path: path '../../etc/passwd' points outside the "
        "repository; keep data inside it (a relative path such as data/raw/file.csv)"
    ]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "https://user:hunter2@data.example.com/h.csv",
            "the url has credentials written inline; remove them and name an environment "
            "variable with tokenEnv instead",
        ),
        (
            "https://data.example.com/h.csv?token=abc",
            "the url carries a secret inline (query parameter token); remove it and name an "
            "environment variable with tokenEnv instead",
        ),
    ],
)
def test_secret_written_inline(project: Path, url: str, message: str) -> None:
    valid_project(
        project, **{"specs/dataset.yaml": DATASET.replace("path: data/houses.csv", f"url: {url}")}
    )
    assert errors(project) == [f"specs/dataset.yaml:7:10: spec.source.url: {message}"]


def test_source_needs_exactly_one_location(project: Path) -> None:
    valid_project(
        project,
        **{
            "specs/dataset.yaml": DATASET.replace(
                "    path: data/houses.csv\n", "    path: a.csv\n    sklearn: diabetes\n"
            )
        },
    )
    assert errors(project) == [
        "specs/dataset.yaml:7:5: spec.source: give exactly one of: sklearn, path, url "
        "(found: sklearn, path)"
    ]


def test_alias_bomb_fails_fast(project: Path) -> None:
    levels = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    for i, name in enumerate("bcdefgh"):
        prev = "abcdefgh"[i]
        levels.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 10) + "]")
    write_files(project, {"specs/bomb.yaml": "\n".join(levels) + "\n"})
    [message] = errors(project)
    assert "expands to more than 100000 values through YAML aliases (an alias bomb?)" in message


def test_duplicate_key(project: Path) -> None:
    write_files(project, {"specs/x.yaml": "kind: Problem\nkind: Dataset\n"})
    assert errors(project) == ["specs/x.yaml:2:1: duplicate key 'kind' (first given on line 1)"]


def test_python_tags_are_refused(project: Path) -> None:
    write_files(project, {"specs/x.yaml": "a: !!python/object/apply:os.system ['id']\n"})
    assert errors(project) == [
        "specs/x.yaml:1:4: unsupported YAML tag 'tag:yaml.org,2002:python/object/apply:os.system';"
        " use plain YAML lists"
    ]


def test_all_errors_are_collected_in_one_run(project: Path) -> None:
    valid_project(
        project,
        **{
            "specs/problem.yaml": PROBLEM.replace("metric: r2", "metric: accuracy"),
            "specs/dataset.yaml": DATASET.replace("target: price", "target: cost"),
            "specs/broken.yaml": "a: [\n",
        },
    )
    files = {m.split(":")[0] for m in errors(project)}
    # the experiment is reported too: its problem and dataset now disagree on the target
    assert files == {
        "specs/problem.yaml",
        "specs/dataset.yaml",
        "specs/broken.yaml",
        "specs/experiment.yaml",
    }


def test_load_specs_raises_with_every_problem(project: Path) -> None:
    valid_project(project, **{"specs/problem.yaml": PROBLEM.replace("metric: r2", "metric: auc")})
    with pytest.raises(SpecError) as raised:
        load_specs(project)
    assert len(raised.value.problems) == 1
    assert "run `mlops validate`" in str(raised.value)


def test_deployment_monitoring_column_must_exist(project: Path) -> None:
    deployment = textwrap.dedent(
        """\
        apiVersion: mlops-gitops/v1
        kind: Deployment
        metadata: {name: price-api}
        spec:
          model: {experiment: price-model}
          monitoring:
            columns:
              aera: {threshold: 0.2}
        """
    )
    valid_project(project, **{"specs/deployment.yaml": deployment})
    assert errors(project) == [
        "specs/deployment.yaml:8:7: spec.monitoring.columns.aera: column 'aera' is not in "
        "dataset 'houses'; did you mean 'area'?"
    ]


def test_token_env_may_not_name_a_ci_credential_and_needs_https(project: Path) -> None:
    source = "url: http://data.example.com/h.csv\n    tokenEnv: GITHUB_TOKEN"
    valid_project(
        project, **{"specs/dataset.yaml": DATASET.replace("path: data/houses.csv", source)}
    )
    assert errors(project) == [
        "specs/dataset.yaml:7:10: spec.source.url: the url is not fetched: plain http is "
        "refused; use https://, or set source.allowHttp: true for a source you trust; a pipeline "
        "that runs on pull requests must not reach internal addresses (list a trusted server in "
        "MLOPS_OUTBOUND_ALLOW)",
        "specs/dataset.yaml:8:15: spec.source.tokenEnv: a token is only sent over https: give "
        "an https:// url, or drop tokenEnv",
        "specs/dataset.yaml:8:15: spec.source.tokenEnv: tokenEnv names GITHUB_TOKEN, a "
        "credential of the CI runner; give the data token a variable of its own "
        "(e.g. MLOPS_DATA_TOKEN)",
    ]


def test_request_log_directory_stays_inside_the_repository(project: Path) -> None:
    deployment = textwrap.dedent(
        """\
        apiVersion: mlops-gitops/v1
        kind: Deployment
        metadata: {name: price-api}
        spec:
          model: {experiment: price-model}
          requestLog: {directory: /etc/cron.d}
          image: {registry: registry.example.com/team, passwordEnv: GITHUB_TOKEN}
        """
    )
    valid_project(project, **{"specs/deployment.yaml": deployment})
    assert errors(project) == [
        "specs/deployment.yaml:6:27: spec.requestLog.directory: directory '/etc/cron.d' points "
        "outside the repository; keep the request log inside it (the default is "
        ".mlops/requests/<deployment>)",
        "specs/deployment.yaml:7:61: spec.image.passwordEnv: passwordEnv names GITHUB_TOKEN, a "
        "credential of the CI runner; only a ghcr.io registry may use GITHUB_TOKEN; give other "
        "registries their own variable",
    ]


def test_a_spec_linked_from_outside_the_repository_is_not_read(
    project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    secret = tmp_path_factory.mktemp("outside") / "secret.yaml"
    secret.write_text("token: hunter2\n")
    valid_project(project)
    (project / "specs" / "linked.yaml").symlink_to(secret)
    [message] = errors(project)
    assert message == (
        "specs/linked.yaml:1:1: is a link to a file outside the repository; not read"
    )
