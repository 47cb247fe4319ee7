"""docs/cli.md is rendered from whatever the argparse parser holds."""

from __future__ import annotations

import argparse
import re

from mlops_gitops.cli import build_parser
from mlops_gitops.docsgen import render_cli_reference


def all_commands(parser: argparse.ArgumentParser, path: str = "mlops") -> list[str]:
    found = [path]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found += all_commands(sub, f"{path} {name}")
    return found


def test_every_command_and_option_of_the_real_parser_is_documented() -> None:
    parser = build_parser()
    text = render_cli_reference(parser)
    headings = re.findall(r"^## (.+)$", text, flags=re.MULTILINE)
    assert headings == ["mlops", *sorted(all_commands(parser)[1:])]
    assert "| `-C DIR, --project DIR` |  | `.` |" in text
    assert "| `--detailed-exitcode` |  |  |" in text


def test_a_made_up_parser_renders_usage_table_and_subcommands() -> None:
    parser = argparse.ArgumentParser(prog="tool", description="does things", epilog="bye")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    run = sub.add_parser("run", help="run it", aliases=["r"])
    run.add_argument("target", help="what to run")
    run.add_argument("--level", type=int, default=3, help="how hard (default: %(default)s)")
    run.add_argument("--tag", action="append", default=[], metavar="T", help="a tag")
    run.add_argument("--mode", choices=("a", "b"), required=True, help="the mode")
    run.add_argument("--secret", help=argparse.SUPPRESS)
    text = render_cli_reference(parser)
    assert text.count("\n## tool run\n") == 1  # the alias is not a second command
    assert "```text\ntool run target [--level LEVEL] [--tag T ...] --mode {a,b}\n```" in text
    assert "| `--level LEVEL` |  | `3` | how hard (default: 3) |" in text
    assert "| `--tag T` |  |  | a tag (repeatable) |" in text
    assert "| `--mode {a,b}` | yes |  | the mode |" in text
    assert "--secret" not in text
    assert "- [`tool run`](#tool-run): run it" in text
    assert "\n\n\n" not in text
    assert "\nBye\n" in text  # the epilog
