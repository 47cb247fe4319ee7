"""A real git repository holding committed models and metrics (a few bytes stand in for a
model file), for the model registry's tests."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.helpers.commands import git

__all__ = ["FAST", "GOOD", "Repo"]


@dataclass
class Repo:
    root: Path

    def git(self, *args: str) -> str:
        return git(self.root, *args)

    def write(self, files: Mapping[str, str | bytes]) -> None:
        for name, content in files.items():
            path = self.root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content)

    def commit(self, message: str, files: Mapping[str, str | bytes] | None = None) -> str:
        if files:
            self.write(files)
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)
        return self.git("rev-parse", "HEAD")

    def model_files(
        self,
        name: str,
        *,
        payload: bytes = b"model-v1",
        metrics: Mapping[str, Any] | None = None,
        performance: Mapping[str, Any] | None = None,
    ) -> dict[str, str | bytes]:
        """The files of a trained model (a few bytes stand in for the skops file)."""
        info = {"experiment": name, "sha256": hashlib.sha256(payload).hexdigest()}
        files: dict[str, str | bytes] = {
            f"models/{name}/model.skops": payload,
            f"models/{name}/model.json": json.dumps(info, indent=2) + "\n",
        }
        if metrics is not None:
            files[f"metrics/{name}.json"] = json.dumps(metrics, indent=2) + "\n"
        if performance is not None:
            files[f"metrics/{name}.performance.json"] = json.dumps(performance, indent=2) + "\n"
        return files

    def commit_model(self, name: str, message: str = "train", **kwargs: Any) -> str:
        return self.commit(message, self.model_files(name, **kwargs))

    def tags(self) -> list[str]:
        return self.git("tag", "-l").split()

    def tag_message(self, tag: str) -> str:
        return self.git("for-each-ref", f"refs/tags/{tag}", "--format=%(contents)")

    def dvc(self, *args: str) -> str:
        dvc = Path(sys.executable).with_name("dvc")
        return subprocess.run(
            [str(dvc), *args], cwd=self.root, check=True, capture_output=True, text=True
        ).stdout


GOOD = {"r2": 0.52, "mae": 41.0, "rmse": 52.0, "criteria_passed": True}
FAST = {"p50_latency_ms": 2.0, "p95_latency_ms": 4.0, "p99_latency_ms": 6.0, "model_size_mb": 0.1}
