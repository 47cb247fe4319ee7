"""Wheels of the serving closure, pinned to the versions installed where the model was trained.

The closure starts from the ``serving`` extra of mlops-gitops when it declares one, else from
:data:`SERVING_ROOTS`, and follows each distribution's requirements (markers evaluated, extras
only where asked). Every pin is ``name==<installed version>``; the wheels come from
``pip download --only-binary=:all: --no-deps`` for this Python version and machine, into a cache
folder (``$MLOPS_WHEEL_CACHE``, default ``~/.cache/mlops-gitops/wheels``), so only the first
build downloads. mlops-gitops itself is built with ``pip wheel --no-deps`` from a copy of its
source, cached by the hash of that source (so the wheel, and the image tag, change only with it).
"""

from __future__ import annotations

import hashlib
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name, parse_wheel_filename
from packaging.version import Version

import mlops_gitops
from mlops_gitops.errors import BuildError
from mlops_gitops.fsutil import atomic_write_text
from mlops_gitops.ml.artifact import file_sha256
from mlops_gitops.render.container import WheelRef

__all__ = [
    "ONNX_RUNTIME",
    "SELF",
    "SERVING_ROOTS",
    "Pin",
    "collect_wheels",
    "default_wheel_cache",
    "serving_closure",
    "target_platforms",
]

SELF = "mlops-gitops"
# in the serving extra, shipped only to images whose model serves a verified ONNX graph
ONNX_RUNTIME = "onnxruntime"
SERVING_ROOTS = (
    "scikit-learn",
    "skops",
    "numpy",
    "scipy",
    "pandas",
    "pyarrow",
    "fastapi",
    "starlette",
    "uvicorn",
    "pydantic",
    "pyyaml",
    "jsonschema",
    "python-multipart",
    "rich",
    "orjson",
    "prometheus-client",
)
# Debian bookworm has glibc 2.36: any manylinux wheel up to that runs in the base image.
_GLIBC_MINORS = range(36, 16, -1)


@dataclass(frozen=True)
class Pin:
    name: str
    version: str

    def __str__(self) -> str:
        return f"{self.name}=={self.version}"


def default_wheel_cache() -> Path:
    if env := os.environ.get("MLOPS_WHEEL_CACHE"):
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mlops-gitops" / "wheels"


def target_platforms(machine: str | None = None) -> tuple[str, ...]:
    arch = machine or platform.machine()
    return (*(f"manylinux_2_{minor}_{arch}" for minor in _GLIBC_MINORS), f"manylinux2014_{arch}")


def _roots() -> list[Requirement]:
    requires = metadata.requires(SELF) or []
    serving = [Requirement(r) for r in requires if "extra" in r and "serving" in r]
    serving = [r for r in serving if r.marker is None or r.marker.evaluate({"extra": "serving"})]
    return serving or [Requirement(name) for name in SERVING_ROOTS]


def serving_closure(
    roots: Iterable[Requirement] | None = None, *, onnx: bool = True
) -> tuple[Pin, ...]:
    """Every distribution the serving app needs, pinned to its installed version (sorted).

    ``onnx=False`` (a model without a verified ONNX graph) leaves ONNX Runtime out, and with it
    every distribution only it needs."""
    environment = {k: str(v) for k, v in default_environment().items()}
    pending = list(_roots() if roots is None else roots)
    if not onnx:
        pending = [r for r in pending if canonicalize_name(r.name) != ONNX_RUNTIME]
    seen: dict[str, Pin] = {}
    extras_done: set[tuple[str, str]] = set()
    while pending:
        requirement = pending.pop()
        key = canonicalize_name(requirement.name)
        try:
            dist = metadata.distribution(requirement.name)
        except metadata.PackageNotFoundError:
            raise BuildError(
                f"the serving app needs {requirement.name}, which is not installed here",
                f"install it: pip install '{requirement}'",
            ) from None
        wanted = [e for e in ("", *sorted(requirement.extras)) if (key, e) not in extras_done]
        if key not in seen:
            seen[key] = Pin(dist.metadata["Name"], dist.version)
        for extra in wanted:
            extras_done.add((key, extra))
            for line in dist.requires or []:
                child = Requirement(line)
                if child.marker is None or child.marker.evaluate({**environment, "extra": extra}):
                    pending.append(child)
    seen.pop(canonicalize_name(SELF), None)
    return tuple(sorted(seen.values(), key=lambda p: canonicalize_name(p.name)))


def _compatible(filename: str, python: str, platforms: tuple[str, ...]) -> bool:
    _, _, _, tags = parse_wheel_filename(filename)
    interpreters = {f"cp{python}", f"py{python}", f"py{python[0]}"}
    for tag in tags:
        abi_ok = tag.abi in {"none", "abi3", f"cp{python}"}
        if tag.abi == "abi3":
            interpreter_ok = tag.interpreter.startswith("cp3") and (
                int(tag.interpreter[3:] or 0) <= int(python[1:])
            )
        else:
            interpreter_ok = tag.interpreter in interpreters
        if abi_ok and interpreter_ok and (tag.platform == "any" or tag.platform in platforms):
            return True
    return False


def _cached(cache: Path, pin: Pin, python: str, platforms: tuple[str, ...]) -> Path | None:
    name, version = canonicalize_name(pin.name), Version(pin.version)
    for path in sorted(cache.glob("*.whl")):
        try:
            wheel_name, wheel_version, _, _ = parse_wheel_filename(path.name)
        except ValueError:
            continue
        if (
            wheel_name == name
            and wheel_version == version
            and _compatible(path.name, python, platforms)
        ):
            return path
    return None


def _pip(args: list[str], what: str) -> None:
    command = [sys.executable, "-m", "pip", "--disable-pip-version-check", *args]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
        raise BuildError(
            f"{what} failed:\n{tail}",
            "check the versions above exist as wheels "
            "for this Python and machine on PyPI, and that PyPI is reachable",
        )


def _download(pins: list[Pin], cache: Path, python: str, platforms: tuple[str, ...]) -> None:
    args = [
        "download",
        "--only-binary=:all:",
        "--no-deps",
        "--python-version",
        python[0] + "." + python[1:],
        "--implementation",
        "cp",
        "--dest",
        str(cache),
    ]
    for platform_tag in platforms:
        args += ["--platform", platform_tag]
    _pip([*args, *map(str, pins)], f"downloading {len(pins)} wheel(s)")


def _source_root() -> Path:
    root = Path(mlops_gitops.__file__).resolve().parent.parent
    if not (root / "pyproject.toml").is_file():
        raise BuildError(
            f"mlops-gitops is not installed from a source tree ({root} has no pyproject.toml), "
            "so its wheel cannot be built",
            "install it editable from its repository: pip install -e <checkout>",
        )
    return root


def _source_files(root: Path) -> list[Path]:
    package = root / "mlops_gitops"
    files = [
        p
        for p in package.rglob("*")
        if p.is_file()
        and "__pycache__" not in p.parts
        and p.suffix not in {".pyc", ".pyo"}
        and not p.name.startswith(".#")
    ]
    extra = [root / n for n in ("pyproject.toml", "README.md", "LICENSE") if (root / n).is_file()]
    return sorted([*extra, *files])


def _self_wheel(cache: Path, *, build: bool = True) -> Path:
    """mlops-gitops's own wheel, rebuilt only when its source changed (never when not
    ``build``: status and plan only read)."""
    root = _source_root()
    files = _source_files(root)
    digest = hashlib.sha256()
    for path in files:
        digest.update(f"{path.relative_to(root)}\0{file_sha256(path)}\n".encode())
    folder = cache / "self" / digest.hexdigest()[:16]
    if built := sorted(folder.glob("*.whl")):
        return built[0]
    if not build:
        raise BuildError(
            f"mlops-gitops's wheel for this source is not in {cache / 'self'}",
            "run `mlops build <deployment>` (the source changed since the last build)",
        )
    with tempfile.TemporaryDirectory(prefix="mlops-self-wheel-") as tmp:
        source = Path(tmp) / "src"
        for path in files:
            target = source / path.relative_to(root)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
        if not (source / "README.md").exists():  # pyproject names it; the wheel needs none
            (source / "README.md").write_text("mlops-gitops\n")
        out = Path(tmp) / "out"
        _pip(
            ["wheel", "--no-deps", "--quiet", "--wheel-dir", str(out), str(source)],
            "building the mlops-gitops wheel",
        )
        wheel = next(out.glob("*.whl"))
        folder.mkdir(parents=True, exist_ok=True)
        shutil.move(str(wheel), folder / wheel.name)
    return folder / wheel.name


def _ref(path: Path) -> WheelRef:
    name, version, _, _ = parse_wheel_filename(path.name)
    sidecar = path.with_name(path.name + ".sha256")
    if sidecar.is_file() and sidecar.stat().st_mtime >= path.stat().st_mtime:
        sha = sidecar.read_text().strip()
    else:
        sha = file_sha256(path)
        atomic_write_text(sidecar, sha + "\n")  # a concurrent reader never sees it empty
    return WheelRef(name=str(name), version=str(version), filename=path.name, sha256=sha)


def collect_wheels(
    cache: Path | None = None, *, download: bool = True, onnx: bool = True
) -> tuple[tuple[WheelRef, Path], ...]:
    """The serving closure's wheels (and mlops-gitops's own), each with its path in the cache.

    With ``download=False`` a wheel missing from the cache is an error instead of a download.
    ``onnx``: whether the model serves a verified ONNX graph (else onnxruntime stays out).
    """
    cache = cache or default_wheel_cache()
    cache.mkdir(parents=True, exist_ok=True)
    python = f"{sys.version_info.major}{sys.version_info.minor}"
    platforms = target_platforms()
    pins = list(serving_closure(onnx=onnx))
    missing = [p for p in pins if _cached(cache, p, python, platforms) is None]
    if missing and not download:
        raise BuildError(
            f"{len(missing)} wheel(s) of the serving closure are not in {cache}: "
            + ", ".join(map(str, missing[:5]))
            + ("..." if len(missing) > 5 else ""),
            "run `mlops build <deployment>` once (it downloads them)",
        )
    if missing:
        _download(missing, cache, python, platforms)
    paths = []
    for pin in pins:
        path = _cached(cache, pin, python, platforms)
        if path is None:
            raise BuildError(
                f"pip downloaded no usable wheel for {pin} into {cache}",
                "check that PyPI has a manylinux wheel of it for this Python",
            )
        paths.append(path)
    paths.append(_self_wheel(cache, build=download))
    return tuple((_ref(path), path) for path in paths)
