"""Run the app on uvicorn: ``serve(ServeOptions(...))`` blocks until SIGINT/SIGTERM.

The model is loaded (and its hash checked) before the port is opened, so a changed model file
stops start-up with an :class:`~mlops_gitops.errors.MlopsError` instead of serving. With more
than one worker uvicorn imports :func:`app_from_environment` in each worker process; the options
travel in the ``MLOPS_SERVING_OPTIONS`` environment variable. Shutdown flushes the request log.
"""

from __future__ import annotations

import argparse
import json
import os
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlops_gitops.errors import MlopsError
from mlops_gitops.serving.identity import INSTANCE_ENV, new_instance_id
from mlops_gitops.serving.options import (
    DEFAULT_MAX_BATCH_ROWS,
    DEFAULT_MAX_DECODED_BYTES,
    DEFAULT_TIMEOUT_HEADERS_S,
    DEFAULT_TIMEOUT_KEEP_ALIVE_S,
    request_log_dir,
)

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = [
    "OPTIONS_ENV",
    "ServeOptions",
    "app_from_environment",
    "build_app",
    "options_from_args",
    "serve",
]

OPTIONS_ENV = "MLOPS_SERVING_OPTIONS"
MIN_TOKEN_LENGTH = 16
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,62}")


@dataclass(frozen=True)
class ServeOptions:
    model_dir: Path
    name: str
    host: str = "127.0.0.1"
    port: int = 8080
    request_log: str | None = None  # a folder or an object-store URI
    log_flush_seconds: float = 1.0
    workers: int = 1
    max_body_bytes: int = 16 * 1024 * 1024
    max_batch_rows: int = DEFAULT_MAX_BATCH_ROWS
    max_decoded_bytes: int = DEFAULT_MAX_DECODED_BYTES
    auth_token_env: str | None = None
    timeout_headers: float = DEFAULT_TIMEOUT_HEADERS_S
    timeout_keep_alive: float = DEFAULT_TIMEOUT_KEEP_ALIVE_S
    log_level: str = "info"
    access_log: bool = False
    instance_id: str | None = None
    backend: str = "auto"

    def to_json(self) -> str:
        data = asdict(self)
        data["model_dir"] = str(self.model_dir)
        return json.dumps(data)

    @classmethod
    def from_json(cls, text: str) -> ServeOptions:
        data: dict[str, Any] = json.loads(text)
        data["model_dir"] = Path(data["model_dir"])
        return cls(**data)


def options_from_args(args: argparse.Namespace, root: Path = Path()) -> ServeOptions:
    return ServeOptions(
        model_dir=args.model_dir,
        name=args.name,
        host=args.host,
        port=args.port,
        request_log=request_log_dir(args, root),
        log_flush_seconds=args.log_flush_seconds,
        workers=args.workers,
        max_body_bytes=args.max_body_bytes,
        max_batch_rows=args.max_batch_rows,
        max_decoded_bytes=args.max_decoded_bytes,
        auth_token_env=args.auth_token_env,
        timeout_headers=args.timeout_headers,
        timeout_keep_alive=args.timeout_keep_alive,
        log_level=args.log_level,
        access_log=args.access_log,
        # read here, not as the parser's default, so generated docs never show a live value
        instance_id=args.instance_id or os.environ.get(INSTANCE_ENV) or new_instance_id(),
        backend=args.backend,
    )


def _check(options: ServeOptions) -> None:
    if not _NAME.fullmatch(options.name):
        raise MlopsError(
            f"'{options.name}' cannot be a model name",
            "use 1-63 letters, digits, '.', '_' or '-' (the deployment's name)",
        )
    if options.workers < 1:
        raise MlopsError(f"--workers must be at least 1, got {options.workers}")
    for flag, value in (
        ("--max-batch-rows", options.max_batch_rows),
        ("--max-decoded-bytes", options.max_decoded_bytes),
        ("--timeout-headers", options.timeout_headers),
        ("--timeout-keep-alive", options.timeout_keep_alive),
    ):
        if not value > 0:
            raise MlopsError(f"{flag} must be above 0, got {value}")
    if not options.log_flush_seconds > 0:
        raise MlopsError(f"--log-flush-seconds must be positive, got {options.log_flush_seconds}")
    if not 0 <= options.port <= 65535:
        raise MlopsError(f"--port must be 0-65535, got {options.port}")


def build_app(options: ServeOptions) -> FastAPI:
    from mlops_gitops.requestlog.writer import RequestLogSettings
    from mlops_gitops.serving.app import create_app
    from mlops_gitops.serving.upload_limits import UploadLimits

    _check(options)
    settings = None
    if options.request_log is not None:
        from mlops_gitops.io.storage import location

        settings = RequestLogSettings(
            location(options.request_log), max_seconds_per_file=options.log_flush_seconds
        )
    return create_app(
        options.model_dir,
        name=options.name,
        request_log=settings,
        max_body_bytes=options.max_body_bytes,
        instance_id=options.instance_id,
        upload_limits=UploadLimits(options.max_batch_rows, options.max_decoded_bytes),
        auth_token=_auth_token(options),
        backend=options.backend,
    )


def _auth_token(options: ServeOptions) -> str | None:
    name = options.auth_token_env
    if name is None:
        return None
    token = os.environ.get(name, "")
    if len(token) < MIN_TOKEN_LENGTH:
        raise MlopsError(
            f"environment variable {name} (--auth-token-env) is "
            + ("not set" if not token else f"shorter than {MIN_TOKEN_LENGTH} characters"),
            f"export {name}=<a random token of {MIN_TOKEN_LENGTH} or more characters>",
        )
    return token


def app_from_environment() -> FastAPI:
    """The uvicorn factory of each worker when ``workers > 1``."""
    text = os.environ.get(OPTIONS_ENV)
    if not text:
        raise MlopsError(f"{OPTIONS_ENV} is not set", "start the server with `mlops serve`")
    return build_app(ServeOptions.from_json(text))


def serve(options: ServeOptions) -> None:
    import uvicorn

    from mlops_gitops.serving.protocol import protocol_with_header_timeout

    common: dict[str, Any] = {
        "host": options.host,
        "port": options.port,
        "log_level": options.log_level,
        "access_log": options.access_log,
        "timeout_graceful_shutdown": 15,
        "timeout_keep_alive": options.timeout_keep_alive,
        "http": protocol_with_header_timeout(options.timeout_headers),
    }
    if options.workers == 1:
        uvicorn.run(build_app(options), **common)
        return
    from mlops_gitops.ml.artifact import load_model
    from mlops_gitops.serving.backends import choose_backend

    _check(options)
    # refuse a bad model (or a changed compiled graph) before starting any worker
    pipeline, info = load_model(options.model_dir)
    choose_backend(pipeline, info, options.model_dir, options.backend)
    from mlops_gitops.serving.prometheus import multiprocess_dir

    os.environ[OPTIONS_ENV] = options.to_json()
    with multiprocess_dir():  # the workers' metrics, summed by whichever worker is scraped
        uvicorn.run(
            "mlops_gitops.serving.server:app_from_environment",
            factory=True,
            workers=options.workers,
            **common,
        )
