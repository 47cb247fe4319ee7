"""Where every file of a project lives: one :class:`ProjectLayout`, used by writers and readers.

The DVC stages that :mod:`mlops_gitops.render.dvc` declares, the stages that write those outputs,
and every module that reads them (serving, the registry, drift checks, drift pull requests, the
model card) ask this module for the path, so a renamed output changes in one place. Each artifact
method's docstring says what lives there; its ``@artifact`` mark says who writes and who reads it,
and ``python -m mlops_gitops.docsgen`` turns the marks into ``docs/layout.md``.

A layout rooted at ``Path()`` (:data:`RELATIVE`) gives paths relative to the project root;
:meth:`ProjectLayout.posix` turns any path of a layout into the relative POSIX string that
``dvc.yaml``, git and GTO use.

Neutral and light on purpose: it imports nothing from the feature packages, which import it.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

__all__ = [
    "ARTIFACTS",
    "COMPILED_DIR",
    "DATA_DIR",
    "INGEST_RECORD_FILE",
    "LEADERBOARD_FILE",
    "LEADERBOARD_MARKDOWN_FILE",
    "LINEAGE_FILE",
    "METRICS_DIR",
    "MODELS_DIR",
    "MODEL_CARD_FILE",
    "MODEL_FILE",
    "MODEL_INFO_FILE",
    "RAW_DATA_FILE",
    "REFERENCE_PROFILE_FILE",
    "RELATIVE",
    "REPORTS_DIR",
    "TEST_SPLIT_FILE",
    "TRAIN_SPLIT_FILE",
    "Artifact",
    "ProjectLayout",
    "artifact_pattern",
]

DATA_DIR = "data"
MODELS_DIR = "models"
METRICS_DIR = "metrics"
REPORTS_DIR = "reports"
STATE_DIR = ".mlops"

RAW_DATA_FILE = "raw.parquet"
INGEST_RECORD_FILE = "ingest.json"
TRAIN_SPLIT_FILE = "train.parquet"
TEST_SPLIT_FILE = "test.parquet"

MODEL_FILE = "model.skops"
MODEL_INFO_FILE = "model.json"
REFERENCE_PROFILE_FILE = "reference_profile.json"
COMPILED_DIR = "compiled"
LEADERBOARD_FILE = "leaderboard.json"
LEADERBOARD_MARKDOWN_FILE = "leaderboard.md"
LINEAGE_FILE = "lineage.json"
MODEL_CARD_FILE = "model_card.md"


@dataclass(frozen=True)
class Artifact:
    """One path of the layout, for ``docs/layout.md``: the method that builds it, what it holds
    (the method's docstring), who writes it and who reads it."""

    method: str
    holds: str
    written_by: str
    read_by: str
    folder: bool


ARTIFACTS: list[Artifact] = []
"""Every marked path of :class:`ProjectLayout`, in the order the class declares them."""

_Method = TypeVar("_Method", bound=Callable[..., Path])


def artifact(
    written_by: str, read_by: str, *, folder: bool = False
) -> Callable[[_Method], _Method]:
    """Mark a :class:`ProjectLayout` method as a documented path of the project (a folder when
    ``folder``)."""

    def mark(method: _Method) -> _Method:
        holds = " ".join((inspect.getdoc(method) or "").split())
        ARTIFACTS.append(Artifact(method.__name__, holds, written_by, read_by, folder))
        return method

    return mark


@dataclass(frozen=True)
class ProjectLayout:
    """The paths of the project at ``root``; every method returns ``root / <its path>``."""

    root: Path = field(default_factory=Path)

    def posix(self, path: Path) -> str:
        """``path`` (one of this layout's) relative to the root, as a POSIX string."""
        return path.relative_to(self.root).as_posix()

    # -- project files -----------------------------------------------------------------------
    @artifact("people", "`mlops_gitops.specs.load_specs(root) -> SpecSet`", folder=True)
    def specs_dir(self) -> Path:
        """The YAML specs (``**/*.yaml``): the desired state of the project."""
        return self.root / "specs"

    @artifact("`mlops apply` (its stages carry `meta: {managed-by: mlops-gitops}`)", "`dvc repro`")
    def dvc_file(self) -> Path:
        """The DVC pipeline: the managed stages and a person's own."""
        return self.root / "dvc.yaml"

    @artifact("`dvc repro`", "lineage (the data version), `mlops models register` (via git)")
    def dvc_lock(self) -> Path:
        """The md5 of every stage's dependencies and outputs as DVC last ran them."""
        return self.root / "dvc.lock"

    @artifact("`mlops apply` (the `mlops:` block)", "`dvc repro`, `dvc exp show`, the stages")
    def params_file(self) -> Path:
        """The tunables each stage depends on: splits, candidates and search spaces, search and
        preprocessing settings (what `dvc exp run -S` sets and `dvc exp show` compares)."""
        return self.root / "params.yaml"

    @artifact("`mlops apply`", "`dvc repro` (stage `deps`), the stages", folder=True)
    def spec_files_dir(self) -> Path:
        """The specs' fixed settings as JSON, one file per spec and group, which stages list
        as ``deps``: ``<kind>-<name>.json``, and ``.validation``, ``.criteria``,
        ``.interpretation`` apart so a change to one re-runs only the stages that read it."""
        return self.root / STATE_DIR / "specs"

    def spec_file(self, kind: str, name: str, part: str = "") -> Path:
        """One rendered spec file (in :meth:`spec_files_dir`): a spec's fixed settings, or one
        group of them (``part``)."""
        suffix = f".{part}" if part else ""
        return self.spec_files_dir() / f"{kind.lower()}-{name}{suffix}.json"

    @artifact("`mlops models register` (GTO)", "`gto`, `mlops models list/show`")
    def annotations_file(self) -> Path:
        """Each registered model's type and path (versions and stages are git tags)."""
        return self.root / "artifacts.yaml"

    # -- project state ----------------------------------------------------------------------
    @artifact("`mlops apply`", "`mlops plan`, `mlops status`")
    def state_file(self) -> Path:
        """The inventory apply keeps: resource -> digest, last attempted and applied revision."""
        return self.root / STATE_DIR / "state.json"

    @artifact("`mlops apply` (held while it runs)", "a concurrent `mlops apply`")
    def lock_file(self) -> Path:
        """The lock that keeps two applies of one project apart."""
        return self.root / STATE_DIR / "lock"

    @artifact(
        "`mlops init` (same bytes as `mlops schema export`)", "editors, via `$schema=`", folder=True
    )
    def schemas_dir(self) -> Path:
        """The JSON Schemas of the spec kinds, ``<kind>.json``, for editors."""
        return self.root / STATE_DIR / "schemas"

    # -- datasets ----------------------------------------------------------------------------
    @artifact("stage `ingest`", "`profile`, `validate`, `split`, lineage, `mlops drift pr`")
    def raw_data(self, dataset: str) -> Path:
        """The dataset's rows as ingested from its source."""
        return self.dataset_dir(dataset) / RAW_DATA_FILE

    @artifact("stage `ingest`", "`train` (lineage), `card`")
    def ingest_record(self, dataset: str) -> Path:
        """Where the rows came from, when, how many, and their hash."""
        return self.dataset_dir(dataset) / INGEST_RECORD_FILE

    @artifact("stage `split`", "`train`, `reference`, `mlops drift check` (no profile), challenger")
    def train_split(self, dataset: str) -> Path:
        """The training rows of the dataset (seeded, stratified where it fits)."""
        return self.dataset_dir(dataset) / TRAIN_SPLIT_FILE

    @artifact("stage `split`", "`train`, `evaluate`, `performance`, `interpret`, challenger")
    def test_split(self, dataset: str) -> Path:
        """The held-out test rows of the dataset."""
        return self.dataset_dir(dataset) / TEST_SPLIT_FILE

    @artifact("`mlops drift pr` with `retrain: true` and labels", "`source.path` after merge")
    def drift_data(self, dataset: str, date: str) -> Path:
        """A new version of the dataset: its rows plus labelled traffic (DVC-tracked, on the
        pull request's branch)."""
        return self.dataset_dir(dataset) / f"drift-{date}.parquet"

    @artifact("stages `ingest`, `split`", "the paths above", folder=True)
    def dataset_dir(self, dataset: str) -> Path:
        """The folder of one dataset's DVC-tracked data files."""
        return self.root / DATA_DIR / dataset

    # -- dataset reports ---------------------------------------------------------------------
    @artifact("stage `profile`", "people, `card`")
    def profile_report(self, dataset: str) -> Path:
        """Missing values, class balance, distributions, correlations, mutual information."""
        return self.dataset_reports(dataset) / "profile.json"

    @artifact("stage `profile`", "people")
    def profile_markdown(self, dataset: str) -> Path:
        """The profile as Markdown."""
        return self.dataset_reports(dataset) / "profile.md"

    @artifact("stage `profile`", "people, `dvc plots show`", folder=True)
    def profile_plots(self, dataset: str) -> Path:
        """The profile's plots (PNG)."""
        return self.dataset_reports(dataset) / "plots"

    @artifact("stage `validate`", "`split` (refuses failed data), people")
    def validation_report(self, dataset: str) -> Path:
        """Schema, range, allowed-value and missing-fraction checks of the raw rows."""
        return self.dataset_reports(dataset) / "validation.json"

    @artifact("stage `validate`", "people")
    def validation_markdown(self, dataset: str) -> Path:
        """The validation report as Markdown."""
        return self.dataset_reports(dataset) / "validation.md"

    @artifact("stages `profile`, `validate`", "the paths above", folder=True)
    def dataset_reports(self, dataset: str) -> Path:
        """The folder of one dataset's reports."""
        return self.root / REPORTS_DIR / dataset

    # -- models ------------------------------------------------------------------------------
    @artifact(
        "stage `train`",
        "every reader of a model, through `model_file`, `model_info`, ...",
        folder=True,
    )
    def model_dir(self, experiment: str) -> Path:
        """The folder of one experiment's latest trained model."""
        return self.root / MODELS_DIR / experiment

    @artifact(
        "stage `train` (`ml.artifact.save_model`)",
        "`load_model` (hash-checked): stages, serving, registry",
    )
    def model_file(self, experiment: str) -> Path:
        """The fitted scikit-learn pipeline (skops: safe to load)."""
        return self.model_dir(experiment) / MODEL_FILE

    @artifact("stage `train`", "serving, `reference`, registry, `mlops explain`, labels import")
    def model_info(self, experiment: str) -> Path:
        """``ModelInfo``: input schema, task, target, classes, estimator, sha256, compiled graph."""
        return self.model_dir(experiment) / MODEL_INFO_FILE

    @artifact(
        "stage `train` (`ml.compile`: verified on the test split)",
        "serving, `performance`",
        folder=True,
    )
    def compiled_dir(self, experiment: str) -> Path:
        """``model.onnx`` (when verified) and ``verification.json``."""
        return self.model_dir(experiment) / COMPILED_DIR

    @artifact("stage `train`", "people, `card`")
    def leaderboard(self, experiment: str) -> Path:
        """Every candidate tried, with its cross-validated score."""
        return self.model_dir(experiment) / LEADERBOARD_FILE

    @artifact("stage `train`", "people")
    def leaderboard_markdown(self, experiment: str) -> Path:
        """The leaderboard as Markdown."""
        return self.model_dir(experiment) / LEADERBOARD_MARKDOWN_FILE

    @artifact("stage `train`", "`card`, `mlops models register`")
    def lineage(self, experiment: str) -> Path:
        """Code, data, environment versions and params of the run that trained the model."""
        return self.model_dir(experiment) / LINEAGE_FILE

    @artifact("stage `reference`", "`mlops drift check` (instead of the training split)")
    def reference_profile(self, experiment: str) -> Path:
        """Summaries of the training split's model inputs: the drift reference."""
        return self.model_dir(experiment) / REFERENCE_PROFILE_FILE

    @artifact("stage `card`", "people")
    def model_card(self, experiment: str) -> Path:
        """The model card: data, metrics, interpretation, fairness, lineage."""
        return self.model_dir(experiment) / MODEL_CARD_FILE

    # -- metrics and experiment reports -------------------------------------------------------
    @artifact("stage `evaluate`", "DVC metrics, registry gates, `card`, labelled performance")
    def metrics_file(self, experiment: str) -> Path:
        """Flat predictive metrics, ``criteria_passed`` and the compiled graph's figures."""
        return self.root / METRICS_DIR / f"{experiment}.json"

    @artifact("stage `performance`", "DVC metrics, registry gates, `card`")
    def performance_file(self, experiment: str) -> Path:
        """Latency, throughput, model size and load time of each backend."""
        return self.root / METRICS_DIR / f"{experiment}.performance.json"

    @artifact("stage `evaluate`", "people")
    def evaluation_report(self, experiment: str) -> Path:
        """The evaluation on the test split, and the success criteria checked."""
        return self.experiment_reports(experiment) / "evaluation.json"

    @artifact("stage `evaluate`", "people")
    def evaluation_markdown(self, experiment: str) -> Path:
        """The evaluation as Markdown."""
        return self.experiment_reports(experiment) / "evaluation.md"

    @artifact("stage `evaluate`", "`dvc plots show/diff`", folder=True)
    def evaluate_plots(self, experiment: str) -> Path:
        """Confusion/ROC/precision-recall or predicted-vs-actual/residual data and images."""
        return self.experiment_reports(experiment) / "evaluate"

    @artifact("stage `interpret`", "`card`, people", folder=True)
    def interpret_dir(self, experiment: str) -> Path:
        """Global and local explanations, feature importance, fairness (JSON)."""
        return self.experiment_reports(experiment) / "interpret"

    @artifact("stages `evaluate`, `interpret`", "people, `dvc plots show/diff`", folder=True)
    def experiment_reports(self, experiment: str) -> Path:
        """The folder of one experiment's reports and plots (``importance.csv``, ``pdp_ice/``)."""
        return self.root / REPORTS_DIR / experiment

    # -- deployments ---------------------------------------------------------------------------
    @artifact(
        "the registry's checkout (`mlops apply`, `deploy`, `build`, `serve`)",
        "serving",
        folder=True,
    )
    def models_checkout(self, name: str, version: str) -> Path:
        """A registered model version checked out of git/DVC (hash-checked)."""
        return self.models_cache() / name / version

    @artifact("the registry's checkout", "`mlops plan` (is a version checked out?)", folder=True)
    def models_cache(self) -> Path:
        """The checked-out registered model versions, ``<name>/<version>/``."""
        return self.root / STATE_DIR / "models"

    @artifact("serving", "`mlops drift check`, `mlops drift pr`, labels join", folder=True)
    def request_log_default(self, deployment: str) -> Path:
        """The request log of a deployment whose spec names no ``requestLog`` (see
        [object-storage.md](object-storage.md)): ``date=YYYY-MM-DD/hour=HH/<replica>-<seq>.parquet``
        and, from labels import and the feedback endpoint, ``labels/`` the same way."""
        return self.request_logs() / deployment

    def request_logs(self) -> Path:
        """The folder of the default request logs, one per deployment."""
        return self.root / STATE_DIR / "requests"

    @artifact("local runtime", "`mlops status`, `mlops undeploy`")
    def run_record(self, deployment: str) -> Path:
        """The pid, port and url of a deployment the local runtime started."""
        return self.run_dir() / f"{deployment}.json"

    @artifact("local runtime (the served process's stdout and stderr)", "people")
    def run_log(self, deployment: str) -> Path:
        """The output of a deployment the local runtime started."""
        return self.run_dir() / f"{deployment}.log"

    def run_dir(self) -> Path:
        """The folder of the local runtime's records."""
        return self.root / STATE_DIR / "run"

    @artifact("`mlops build` (Dockerfile, model, wheels, config)", "docker", folder=True)
    def build_context(self, deployment: str) -> Path:
        """The container build context of a deployment."""
        return self.root / "build" / deployment

    @artifact("kubernetes runtime (manifests and kustomization.yaml)", "Argo CD, Flux", folder=True)
    def deploy_manifests(self, deployment: str) -> Path:
        """The Kubernetes manifests of a deployment, for a GitOps controller to sync."""
        return self.root / "deploy" / deployment

    @artifact("`mlops drift check`", "`mlops drift pr`, people", folder=True)
    def drift_report(self, deployment: str, window_end: str) -> Path:
        """One drift check: report.json, report.md, report.html, plots, labelled performance."""
        return self.drift_reports(deployment) / window_end

    @artifact("`mlops drift check`", "`mlops drift pr`", folder=True)
    def drift_reports(self, deployment: str) -> Path:
        """The folder of a deployment's drift reports, one per window end."""
        return self.root / REPORTS_DIR / "drift" / deployment

    @artifact("`mlops gh` (on its images branch)", "the pull request comment", folder=True)
    def pr_images(self, pr_number: str) -> Path:
        """The plots a pull request comment shows."""
        return self.root / REPORTS_DIR / f"pr-{pr_number}"


RELATIVE = ProjectLayout()
"""The layout rooted at the project root: its paths are relative."""


def artifact_pattern(item: Artifact) -> str:
    """The path of ``item`` with each argument as ``<name>``: ``data/<dataset>/raw.parquet``."""
    method = getattr(RELATIVE, item.method)
    names = list(inspect.signature(method).parameters)
    path: Path = method(*(f"<{name}>" for name in names))
    return RELATIVE.posix(path) + ("/" if item.folder else "")
