"""``python -m mlops_gitops.serving serve --model-dir DIR --name NAME``: what runtimes launch."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from mlops_gitops.errors import MlopsError
from mlops_gitops.serving.options import add_serve_arguments


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mlops_gitops.serving")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    add_serve_arguments(sub.add_parser("serve", help="serve a model over HTTP"))
    args = parser.parse_args(argv)
    from mlops_gitops.serving.server import options_from_args, serve

    try:
        serve(options_from_args(args))
    except MlopsError as error:
        print(f"error: {error.message}", file=sys.stderr)
        if error.hint:
            print(f"hint: {error.hint}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
