"""Every ``mlops`` command line in the workflows parses with the real ``mlops`` parser.

A renamed command or flag breaks these tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mlops_gitops.cli import build_parser
from mlops_gitops.scaffold.install import install_line_for
from mlops_gitops.scaffold.workflows import render_workflows
from tests.helpers.paths import REPO_ROOT
from tests.workflows.shell import load_workflow, mlops_commands, run_scripts

WORKFLOWS = sorted((REPO_ROOT / ".github" / "workflows").glob("*.yml"))
EXPECTED = {
    "ci.yml": {("validate",), ("plan",), ("gh", "comment"), ("apply",)},
    "cd.yml": {
        ("plan",),
        ("apply",),
        ("get",),
        ("models", "register"),
        ("models", "promote"),
        ("models", "list"),
        ("build",),
        ("deploy",),
    },
    "drift.yml": {("get",), ("drift", "check"), ("drift", "pr")},
    "tests.yml": set(),
    "release.yml": set(),
}


def leading_words(argv: list[str]) -> tuple[str, ...]:
    words: list[str] = []
    for word in argv:
        if word.startswith("-") or word.startswith("$") or word == "PLACEHOLDER":
            break
        words.append(word)
    return tuple(words)


def check_parses(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit:
        pytest.fail(f"`mlops {' '.join(argv)}` does not parse: {capsys.readouterr().err}")
    assert getattr(args, "handler", None) is not None, f"`mlops {' '.join(argv)}` is incomplete"


def all_commands() -> list[tuple[str, list[str]]]:
    return [
        (path.name, argv)
        for path in WORKFLOWS
        for _, script in run_scripts(load_workflow(path))
        for argv in mlops_commands(script)
    ]


@pytest.mark.parametrize(
    ("workflow", "argv"),
    all_commands(),
    ids=[f"{name}: mlops {' '.join(argv)}" for name, argv in all_commands()],
)
def test_workflow_command_parses(
    workflow: str, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    check_parses(argv, capsys)


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_extraction_finds_the_expected_commands(path: Path) -> None:
    found = {
        leading_words(argv)
        for _, script in run_scripts(load_workflow(path))
        for argv in mlops_commands(script)
    }
    assert found == EXPECTED[path.name]


def test_scaffolded_workflows_call_the_same_commands() -> None:
    line = install_line_for("0.1.0", None)
    for name, text in render_workflows(line.text()).items():
        assert 'pip install "mlops-gitops==0.1.0"' in text
        assert (
            text.replace('pip install "mlops-gitops==0.1.0"', "pip install -e .")
            == (REPO_ROOT / ".github" / "workflows" / name).read_text()
        )


def test_a_commented_install_line_is_a_literal_block_run_as_written() -> None:
    line = install_line_for("0.1.0", {"url": "file:///src/mlops-gitops", "dir_info": {}})
    assert line.comment  # several lines: the comment, then the command
    for name, text in render_workflows(line.text()).items():
        steps = next(iter(yaml.safe_load(text)["jobs"].values()))["steps"]
        [install] = [s for s in steps if s.get("name") == "Install mlops-gitops"]
        assert install["run"] == line.text() + "\n", name


def test_extraction_splits_pipes_redirects_and_substitutions() -> None:
    script = (
        "for d in $(mlops get --format json | jq -r .); do\n"
        '  mlops drift check "$d" --format md >> "$GITHUB_STEP_SUMMARY" || mlops drift pr "$d"\n'
        "done\n"
        "echo mlops is not a command here  # mlops neither\n"
        "mlops plan \\\n  --format ${{ inputs.format }}\n"
    )
    assert mlops_commands(script) == [
        ["get", "--format", "json"],
        ["drift", "check", "$d", "--format", "md"],
        ["drift", "pr", "$d"],
        ["plan", "--format", "PLACEHOLDER"],
    ]


def test_a_renamed_flag_fails(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(pytest.fail.Exception, match="does not parse"):
        check_parses(["plan", "--detailed-exit-code"], capsys)
    with pytest.raises(AssertionError, match="is incomplete"):
        check_parses([], capsys)
