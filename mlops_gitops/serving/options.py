"""The ``serve`` arguments, shared by ``mlops serve`` and ``python -m mlops_gitops.serving serve``.

Light on purpose: argparse and pathlib only, so building the CLI's parser imports no web stack.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from mlops_gitops.serving.identity import INSTANCE_ENV

__all__ = ["DEFAULT_REQUEST_LOG_ROOT", "add_serve_arguments", "request_log_dir"]

DEFAULT_REQUEST_LOG_ROOT = Path(".mlops") / "requests"


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--model-dir",
        required=True,
        type=Path,
        metavar="DIR",
        help="folder holding model.skops and model.json",
    )
    parser.add_argument(
        "--name", required=True, help="the served model's name (the deployment's name)"
    )
    parser.add_argument("--host", default="127.0.0.1", help="default: 127.0.0.1")
    parser.add_argument("--port", type=int, default=8080, help="default: 8080")
    log = parser.add_mutually_exclusive_group()
    log.add_argument(
        "--request-log",
        type=Path,
        metavar="DIR",
        help="where to write the request log (default: .mlops/requests/<name>)",
    )
    log.add_argument(
        "--no-request-log", action="store_true", help="do not log requests (no drift, no labels)"
    )
    parser.add_argument(
        "--instance-id",
        metavar="ID",
        help=f"echoed in the health routes' X-Mlops-Instance-Id header, so a runtime knows "
        f"its own process answers (default: ${INSTANCE_ENV}, else a random id)",
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="uvicorn worker processes (default: 1)"
    )
    parser.add_argument(
        "--max-body-bytes",
        type=int,
        default=16 * 1024 * 1024,
        help="largest request body accepted (default: 16 MiB); larger gets 413",
    )
    parser.add_argument(
        "--log-level", default="info", choices=("critical", "error", "warning", "info", "debug")
    )
    parser.add_argument(
        "--access-log", action="store_true", help="log every request (costs throughput)"
    )


def request_log_dir(args: argparse.Namespace, root: Path = Path()) -> Path | None:
    """The request log folder the arguments ask for (``None``: logging is off)."""
    if args.no_request_log:
        return None
    if args.request_log is not None:
        return Path(args.request_log)
    name: str = args.name
    return root / DEFAULT_REQUEST_LOG_ROOT / name
