"""``mlops completion SHELL``: a tab-completion script for bash, zsh or fish, generated from the
parser itself by shtab, so it always knows every command, option and choice."""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["SHELLS", "register"]

SHELLS = ("bash", "zsh", "fish")
_INSTALL = {
    "bash": "mlops completion bash > ~/.local/share/bash-completion/completions/mlops",
    "zsh": 'mlops completion zsh > "${fpath[1]}/_mlops"',
    "fish": "mlops completion fish > ~/.config/fish/completions/mlops.fish",
}


def register(sub: Any) -> None:
    completion = sub.add_parser(
        "completion",
        help="print a shell completion script (bash, zsh or fish)",
        description="Print the tab-completion script of mlops for SHELL. Install it with:  "
        + ";  ".join(f"{shell}: {line}" for shell, line in _INSTALL.items()),
    )
    completion.add_argument("shell", choices=SHELLS, metavar="SHELL", help="bash, zsh or fish")
    completion.set_defaults(handler=_completion)


def _completion(args: argparse.Namespace) -> int:
    import shtab

    from mlops_gitops.cli import build_parser

    print(shtab.complete(build_parser(), shell=args.shell), end="")
    return 0
