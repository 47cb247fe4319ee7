"""The CI comment shows the key plots the pipeline really makes: the patterns ci.yml passes to
``mlops gh comment --images`` match PNGs that ``dvc repro`` wrote and DVC tracks, and every
markdown report embeds its picture."""

from __future__ import annotations

import glob
import itertools
from pathlib import Path, PurePosixPath

import pytest
import yaml

from tests.helpers.paths import REPO_ROOT
from tests.workflows.shell import load_workflow, mlops_commands, run_scripts

pytestmark = pytest.mark.slow  # two tests read the project `dvc repro` trained

CI = REPO_ROOT / ".github" / "workflows" / "ci.yml"


def images_argument() -> list[str]:
    """The PATHs after ``--images`` of ci.yml's ``mlops gh comment`` (exactly one has them)."""
    found = [
        argv
        for _, script in run_scripts(load_workflow(CI))
        for argv in mlops_commands(script)
        if argv[:2] == ["gh", "comment"] and "--images" in argv
    ]
    assert len(found) == 1, found
    argv = found[0]
    after = argv[argv.index("--images") + 1 :]
    return list(itertools.takewhile(lambda a: not a.startswith("-"), after))


def tracked_paths(root: Path) -> list[PurePosixPath]:
    """Every output and plot path the project's dvc.yaml declares."""
    stages = yaml.safe_load((root / "dvc.yaml").read_text())["stages"]
    paths = []
    for stage in stages.values():
        for key in ("outs", "plots", "metrics"):
            for entry in stage.get(key, []):
                paths.append(PurePosixPath(next(iter(entry)) if isinstance(entry, dict) else entry))
    return paths


def test_ci_shows_the_pngs_the_pipeline_writes_and_dvc_tracks(repo: Path) -> None:
    patterns = images_argument()
    assert patterns == ["reports/*/evaluate/*.png", "reports/*/interpret/importance.png"]
    tracked = tracked_paths(repo)
    matched: list[str] = []
    for pattern in patterns:
        hits = sorted(glob.glob(pattern, root_dir=repo))
        assert hits, f"{pattern} matches nothing after dvc repro"
        for hit in hits:
            path = PurePosixPath(hit)
            assert (repo / hit).read_bytes()[:4] == b"\x89PNG", hit
            assert any(path == t or t in path.parents for t in tracked), f"{hit} is not DVC's"
        matched += hits
    assert matched == [
        "reports/lin-a/evaluate/predicted_vs_actual.png",
        "reports/lin-b/evaluate/predicted_vs_actual.png",
        "reports/lin-a/interpret/importance.png",
        "reports/lin-b/interpret/importance.png",
    ]
    # the same files travel in the run's artifact, for the comment's fallback links
    steps = next(iter(load_workflow(CI)["jobs"].values()))["steps"]
    (upload,) = [s for s in steps if s.get("uses", "").startswith("actions/upload-artifact")]
    assert set(patterns) <= set(upload["with"]["path"].split())


def test_the_example_pipelines_key_pngs_are_matched_for_both_tasks() -> None:
    """The repository's example has a classifier too: its confusion matrix is shown."""
    images = [p for p in tracked_paths(REPO_ROOT) if p.suffix == ".png"]
    shown = [p for p in images if any(p.match(x) for x in images_argument())]
    assert {p.name for p in shown} == {"confusion_matrix.png", "predicted_vs_actual.png"}
    assert PurePosixPath("reports/malignancy-classifier/evaluate/confusion_matrix.png") in shown


def test_evaluation_md_embeds_its_picture(repo: Path) -> None:
    text = (repo / "reports/lin-a/evaluation.md").read_text()
    assert text.rstrip().endswith("![predicted_vs_actual](evaluate/predicted_vs_actual.png)")
    assert (repo / "reports/lin-a/evaluate/predicted_vs_actual.png").is_file()
