"""The build context of a serving image, as data: deployment + model files + wheels -> files.

Pure: the caller reads the model folder and collects the wheels; this module decides what the
context holds and computes its content digest, which is the image tag (so an unchanged model and
environment is never rebuilt). Layout of ``build/<deployment>/``::

    Dockerfile
    wheels/requirements.txt   exact pins with sha256 hashes (pip --require-hashes)
    wheels/*.whl              the serving closure, as installed where the model was trained
    app/serving.json          the serving config (name, port, request log, model hash, command)
    app/model/model.skops     the model folder, unchanged
    app/model/model.json

The image is two stages: ``install`` copies the wheels and installs them into a venv with
``pip install --no-index`` (no network during ``docker build``); the final stage copies only the
venv and the app, so the wheels never reach the image (the vfs storage driver copies every layer
in full, so each layer counts). It runs as the non-root user 10001, reads ``PORT`` and ``HOST``
from the environment (host networking picks the port at run time), and has a HEALTHCHECK in
Python (curl may be absent) against ``/v2/health/ready``.
"""

from __future__ import annotations

import hashlib
import json
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from mlops_gitops.specs.models import Deployment

__all__ = [
    "APP_DIR",
    "IMAGE_USER",
    "REQUEST_LOG_DIR",
    "BuildContext",
    "WheelRef",
    "context_digest",
    "image_reference",
    "image_repository",
    "render_build_context",
    "render_dockerfile",
    "serving_argv",
]

APP_DIR = "/opt/mlops"
VENV_DIR = f"{APP_DIR}/venv"
MODEL_DIR = f"{APP_DIR}/app/model"
REQUEST_LOG_DIR = f"{APP_DIR}/requests"
IMAGE_USER = "10001:10001"
TAG_LENGTH = 16


@dataclass(frozen=True)
class WheelRef:
    """One wheel of the serving closure: its distribution name, exact version, file and hash."""

    name: str
    version: str
    filename: str
    sha256: str


@dataclass(frozen=True)
class BuildContext:
    """Every file of a build context: small files as bytes, wheels by reference."""

    files: Mapping[str, bytes] = field(default_factory=lambda: MappingProxyType({}))
    wheels: tuple[WheelRef, ...] = ()

    def paths(self) -> tuple[str, ...]:
        return tuple(sorted([*self.files, *(f"wheels/{w.filename}" for w in self.wheels)]))

    @property
    def digest(self) -> str:
        return context_digest(self)


def context_digest(context: BuildContext) -> str:
    """sha256 over the sorted paths and the sha256 of each file's content."""
    entries = {path: hashlib.sha256(data).hexdigest() for path, data in context.files.items()}
    entries.update({f"wheels/{w.filename}": w.sha256 for w in context.wheels})
    digest = hashlib.sha256()
    for path in sorted(entries):
        digest.update(f"{path}\0{entries[path]}\n".encode())
    return digest.hexdigest()


def image_repository(deployment: Deployment) -> str:
    """``<registry>/<name>`` when a registry is configured, else ``mlops-gitops/<name>``."""
    name = deployment.name.lower()
    registry = deployment.image.registry
    return f"{registry.rstrip('/')}/{name}" if registry else f"mlops-gitops/{name}"


def image_reference(deployment: Deployment, digest: str) -> str:
    """The image of a context: its repository, tagged with the first 16 hex of the digest."""
    return f"{image_repository(deployment)}:{digest[:TAG_LENGTH]}"


def serving_argv(
    name: str,
    model_dir: str,
    host: str,
    port: int | str,
    request_log: str | None,
    *,
    auth_token_env: str | None = None,
) -> list[str]:
    """Arguments after ``python`` that start the serving app (``-m mlops_gitops.serving ...``)."""
    argv = [
        "-m",
        "mlops_gitops.serving",
        "serve",
        "--model-dir",
        model_dir,
        "--name",
        name,
        "--host",
        host,
        "--port",
        str(port),
    ]
    argv += ["--request-log", request_log] if request_log else ["--no-request-log"]
    if auth_token_env is not None:
        argv += ["--auth-token-env", auth_token_env]
    return argv


def _healthcheck() -> str:
    code = (
        "import os, urllib.request; "
        "urllib.request.urlopen('http://127.0.0.1:%s/v2/health/ready' % os.environ['PORT'], "
        "timeout=2)"
    )
    return json.dumps(["python", "-c", code])


def _command(deployment: Deployment) -> str:
    request_log = REQUEST_LOG_DIR if deployment.request_log.enabled else None
    argv = serving_argv(
        deployment.name,
        MODEL_DIR,
        "$HOST",
        "$PORT",
        request_log,
        auth_token_env=deployment.auth_token_env,
    )
    words = [f'"{a}"' if a in {"$HOST", "$PORT"} else shlex.quote(a) for a in argv]
    # A shell resolves PORT and HOST at start; `exec` keeps the server as PID 1 for signals.
    return json.dumps(["/bin/sh", "-c", "exec python " + " ".join(words)])


def render_dockerfile(deployment: Deployment, base_image: str) -> str:
    """The Dockerfile. Every instruction of the classic builder runs a container, and with the vfs
    storage driver each one copies the whole file system: so the final stage sets its metadata
    on the small base first (cached across models), then copies the venv (cached while the
    wheels are unchanged), and the model last, the only layer a new model rebuilds."""
    return f"""\
# Rendered by mlops-gitops for deployment {deployment.name}: `mlops build` rewrites this file.
FROM {base_image} AS install
COPY wheels /wheels
RUN python3 -m venv --without-pip {VENV_DIR} \\
 && python3 -m pip --python {VENV_DIR}/bin/python install --no-index --no-deps \\
      --require-hashes --no-cache-dir --disable-pip-version-check \\
      --find-links /wheels -r /wheels/requirements.txt \\
 && find {VENV_DIR}/lib -depth -type d -name tests -exec rm -rf {{}} + \\
 && mkdir -p {REQUEST_LOG_DIR} && chown {IMAGE_USER} {REQUEST_LOG_DIR}

FROM {base_image}
LABEL mlops-gitops.deployment={deployment.name}
ENV PATH={VENV_DIR}/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \\
    PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 HOME=/tmp HOST=0.0.0.0 PORT={deployment.port}
USER {IMAGE_USER}
HEALTHCHECK --interval=5s --timeout=3s --start-period=60s --retries=3 CMD {_healthcheck()}
CMD {_command(deployment)}
COPY --from=install {APP_DIR} {APP_DIR}
COPY app {APP_DIR}/app
"""


def _requirements(wheels: Sequence[WheelRef]) -> str:
    lines = [f"{w.name}=={w.version} --hash=sha256:{w.sha256}" for w in wheels]
    return "\n".join(sorted(lines, key=str.lower)) + "\n"


def _serving_config(deployment: Deployment, model_sha256: str) -> str:
    request_log = REQUEST_LOG_DIR if deployment.request_log.enabled else None
    config = {
        "name": deployment.name,
        "port": deployment.port,
        "model_dir": MODEL_DIR,
        "model_sha256": model_sha256,
        "request_log": {
            "enabled": deployment.request_log.enabled,
            "directory": request_log,
            "max_queue": deployment.request_log.max_queue,
            "rotate_rows": deployment.request_log.rotate_rows,
        },
        "command": [
            "python",
            *serving_argv(
                deployment.name,
                MODEL_DIR,
                "$HOST",
                "$PORT",
                request_log,
                auth_token_env=deployment.auth_token_env,
            ),
        ],
    }
    return json.dumps(config, indent=2, sort_keys=True) + "\n"


def render_build_context(
    deployment: Deployment,
    model_files: Mapping[str, bytes],
    wheels: Sequence[WheelRef],
    base_image: str,
    model_sha256: str,
) -> BuildContext:
    """The build context of ``deployment``: ``model_files`` maps file names in the model folder
    (``model.skops``, ``model.json``) to their bytes."""
    ordered = tuple(sorted(wheels, key=lambda w: w.filename))
    files = {
        "Dockerfile": render_dockerfile(deployment, base_image).encode(),
        "wheels/requirements.txt": _requirements(ordered).encode(),
        "app/serving.json": _serving_config(deployment, model_sha256).encode(),
    }
    files.update({f"app/model/{name}": data for name, data in model_files.items()})
    return BuildContext(files=MappingProxyType(dict(sorted(files.items()))), wheels=ordered)
