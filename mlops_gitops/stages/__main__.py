"""``python -m mlops_gitops.stages STAGE NAME [--project DIR]``: what dvc.yaml's commands run."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
import time
from pathlib import Path

from mlops_gitops.errors import MlopsError
from mlops_gitops.stages import STAGES


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mlops_gitops.stages")
    parser.add_argument("stage", choices=STAGES)
    parser.add_argument("name", help="the dataset or experiment the stage runs for")
    parser.add_argument("--project", default=".", type=Path, help="project root")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    module = importlib.import_module(f"mlops_gitops.stages.{args.stage}")
    started = time.perf_counter()
    try:
        message: str = module.run(args.project.resolve(), args.name)
    except MlopsError as error:
        print(f"error: {args.stage} {args.name}: {error.message}", file=sys.stderr)
        if error.hint:
            print(f"hint: {error.hint}", file=sys.stderr)
        return 1
    print(f"{args.stage} {args.name}: {message} ({time.perf_counter() - started:.1f}s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
