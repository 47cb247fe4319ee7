"""Find the ``mlops ...`` command lines inside the ``run:`` scripts of GitHub workflows."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

EXPRESSION = re.compile(r"\$\{\{.*?\}\}")
PLACEHOLDER = "PLACEHOLDER"
OPERATOR_CHARS = set("();<>|&")
STARTERS = {"then", "do", "else", "elif", "if", "while", "until", "!", "time"}


def load_workflow(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text())
    assert isinstance(data, dict), f"{path} is not a mapping"
    return data


def run_scripts(workflow: dict[Any, Any]) -> Iterator[tuple[str, str]]:
    """(step name, run script) of every step of every job."""
    for job_name, job in workflow["jobs"].items():
        for index, step in enumerate(job.get("steps", [])):
            if "run" in step:
                yield step.get("name", f"{job_name} step {index}"), step["run"]


def _is_operator(token: str) -> bool:
    return bool(token) and set(token) <= OPERATOR_CHARS


def mlops_commands(script: str) -> list[list[str]]:
    """The arguments after ``mlops`` of every mlops command in a shell script.

    ``${{ ... }}`` expressions become a placeholder; a command ends at an operator (pipe, redirect,
    ``;``, ``&&``, ``||``, parentheses) or at the end of its line.
    """
    script = EXPRESSION.sub(PLACEHOLDER, script).replace("\\\n", " ")
    found: list[list[str]] = []
    for line in script.splitlines():
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        lexer.commenters = "#"
        tokens = list(lexer)
        for i, token in enumerate(tokens):
            at_start = i == 0 or _is_operator(tokens[i - 1]) or tokens[i - 1] in STARTERS
            if token != "mlops" or not at_start:
                continue
            args: list[str] = []
            for word in tokens[i + 1 :]:
                if _is_operator(word):
                    break
                args.append(word)
            found.append(args)
    return found
