"""Build (and push) the serving image of a deployment: the side effects around
:mod:`mlops_gitops.render.container`.

``prepare_build`` reads the model folder and the wheel cache and renders the context (no Docker);
its ``image`` is the tag the context's digest gives, so callers (the docker and kubernetes
runtimes, ``mlops plan``) know whether an image is up to date without building anything.
``build_image`` writes ``build/<deployment>/`` and builds it through the Docker SDK, unless the
daemon already has that tag.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from mlops_gitops.errors import BuildError
from mlops_gitops.fsutil import atomic_write_bytes
from mlops_gitops.layout import ProjectLayout
from mlops_gitops.ml.artifact import MODEL_FILE, MODEL_INFO_FILE, read_model_info
from mlops_gitops.ml.compiled import CompiledRecord, load_graph
from mlops_gitops.ml.registered import REGISTERED_FILE
from mlops_gitops.registry.model_dir import resolve_model_dir
from mlops_gitops.render.container import (
    BuildContext,
    image_reference,
    image_repository,
    render_build_context,
)
from mlops_gitops.runtimes.docker_client import docker_client, docker_errors
from mlops_gitops.runtimes.wheels import collect_wheels
from mlops_gitops.specs.models import Deployment

__all__ = [
    "BASE_IMAGE_ENV",
    "LABEL_DEPLOYMENT",
    "LABEL_DIGEST",
    "BuildResult",
    "PreparedBuild",
    "base_image_for",
    "build_image",
    "prepare_build",
    "write_context",
]

BASE_IMAGE_ENV = "MLOPS_BASE_IMAGE"
LABEL_DEPLOYMENT = "mlops-gitops.deployment"
LABEL_DIGEST = "mlops-gitops.image-digest"
LABEL_MODEL = "mlops-gitops.model-sha256"
LABEL_PORT = "mlops-gitops.port"
LABEL_REPLICA = "mlops-gitops.replica"

Log = Callable[[str], None]


def _stderr(line: str) -> None:
    print(line, file=sys.stderr)


@dataclass(frozen=True)
class PreparedBuild:
    deployment: str
    context: BuildContext
    wheel_paths: Mapping[str, Path]
    digest: str
    image: str
    model_sha256: str


@dataclass(frozen=True)
class BuildResult:
    image: str
    digest: str
    context_dir: Path
    model_sha256: str
    built: bool
    pushed: bool


def base_image_for(deployment: Deployment, override: str | None = None) -> str:
    """``override``, else ``$MLOPS_BASE_IMAGE`` (air-gapped machines, tests), else the spec's."""
    return override or os.environ.get(BASE_IMAGE_ENV) or deployment.image.base


def prepare_build(
    root: Path,
    deployment: Deployment,
    *,
    base_image: str | None = None,
    wheel_cache: Path | None = None,
    download: bool = True,
) -> PreparedBuild:
    """What an image build of ``deployment`` needs. ``download=False`` is read only: no wheel is
    downloaded and no registered model is checked out (:class:`ModelNotCheckedOut` instead)."""
    model_dir = resolve_model_dir(root, deployment, checkout=download)
    info = read_model_info(model_dir)
    model_files = {n: (model_dir / n).read_bytes() for n in (MODEL_FILE, MODEL_INFO_FILE)}
    if (model_dir / REGISTERED_FILE).is_file():  # the registry version the image serves
        model_files[REGISTERED_FILE] = (model_dir / REGISTERED_FILE).read_bytes()
    compiled = CompiledRecord.from_dict(info.compiled)
    if compiled.verified:
        # the graph, hash-checked here so a changed file never reaches an image
        model_files[compiled.file] = load_graph(model_dir, compiled)
    wheels = collect_wheels(wheel_cache, download=download, onnx=compiled.verified)
    context = render_build_context(
        deployment,
        model_files,
        [ref for ref, _ in wheels],
        base_image_for(deployment, base_image),
        info.sha256,
    )
    digest = context.digest
    return PreparedBuild(
        deployment=deployment.name,
        context=context,
        wheel_paths=MappingProxyType({ref.filename: path for ref, path in wheels}),
        digest=digest,
        image=image_reference(deployment, digest),
        model_sha256=info.sha256,
    )


def _place_wheel(source: Path, target: Path) -> None:
    if target.is_file() and target.stat().st_size == source.stat().st_size:
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.unlink(missing_ok=True)
    try:
        os.link(source, tmp)  # same file system: no copy
    except OSError:
        shutil.copyfile(source, tmp)
    os.replace(tmp, target)


def write_context(root: Path, prepared: PreparedBuild) -> Path:
    """Write ``build/<deployment>/`` to hold exactly the context (stale files removed)."""
    folder = ProjectLayout(root).build_context(prepared.deployment)
    for relative, data in prepared.context.files.items():
        target = folder / relative
        if not (target.is_file() and target.read_bytes() == data):
            atomic_write_bytes(target, data)
    for wheel in prepared.context.wheels:
        _place_wheel(prepared.wheel_paths[wheel.filename], folder / "wheels" / wheel.filename)
    wanted = {folder / p for p in prepared.context.paths()}
    for path in sorted(folder.rglob("*"), reverse=True):
        if path.is_file() and path not in wanted:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return folder


def _stream_build(client: Any, folder: Path, prepared: PreparedBuild, log: Log) -> None:
    from docker.errors import APIError

    recent: list[str] = []
    try:
        for chunk in client.api.build(
            path=str(folder), tag=prepared.image, rm=True, forcerm=True, pull=False, decode=True
        ):
            if "stream" in chunk:
                for line in str(chunk["stream"]).splitlines():
                    if line.strip():
                        log(line)
                        recent = [*recent[-19:], line]
            if "error" in chunk:
                raise BuildError(
                    f"docker build of {prepared.image} failed: {chunk['error']}\n"
                    + "\n".join(recent),
                    f"the context is in {folder}; rerun `mlops build {prepared.deployment}` "
                    "after fixing it",
                )
    except APIError as error:
        raise BuildError(
            f"docker build of {prepared.image} failed: {error.explanation}",
            f"check the base image exists (`docker images`) or set {BASE_IMAGE_ENV}",
        ) from None


def _push(client: Any, deployment: Deployment, prepared: PreparedBuild, log: Log) -> None:
    spec = deployment.image
    auth: dict[str, str] | None = None
    if spec.registry_username_env and spec.registry_password_env:
        username = os.environ.get(spec.registry_username_env)
        password = os.environ.get(spec.registry_password_env)
        if not username or not password:
            raise BuildError(
                f"pushing {prepared.image} needs the credentials named in the spec, but "
                f"${spec.registry_username_env} or ${spec.registry_password_env} is not set",
                "export both variables (they are never printed)",
            )
        auth = {"username": username, "password": password}
    repository, tag = image_repository(deployment), prepared.digest[:16]
    for chunk in client.api.push(repository, tag=tag, auth_config=auth, stream=True, decode=True):
        if "error" in chunk:
            # The daemon's message names the registry and the reason, never the password.
            raise BuildError(
                f"pushing {prepared.image} failed: {chunk['error']}",
                f"check the registry {spec.registry} and the credentials",
            )
        status = chunk.get("status")
        if status and "progress" not in chunk:  # per-layer progress bars would be hundreds
            log(f"{chunk['id']}: {status}" if chunk.get("id") else status)


def build_image(
    root: Path,
    deployment: Deployment,
    *,
    push: bool = False,
    base_image: str | None = None,
    wheel_cache: Path | None = None,
    log: Log = _stderr,
) -> BuildResult:
    """Build the image of ``deployment`` (a no-op when the daemon has its tag), then push it
    when asked and a registry is configured."""
    prepared = prepare_build(root, deployment, base_image=base_image, wheel_cache=wheel_cache)
    folder = write_context(root, prepared)
    client = docker_client()
    from docker.errors import ImageNotFound

    with docker_errors(f"build {prepared.image}"):
        built = False
        try:
            client.images.get(prepared.image)
            log(f"{prepared.image} is up to date")
        except ImageNotFound:
            _stream_build(client, folder, prepared, log)
            built = True
    if push:
        if not deployment.image.registry:
            raise BuildError(
                f"--push needs a registry, and deployment {deployment.name!r} names none",
                f"set image.registry in {deployment.source.file}",
            )
        with docker_errors(f"push {prepared.image}"):
            _push(client, deployment, prepared, log)
    with contextlib.suppress(Exception):
        client.close()
    return BuildResult(
        image=prepared.image,
        digest=prepared.digest,
        context_dir=folder,
        model_sha256=prepared.model_sha256,
        built=built,
        pushed=push,
    )
