"""``mlops models show`` says which backend serves the working tree's model, and why."""

from __future__ import annotations

import json
import shutil

import pytest

from mlops_gitops.cli import main
from tests.helpers.model_repo import Repo
from tests.helpers.paths import EXAMPLE_SPECS

NAME = "progression-linear"


@pytest.mark.parametrize(
    ("compiled", "line"),
    [
        (
            {
                "status": "verified",
                "reason": "labels and values match scikit-learn on all 89 test rows",
                "file": "compiled/model.onnx",
                "sha256": "0" * 64,
                "verification": {"rows": 89.0, "max_relative_difference": 1e-7},
            },
            "serving backend: onnx (compiled/model.onnx, verified on 89 test rows)",
        ),
        (
            {"status": "fallback", "reason": "column 'flag' is boolean"},
            "serving backend: scikit-learn (fallback: column 'flag' is boolean)",
        ),
        (
            None,
            "serving backend: scikit-learn (trained before compiled inference existed; "
            "retrain to compile)",
        ),
    ],
)
def test_show_names_the_serving_backend(
    repo: Repo,
    capsys: pytest.CaptureFixture[str],
    compiled: dict[str, object] | None,
    line: str,
) -> None:
    shutil.copytree(EXAMPLE_SPECS, repo.root / "specs")
    files = repo.model_files(NAME, metrics={"r2": 0.48})
    if compiled is not None:
        info = json.loads(files[f"models/{NAME}/model.json"])
        files[f"models/{NAME}/model.json"] = json.dumps({**info, "compiled": compiled})
    repo.commit("train", files)
    assert main(["-C", str(repo.root), "models", "register", NAME]) == 0
    capsys.readouterr()

    assert main(["-C", str(repo.root), "models", "show", NAME]) == 0
    assert line in capsys.readouterr().out.splitlines()
    assert main(["-C", str(repo.root), "models", "show", NAME, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["compiled"] == (compiled or {})
