"""The build context: its digest is stable, follows the model, and the Dockerfile is safe."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from mlops_gitops.render.container import (
    WheelRef,
    context_digest,
    image_reference,
    render_build_context,
)
from mlops_gitops.runtimes.build import prepare_build, write_context
from mlops_gitops.specs.models import ImageSpec, RequestLog
from tests.runtimes.models import deployment, train_model

WHEELS = (
    WheelRef("numpy", "2.0.0", "numpy-2.0.0-cp311-cp311-manylinux_2_17_x86_64.whl", "a" * 64),
    WheelRef("fastapi", "0.110.0", "fastapi-0.110.0-py3-none-any.whl", "b" * 64),
)
MODEL = {"model.skops": b"model bytes", "model.json": b'{"sha256": "x"}'}


def context(**changes: object):  # type: ignore[no-untyped-def]
    args: dict[str, object] = {
        "deployment": deployment(),
        "model_files": MODEL,
        "wheels": WHEELS,
        "base_image": "base:1",
        "model_sha256": "x",
    }
    args.update(changes)
    return render_build_context(**args)  # type: ignore[arg-type]


def test_digest_is_stable_and_independent_of_wheel_order() -> None:
    assert context().digest == context().digest
    assert context().digest == context(wheels=tuple(reversed(WHEELS))).digest
    assert context().digest == context_digest(context())


def test_digest_changes_with_the_model_the_wheels_and_the_base() -> None:
    digests = {
        context().digest,
        context(model_files={**MODEL, "model.skops": b"retrained"}).digest,
        context(wheels=(dataclasses.replace(WHEELS[0], sha256="c" * 64), WHEELS[1])).digest,
        context(base_image="base:2").digest,
        context(deployment=deployment(port=9999)).digest,
    }
    assert len(digests) == 5


def test_image_tag_is_the_digest_and_the_registry_prefixes_it() -> None:
    digest = context().digest
    assert image_reference(deployment(), digest) == f"mlops-gitops/iris-api:{digest[:16]}"
    pushed = deployment(image=ImageSpec(registry="registry.example.com/team"))
    assert image_reference(pushed, digest).startswith("registry.example.com/team/iris-api:")


def test_dockerfile_installs_offline_as_a_non_root_user_with_a_healthcheck() -> None:
    dockerfile = context().files["Dockerfile"].decode()
    lines = dockerfile.splitlines()
    assert lines[1] == "FROM base:1 AS install"
    assert "--no-index" in dockerfile and "--require-hashes" in dockerfile
    users = [line for line in lines if line.startswith("USER ")]
    assert users == ["USER 10001:10001"]
    healthcheck = next(line for line in lines if line.startswith("HEALTHCHECK "))
    assert "/v2/health/ready" in healthcheck and "curl" not in healthcheck
    command = json.loads(next(line for line in lines if line.startswith("CMD "))[4:])
    assert "python -m mlops_gitops.serving serve --model-dir /opt/mlops/app/model" in command[2]
    assert "--name iris-api" in command[2] and '--port "$PORT"' in command[2]
    assert "--request-log /opt/mlops/requests" in command[2]
    # the model is the last layer, so a new model rebuilds only that one
    assert lines[-1] == "COPY app /opt/mlops/app"


def test_requirements_pin_every_wheel_with_its_hash() -> None:
    requirements = context().files["wheels/requirements.txt"].decode().splitlines()
    assert requirements == [
        f"fastapi==0.110.0 --hash=sha256:{'b' * 64}",
        f"numpy==2.0.0 --hash=sha256:{'a' * 64}",
    ]


def test_request_log_off_is_in_the_command_and_config() -> None:
    off = context(deployment=deployment(request_log=RequestLog(enabled=False)))
    assert "--no-request-log" in off.files["Dockerfile"].decode()
    config = json.loads(off.files["app/serving.json"])
    assert config["request_log"]["enabled"] is False and config["name"] == "iris-api"


def test_prepared_context_follows_the_model_and_writes_the_build_folder(tmp_path: Path) -> None:
    """Uses the real wheel cache (pip download on the first run, then offline)."""
    train_model(tmp_path)
    spec = deployment()
    first = prepare_build(tmp_path, spec, base_image="base:1")
    assert prepare_build(tmp_path, spec, base_image="base:1", download=False).digest == (
        first.digest
    )
    names = {w.name.lower().replace("_", "-") for w in first.context.wheels}
    assert {"mlops-gitops", "scikit-learn", "skops", "fastapi", "uvicorn", "pyarrow"} <= names
    assert not {"dvc", "matplotlib", "docker", "pytest"} & names  # only the serving closure

    folder = write_context(tmp_path, first)
    on_disk = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    assert on_disk == list(first.context.paths())
    (folder / "stale.txt").write_text("left over")
    write_context(tmp_path, first)
    assert not (folder / "stale.txt").exists()

    train_model(tmp_path, c=0.05)
    assert prepare_build(tmp_path, spec, base_image="base:1").digest != first.digest
