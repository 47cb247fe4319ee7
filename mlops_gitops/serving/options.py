"""The ``serve`` arguments, shared by ``mlops serve`` and ``python -m mlops_gitops.serving serve``.

Light on purpose: argparse and pathlib only, so building the CLI's parser imports no web stack.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from mlops_gitops.layout import RELATIVE, ProjectLayout
from mlops_gitops.serving.identity import INSTANCE_ENV

__all__ = [
    "DEFAULT_MAX_BATCH_ROWS",
    "DEFAULT_MAX_DECODED_BYTES",
    "DEFAULT_REQUEST_LOG_ROOT",
    "DEFAULT_TIMEOUT_HEADERS_S",
    "DEFAULT_TIMEOUT_KEEP_ALIVE_S",
    "REQUEST_LOG_ENV",
    "add_serve_arguments",
    "request_log_dir",
]

DEFAULT_REQUEST_LOG_ROOT = RELATIVE.request_logs()
DEFAULT_MAX_BATCH_ROWS = 100_000
"""Most rows one /predict/batch upload may hold, after decompression."""
DEFAULT_MAX_DECODED_BYTES = 64 * 1024 * 1024
"""Most bytes (Arrow, in memory) one /predict/batch upload may decode to."""
# Set by the docker and kubernetes runtimes for an object-store log; it overrides the folder the
# image's command names, so one image serves with any store.
REQUEST_LOG_ENV = "MLOPS_REQUEST_LOG_URI"
DEFAULT_TIMEOUT_HEADERS_S = 10.0
"""Seconds a client has to send a request's headers (slowloris protection)."""
DEFAULT_TIMEOUT_KEEP_ALIVE_S = 5.0
"""Seconds an idle kept-alive connection stays open."""


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--model-dir",
        required=True,
        type=Path,
        metavar="DIR",
        help="folder holding model.skops and model.json (and compiled/model.onnx when verified)",
    )
    parser.add_argument(
        "--name", required=True, help="the served model's name (the deployment's name)"
    )
    parser.add_argument("--host", default="127.0.0.1", help="default: 127.0.0.1")
    parser.add_argument("--port", type=int, default=8080, help="default: 8080")
    log = parser.add_mutually_exclusive_group()
    log.add_argument(
        "--request-log",
        metavar="URI",
        help="the request log folder: a path or an object-store URI such as s3://bucket/prefix "
        f"(default: .mlops/requests/<name>; ${REQUEST_LOG_ENV} overrides it)",
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
        "--log-flush-seconds",
        type=float,
        default=1.0,
        metavar="S",
        help="write buffered request-log rows at least this often (default: 1; rows reach "
        "drift checks within about S + 1 s)",
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
        "--max-batch-rows",
        type=int,
        default=DEFAULT_MAX_BATCH_ROWS,
        help="most rows one /predict/batch upload may hold (default: 100,000); more gets 413",
    )
    parser.add_argument(
        "--max-decoded-bytes",
        type=int,
        default=DEFAULT_MAX_DECODED_BYTES,
        help="most bytes one /predict/batch upload may decode to (default: 64 MiB); more gets 413",
    )
    parser.add_argument(
        "--timeout-headers",
        type=float,
        default=DEFAULT_TIMEOUT_HEADERS_S,
        metavar="SECONDS",
        help="close a connection that has not sent a request's headers in time (default: 10)",
    )
    parser.add_argument(
        "--timeout-keep-alive",
        type=float,
        default=DEFAULT_TIMEOUT_KEEP_ALIVE_S,
        metavar="SECONDS",
        help="close a kept-alive connection idle this long (default: 5)",
    )
    parser.add_argument(
        "--auth-token-env",
        metavar="VAR",
        help="require `Authorization: Bearer <token>` for inference and feedback, the token "
        "read from this environment variable",
    )
    parser.add_argument(
        "--log-level", default="info", choices=("critical", "error", "warning", "info", "debug")
    )
    parser.add_argument(
        "--access-log", action="store_true", help="log every request (costs throughput)"
    )
    parser.add_argument(
        "--backend",
        choices=("auto", "sklearn", "onnx"),
        default="auto",
        help="what runs the model: onnx (its verified ONNX graph, in ONNX Runtime), sklearn "
        "(the pipeline), or auto (default: onnx when training verified a graph)",
    )


def request_log_dir(args: argparse.Namespace, root: Path = Path()) -> str | None:
    """The request log folder (a path or URI) the arguments ask for (``None``: logging is
    off)."""
    if args.no_request_log:
        return None
    override = os.environ.get(REQUEST_LOG_ENV)
    if override:
        return override
    if args.request_log is not None:
        return str(args.request_log)
    name: str = args.name
    return str(ProjectLayout(root).request_log_default(name))
