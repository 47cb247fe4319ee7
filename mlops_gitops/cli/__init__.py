"""The ``mlops`` command line: argument parsing and output only.

Each module in this package is one command group. It exports ``register(subparsers)``, which adds
its parsers and sets ``handler=<function(args) -> int>``; the handler calls one library function
and maps its result to output and an exit code. Modules are discovered, so a new command group is
a new file. Keep them light: heavy libraries are imported inside handlers, never at module level,
so ``mlops --help`` stays fast.

Exit codes: 0 ok, 1 error, 2 changes pending (where a command checks, e.g. ``plan
--detailed-exitcode``), 130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from collections.abc import Sequence

from mlops_gitops import __version__
from mlops_gitops.errors import MlopsError

__all__ = ["build_parser", "main"]

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_PENDING = 2
EXIT_BROKEN_PIPE = 141
"""128 + SIGPIPE: what a shell reports for a writer whose reader closed the pipe."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mlops",
        description="Declarative, GitOps-style MLOps: specs in git, reconciled into pipelines, "
        "models, containers and deployments.",
        epilog="Exit codes: 0 ok, 1 error, 2 changes pending (where a command checks).",
    )
    parser.add_argument("--version", action="version", version=f"mlops-gitops {__version__}")
    parser.add_argument(
        "-C",
        "--project",
        default=".",
        metavar="DIR",
        help="project root (the folder holding specs/); default: the current folder",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return EXIT_ERROR if args.command is None else EXIT_OK
    try:
        code: int = handler(args)
        sys.stdout.flush()  # a closed pipe fails here, inside the handler below
    except BrokenPipeError:
        # the reader went away (`mlops plan --format json | head -1`): stop quietly, as a
        # process killed by SIGPIPE would, and keep the interpreter's final flush quiet too
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except MlopsError as error:
        print(f"error: {error.message}", file=sys.stderr)
        if error.hint:
            print(f"hint: {error.hint}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return code
