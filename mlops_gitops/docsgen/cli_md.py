"""docs/cli.md: the command-line reference, generated from the ``mlops`` argparse parser.

It walks whatever the parser holds (command groups are discovered modules, so new commands show
up without changes here): every command and sub-command, sorted by name, with a usage line, its
description and a table of its arguments. The usage line is composed here rather than taken
from argparse's formatter, whose wrapping depends on the terminal and the Python version.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from dataclasses import dataclass

from mlops_gitops.docsgen.markdown import code, table

__all__ = ["render_cli_reference"]

HEADER = ("argument", "required", "default", "description")


@dataclass(frozen=True)
class _Command:
    path: str
    parser: argparse.ArgumentParser
    help: str


def render_cli_reference(parser: argparse.ArgumentParser) -> str:
    """Markdown for ``parser`` and every sub-command under it."""
    commands = sorted(
        _commands(parser, parser.prog, parser.description or ""),
        key=lambda c: (c.path != parser.prog, c.path),
    )
    out = [
        "# CLI reference",
        "",
        "<!-- Generated from the argparse parser by `python -m mlops_gitops.docsgen`. "
        "Do not edit by hand. -->",
        "",
    ]
    out += [f"- [{code(c.path)}](#{_anchor(c.path)})" for c in commands[1:]]
    for command in commands:
        out += _section(command)
    text = "\n".join(out)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text + "\n"


def _anchor(path: str) -> str:
    return path.replace(" ", "-")


def _commands(parser: argparse.ArgumentParser, path: str, help_text: str) -> Iterator[_Command]:
    yield _Command(path, parser, help_text)
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        helps = {choice.dest: choice.help or "" for choice in action._choices_actions}
        seen: set[int] = set()
        for name, sub in action.choices.items():
            if id(sub) in seen:  # an alias of a command already listed
                continue
            seen.add(id(sub))
            yield from _commands(sub, f"{path} {name}", helps.get(name, ""))


def _section(command: _Command) -> list[str]:
    parser = command.parser
    out = ["", f"## {command.path}", "", "```text", _usage(command.path, parser), "```", ""]
    description = parser.description or command.help
    if description:
        out += [_sentence(description), ""]
    rows = [_row(parser, a) for a in _documented(parser)]
    if rows:
        out += table(HEADER, rows)
    subcommands = _subcommands(parser)
    if subcommands:
        out += ["", "Commands:", ""]
        out += [
            f"- [{code(f'{command.path} {n}')}](#{_anchor(f'{command.path} {n}')}): {h}"
            for n, h in subcommands
        ]
    if parser.epilog:
        out += ["", _sentence(parser.epilog)]
    return out


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text[:1].upper() + text[1:]


def _documented(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    return [
        a
        for a in parser._actions
        if a.help != argparse.SUPPRESS
        and not isinstance(a, argparse._HelpAction | argparse._SubParsersAction)
    ]


def _subcommands(parser: argparse.ArgumentParser) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            found += sorted((c.dest, c.help or "") for c in action._choices_actions)
    return found


def _metavar(action: argparse.Action) -> str:
    if action.metavar is not None:
        return action.metavar if isinstance(action.metavar, str) else " ".join(action.metavar)
    if action.choices is not None and not isinstance(action, argparse._SubParsersAction):
        return "{" + ",".join(str(c) for c in action.choices) + "}"
    return action.dest if not action.option_strings else action.dest.upper()


def _takes_value(action: argparse.Action) -> bool:
    return action.nargs != 0


def _invocation(action: argparse.Action, *, short: bool) -> str:
    """``--format {text,json}``; in usage only the first option string."""
    if not action.option_strings:
        return _metavar(action)
    names = action.option_strings[:1] if short else action.option_strings
    value = f" {_metavar(action)}" if _takes_value(action) else ""
    return ", ".join(f"{n}{value}" for n in names)


def _is_required(action: argparse.Action) -> bool:
    if action.option_strings:
        return action.required
    return action.nargs not in ("?", "*")


def _usage(path: str, parser: argparse.ArgumentParser) -> str:
    parts = [path]
    for action in _documented(parser):
        text = _invocation(action, short=True)
        if action.nargs in ("*", "+") or isinstance(action, argparse._AppendAction):
            text += " ..."
        parts.append(text if _is_required(action) else f"[{text}]")
    if _subcommands(parser):
        parts.append("COMMAND ...")
    return " ".join(parts)


def _row(parser: argparse.ArgumentParser, action: argparse.Action) -> tuple[str, str, str, str]:
    default = ""
    if (
        _takes_value(action)
        and action.default is not None
        and action.default not in (argparse.SUPPRESS, [])
        and not isinstance(action, argparse._VersionAction)
    ):
        default = code(str(action.default))
    help_text = _expand_help(parser, action)
    if isinstance(action, argparse._AppendAction):
        help_text = f"{help_text} (repeatable)" if "repeatable" not in help_text else help_text
    return (
        code(_invocation(action, short=False)),
        "yes" if _is_required(action) else "",
        default,
        help_text,
    )


def _expand_help(parser: argparse.ArgumentParser, action: argparse.Action) -> str:
    """The help text with argparse's ``%(default)s``-style fields filled in, as argparse does."""
    text = action.help or ""
    if "%" not in text:
        return text
    params = {k: v for k, v in vars(action).items() if v is not argparse.SUPPRESS}
    if params.get("choices") is not None:
        params["choices"] = ", ".join(str(c) for c in params["choices"])
    params["prog"] = parser.prog
    try:
        return text % params
    except (KeyError, TypeError, ValueError):
        return text
