"""The ``docker`` runtime: one container per replica, host networking, rolling replacement.

Containers use ``--network host`` (the daemon of ``.ci/docker.sh`` has no bridge), so each
replica needs its own host port. Port scheme: replica ``i`` of a deployment with port ``P`` and
``R`` replicas listens on ``P + i`` or on its alternate ``P + R + i``. A replacement takes the one
of the two its predecessor does not hold, becomes ready (``/v2/health/ready``) and only then is
the predecessor stopped; replicas are replaced one at a time, so a deployment owns the ports
``P .. P + 2R - 1`` and its URLs alternate between the two halves with each rollout (read them
from ``mlops status``). Containers are labelled with the deployment, the image digest, the model
hash, the replica index, the port and the instance id, which is all the state this runtime
keeps.

Before a replica starts, its host port must be free (a port held by anything else is refused,
naming the holder). Each container gets a fresh instance id (``$MLOPS_INSTANCE_ID``, also a
label); a replica counts as ready, and as Healthy in ``status``, only when the answer on its port
carries that id.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlops_gitops.errors import MlopsError, RuntimeBackendError
from mlops_gitops.render.container import IMAGE_USER, REQUEST_LOG_DIR
from mlops_gitops.runtimes.base import DeployResult, Health, RuntimeStatus
from mlops_gitops.runtimes.build import (
    LABEL_DEPLOYMENT,
    LABEL_DIGEST,
    LABEL_MODEL,
    LABEL_PORT,
    LABEL_REPLICA,
    BuildResult,
    build_image,
    prepare_build,
)
from mlops_gitops.runtimes.docker_client import docker_client, docker_errors
from mlops_gitops.runtimes.health import is_ready, probe_ready, wait_ready
from mlops_gitops.runtimes.ports import ensure_port_free
from mlops_gitops.serving.identity import INSTANCE_ENV, new_instance_id
from mlops_gitops.specs.models import Deployment

__all__ = ["LABEL_INSTANCE", "DockerRuntime", "replica_ports"]

LABEL_INSTANCE = "mlops-gitops.instance"


def replica_ports(deployment: Deployment, replica: int) -> tuple[int, int]:
    """The two ports replica ``replica`` alternates between."""
    return (deployment.port + replica, deployment.port + deployment.replicas + replica)


@dataclass(frozen=True)
class _Replica:
    container: Any
    index: int
    port: int
    digest: str
    instance_id: str

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return str(self.container.status) == "running"


class DockerRuntime:
    name = "docker"

    def __init__(
        self,
        project_root: Path,
        *,
        base_image: str | None = None,
        wheel_cache: Path | None = None,
        ready_timeout: float = 180.0,
    ) -> None:
        self.root = project_root
        self.base_image = base_image
        self.wheel_cache = wheel_cache
        self.ready_timeout = ready_timeout

    # ------------------------------------------------------------------ reading

    def _replicas(self, client: Any, deployment: Deployment) -> list[_Replica]:
        found = client.containers.list(
            all=True, filters={"label": f"{LABEL_DEPLOYMENT}={deployment.name}"}
        )
        replicas = [
            _Replica(
                c,
                int(c.labels.get(LABEL_REPLICA, "0")),
                int(c.labels.get(LABEL_PORT, "0")),
                c.labels.get(LABEL_DIGEST, ""),
                c.labels.get(LABEL_INSTANCE, ""),
            )
            for c in found
        ]
        return sorted(replicas, key=lambda r: (r.index, r.port))

    def _desired_digest(self, deployment: Deployment) -> str | None:
        try:
            return prepare_build(
                self.root,
                deployment,
                base_image=self.base_image,
                wheel_cache=self.wheel_cache,
                download=False,
            ).digest
        except MlopsError:
            return None

    # ------------------------------------------------------------------ writing

    def _request_log_env(self, deployment: Deployment) -> dict[str, str]:
        """For an object-store log: its URI and the storage variables of this environment,
        handed to the container at run time (never written into the image or a file)."""
        from mlops_gitops.io.storage import credential_environment, is_remote
        from mlops_gitops.requestlog.layout import request_log_uri
        from mlops_gitops.serving.options import REQUEST_LOG_ENV

        uri = request_log_uri(deployment)
        if not deployment.request_log.enabled or not is_remote(uri):
            return {}
        return {REQUEST_LOG_ENV: uri, **credential_environment()}

    def _request_log_mount(self, deployment: Deployment) -> tuple[dict[str, dict[str, str]], str]:
        if not deployment.request_log.enabled or self._request_log_env(deployment):
            return {}, IMAGE_USER
        from mlops_gitops.requestlog.layout import request_log_location

        folder = Path(request_log_location(self.root, deployment).uri)
        folder.mkdir(parents=True, exist_ok=True)
        user = IMAGE_USER
        if os.getuid() == 0:
            # The image's user must be able to write the host folder.
            uid, gid = (int(x) for x in IMAGE_USER.split(":"))
            os.chown(folder, uid, gid)
        else:
            user = f"{os.getuid()}:{os.getgid()}"  # files on the host stay the caller's
        return {str(folder.resolve()): {"bind": REQUEST_LOG_DIR, "mode": "rw"}}, user

    def _start(
        self, client: Any, deployment: Deployment, built: BuildResult, index: int, port: int
    ) -> _Replica:
        image, digest = built.image, built.digest
        name = f"mlops-gitops-{deployment.name}-{index}-{port}"
        with contextlib.suppress(Exception):  # a leftover of a failed attempt
            client.containers.get(name).remove(force=True)
        ensure_port_free("127.0.0.1", port, deployment=deployment.name)
        volumes, user = self._request_log_mount(deployment)
        instance_id = new_instance_id()
        container = client.containers.run(
            image,
            name=name,
            detach=True,
            network_mode="host",
            environment={
                "PORT": str(port),
                "HOST": "127.0.0.1",
                INSTANCE_ENV: instance_id,
                **_auth_environment(deployment),
                **self._request_log_env(deployment),
            },
            labels={
                LABEL_DEPLOYMENT: deployment.name,
                LABEL_DIGEST: digest,
                LABEL_MODEL: built.model_sha256,
                LABEL_REPLICA: str(index),
                LABEL_PORT: str(port),
                LABEL_INSTANCE: instance_id,
            },
            volumes=volumes,
            user=user,
            restart_policy={"Name": "unless-stopped"},
        )
        replica = _Replica(container, index, port, digest, instance_id)

        def alive() -> bool:  # a crash (even one the restart policy undid) ends the wait
            container.reload()
            return str(container.status) in {"created", "running"} and not (
                container.attrs.get("RestartCount", 0)
            )

        if not wait_ready(replica.url, self.ready_timeout, instance_id, alive, interval=0.5):
            output = container.logs(tail=30).decode(errors="replace")
            container.remove(force=True)
            answer = probe_ready(replica.url)
            instead = "" if answer.status is None else f" ({answer.describe()} on its port)"
            raise RuntimeBackendError(
                f"replica {index} of {deployment.name!r} ({image}, port {port}) did not become "
                f"ready within {self.ready_timeout:g} s{instead}; the old replica keeps "
                f"serving. Its output:\n{output}",
                f"check the model loads: `mlops build {deployment.name}`, then `mlops logs`",
            )
        return replica

    def deploy(self, deployment: Deployment) -> DeployResult:
        built = build_image(
            self.root, deployment, base_image=self.base_image, wheel_cache=self.wheel_cache
        )
        with docker_errors(
            f"deploy {deployment.name!r}",
            missing_hint=f"build the image again: `mlops build {deployment.name}`",
        ):
            return self._deploy(docker_client(), deployment, built)

    def _deploy(self, client: Any, deployment: Deployment, built: BuildResult) -> DeployResult:
        current = self._replicas(client, deployment)
        changed: list[str] = []
        for index in range(deployment.replicas):
            mine = [r for r in current if r.index == index]
            keep = next(
                (
                    r
                    for r in mine
                    if r.digest == built.digest
                    and r.running
                    and r.port in replica_ports(deployment, index)
                    and is_ready(r.url, r.instance_id)
                ),
                None,
            )
            if keep is not None:
                for extra in mine:
                    if extra is not keep:
                        extra.container.remove(force=True)
                continue
            held = {r.port for r in mine if r.running}
            first, alternate = replica_ports(deployment, index)
            port = alternate if first in held else first
            self._start(client, deployment, built, index, port)
            for old in mine:  # only now: the new replica serves
                old.container.stop(timeout=10)
                old.container.remove(force=True)
            changed.append(f"replica {index} -> port {port}")
        for extra in (r for r in current if r.index >= deployment.replicas):
            extra.container.remove(force=True)
            changed.append(f"removed replica {extra.index}")
        url = f"http://127.0.0.1:{self._replicas(client, deployment)[0].port}"
        detail = f"{built.image}: " + ("; ".join(changed) if changed else "up to date")
        return DeployResult(deployment.name, self.name, url, bool(changed), detail)

    def status(self, deployment: Deployment) -> RuntimeStatus:
        try:
            client = docker_client()
        except RuntimeBackendError as error:
            return RuntimeStatus(
                deployment.name, self.name, "", "OutOfSync", "Missing", error.message
            )
        with docker_errors(f"report the status of {deployment.name!r}"):
            return self._status(client, deployment)

    def _status(self, client: Any, deployment: Deployment) -> RuntimeStatus:
        replicas = self._replicas(client, deployment)
        if not replicas:
            return RuntimeStatus(
                deployment.name, self.name, "", "OutOfSync", "Missing", "no container"
            )
        desired = self._desired_digest(deployment)
        running = [r for r in replicas if r.running]
        synced = (
            desired is not None
            and len(replicas) == deployment.replicas
            and all(r.digest == desired for r in replicas)
        )
        answers = {r.port: probe_ready(r.url) for r in replicas}
        ready = [r for r in running if answers[r.port].is_from(r.instance_id)]
        impostors = [
            f"on port {r.port} {answers[r.port].describe()} instead of replica {r.index}"
            for r in replicas
            if answers[r.port].status is not None and answers[r.port].instance_id != r.instance_id
        ]
        health: Health
        if len(ready) == deployment.replicas == len(replicas):
            health = "Healthy"
        elif len(running) == len(replicas) and not impostors:
            health = "Progressing"
        else:
            health = "Degraded"
        detail = f"{len(ready)}/{deployment.replicas} replica(s) ready"
        if impostors:
            detail += "; " + "; ".join(impostors)
        if desired is None:
            detail += "; image digest unknown (model or wheels missing: run `mlops build`)"
        elif not synced:
            detail += f"; want image digest {desired[:16]}"
        url = ",".join(r.url for r in replicas)
        return RuntimeStatus(
            deployment.name, self.name, url, "Synced" if synced else "OutOfSync", health, detail
        )

    def logs(self, deployment: Deployment, tail: int = 100) -> str:
        client = docker_client()
        parts = []
        with docker_errors(f"read the logs of {deployment.name!r}"):
            for replica in self._replicas(client, deployment):
                text = replica.container.logs(tail=tail).decode(errors="replace")
                parts.append(f"==> replica {replica.index} (port {replica.port}) <==\n{text}")
        return "\n".join(parts)

    def undeploy(self, deployment: Deployment) -> bool:
        client = docker_client()
        with docker_errors(f"remove {deployment.name!r}"):
            replicas = self._replicas(client, deployment)
            for replica in replicas:
                replica.container.remove(force=True)
        return bool(replicas)


def _auth_environment(deployment: Deployment) -> dict[str, str]:
    """The serving token, passed from this machine's environment into the container."""
    name = deployment.auth_token_env
    if name is None:
        return {}
    token = os.environ.get(name)
    if not token:
        raise RuntimeBackendError(
            f"environment variable {name} (spec.auth.tokenEnv of {deployment.name}) is not set",
            f"export {name}=<token> before `mlops deploy`",
        )
    return {name: token}
