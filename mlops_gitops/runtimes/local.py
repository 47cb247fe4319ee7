"""The ``local`` runtime: one serving process per deployment on this machine (no Docker).

The server (``python -m mlops_gitops.serving serve``) runs detached in its own session, its
output appended to ``.mlops/run/<deployment>.log``; its pid, port, URL and the served model's
hash are recorded atomically in ``.mlops/run/<deployment>.json``. Deploying an unchanged model
to a live, ready server does nothing; a changed model (or port) stops the old server and starts
a new one on the same port (a short gap: the local runtime is for development).

Before starting, the port must be free: a port held by anything else is refused with the pid and
command holding it. Each start gets a fresh instance id (``--instance-id``, recorded in the
state file); the server counts as ready, and as Healthy in ``status``, only when the answer on
its URL carries that id.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from mlops_gitops.errors import RuntimeBackendError
from mlops_gitops.fsutil import atomic_write_text
from mlops_gitops.layout import RELATIVE, ProjectLayout
from mlops_gitops.ml.artifact import read_model_info
from mlops_gitops.registry.model_dir import resolve_model_dir
from mlops_gitops.render.container import serving_argv
from mlops_gitops.runtimes.base import DeployResult, RuntimeStatus, Sync
from mlops_gitops.runtimes.health import is_ready, probe_ready, wait_ready
from mlops_gitops.runtimes.ports import ensure_port_free
from mlops_gitops.runtimes.process import is_running, start_detached, stop_group
from mlops_gitops.serving.identity import new_instance_id
from mlops_gitops.specs.models import Deployment

__all__ = ["RUN_DIR", "LocalRuntime"]

RUN_DIR = RELATIVE.posix(RELATIVE.run_dir())
_MARKER = "mlops_gitops.serving"


class LocalRuntime:
    name = "local"

    def __init__(
        self, project_root: Path, *, ready_timeout: float = 60.0, host: str = "127.0.0.1"
    ) -> None:
        self.root = project_root
        self.ready_timeout = ready_timeout
        self.host = host

    def _state_path(self, deployment: Deployment) -> Path:
        return ProjectLayout(self.root).run_record(deployment.name)

    def _log_path(self, deployment: Deployment) -> Path:
        return ProjectLayout(self.root).run_log(deployment.name)

    def _read_state(self, deployment: Deployment) -> dict[str, Any] | None:
        path = self._state_path(deployment)
        try:
            state: dict[str, Any] = json.loads(path.read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            return None
        return state

    def _alive(self, state: dict[str, Any], deployment: Deployment) -> bool:
        return is_running(int(state["pid"]), f"--name {deployment.name} ")

    def _request_log(self, deployment: Deployment) -> str | None:
        if not deployment.request_log.enabled:
            return None
        from mlops_gitops.requestlog.layout import request_log_location

        # An object-store URI goes as it is; the server inherits the storage credentials from
        # this process's environment (never written anywhere).
        return request_log_location(self.root, deployment).uri

    def deploy(self, deployment: Deployment) -> DeployResult:
        model_dir = resolve_model_dir(self.root, deployment)
        model_sha = read_model_info(model_dir).sha256
        url = f"http://{self.host}:{deployment.port}"
        state = self._read_state(deployment)
        if state is not None and self._alive(state, deployment):
            if (
                state.get("model_sha256") == model_sha
                and state.get("port") == deployment.port
                and is_ready(url, str(state.get("instance_id")))
            ):
                return DeployResult(
                    deployment.name,
                    self.name,
                    url,
                    False,
                    f"pid {state['pid']} already serves model {model_sha[:12]}",
                )
            stop_group(int(state["pid"]), _MARKER)
        ensure_port_free(self.host, deployment.port, deployment=deployment.name)
        instance_id = new_instance_id()
        argv = [
            sys.executable,
            *serving_argv(
                deployment.name,
                str(model_dir),
                self.host,
                deployment.port,
                self._request_log(deployment),
                auth_token_env=deployment.auth_token_env,
            ),
            "--instance-id",
            instance_id,
        ]
        log = self._log_path(deployment)
        offset = log.stat().st_size if log.exists() else 0
        pid = start_detached(argv, log, cwd=self.root)
        record = {
            "pid": pid,
            "port": deployment.port,
            "url": url,
            "model_dir": str(model_dir),
            "model_sha256": model_sha,
            "instance_id": instance_id,
            "log": str(log),
            "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "argv": argv,
        }
        atomic_write_text(self._state_path(deployment), json.dumps(record, indent=2) + "\n")
        if not wait_ready(url, self.ready_timeout, instance_id, alive=lambda: is_running(pid)):
            exited = not is_running(pid)
            stop_group(pid)
            answer = probe_ready(url)
            with log.open("rb") as handle:
                handle.seek(offset)
                output = handle.read().decode(errors="replace")[-3000:]
            what = (
                "exited before it was ready"
                if exited
                else (f"did not become ready within {self.ready_timeout:g} s")
            )
            instead = "" if answer.status is None else f" ({answer.describe()} on {url})"
            raise RuntimeBackendError(
                f"the server of {deployment.name!r} (pid {pid}) {what}{instead}. "
                f"Its output:\n{output}",
                f"check the model loads (its output above); full log: {log}",
            )
        return DeployResult(
            deployment.name, self.name, url, True, f"pid {pid} serves model {model_sha[:12]}"
        )

    def status(self, deployment: Deployment) -> RuntimeStatus:
        state = self._read_state(deployment)
        if state is None:
            return RuntimeStatus(
                deployment.name, self.name, "", "OutOfSync", "Missing", "not deployed"
            )
        url = str(state.get("url", ""))
        try:
            want = read_model_info(resolve_model_dir(self.root, deployment, checkout=False)).sha256
        except RuntimeBackendError:
            want = None
        synced = want == state.get("model_sha256") and state.get("port") == deployment.port
        sync: Sync = "Synced" if synced else "OutOfSync"
        instance_id = str(state.get("instance_id"))
        if not self._alive(state, deployment):
            answer = probe_ready(url) if url else None
            instead = f"; on its URL {answer.describe()}" if answer and answer.status else ""
            return RuntimeStatus(
                deployment.name,
                self.name,
                url,
                "OutOfSync",
                "Degraded",
                f"process {state['pid']} is not running{instead}; see {state.get('log')}",
            )
        answer = probe_ready(url)
        if not answer.is_from(instance_id):
            mine = answer.instance_id == instance_id or answer.status is None
            return RuntimeStatus(
                deployment.name,
                self.name,
                url,
                sync,
                "Progressing" if mine else "Degraded",
                f"pid {state['pid']} is not ready yet"
                if mine
                else f"pid {state['pid']} runs but does not answer on its URL: {answer.describe()}",
            )
        detail = f"pid {state['pid']}, model {str(state.get('model_sha256'))[:12]}"
        if not synced:
            detail += f"; the spec wants model {str(want)[:12]} on port {deployment.port}"
        return RuntimeStatus(deployment.name, self.name, url, sync, "Healthy", detail)

    def logs(self, deployment: Deployment, tail: int = 100) -> str:
        path = self._log_path(deployment)
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-tail:])

    def undeploy(self, deployment: Deployment) -> bool:
        state = self._read_state(deployment)
        if state is None:
            return False
        stopped = stop_group(int(state["pid"]), f"--name {deployment.name} ")
        self._state_path(deployment).unlink(missing_ok=True)
        return stopped
