"""``mlops build``, ``mlops deploy``, ``mlops undeploy``, ``mlops status``, ``mlops logs``:
serving images and deployments. Heavy imports (docker SDK, runtimes) stay inside handlers."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlops_gitops.cli._colour import paint, use_colour
from mlops_gitops.cli._common import add_format, print_json, project_root
from mlops_gitops.errors import MlopsError

if TYPE_CHECKING:
    from mlops_gitops.specs.models import Deployment

__all__ = ["register"]

RUNTIME_CHOICES = ("local", "docker", "kubernetes")


def register(sub: Any) -> None:
    build = sub.add_parser("build", help="build a deployment's serving image (Docker)")
    build.add_argument("deployment", help="the Deployment spec's name")
    build.add_argument(
        "--push",
        action="store_true",
        help="push the image to the registry the spec names (image.registry)",
    )
    build.add_argument(
        "--base-image",
        metavar="IMAGE",
        help="base image (default: $MLOPS_BASE_IMAGE, else the spec's image.base)",
    )
    build.set_defaults(handler=_build)

    deploy = sub.add_parser("deploy", help="run a deployment (a no-op when already up to date)")
    deploy.add_argument("deployment", help="the Deployment spec's name")
    deploy.add_argument("--runtime", choices=RUNTIME_CHOICES, help="override the spec's runtime")
    deploy.set_defaults(handler=_deploy)

    undeploy = sub.add_parser("undeploy", help="stop and remove a deployment")
    undeploy.add_argument("deployment", help="the Deployment spec's name")
    undeploy.add_argument("--runtime", choices=RUNTIME_CHOICES, help="override the spec's runtime")
    undeploy.set_defaults(handler=_undeploy)

    status = sub.add_parser("status", help="sync and health of every deployment")
    status.add_argument(
        "deployments", nargs="*", metavar="DEPLOYMENT", help="only these (default: all)"
    )
    add_format(status)
    status.set_defaults(handler=_status)

    logs = sub.add_parser("logs", help="the last lines a deployment's server wrote")
    logs.add_argument("deployment", help="the Deployment spec's name")
    logs.add_argument("--tail", type=_tail, default=100, help="lines (default: 100)")
    logs.set_defaults(handler=_logs)


def _deployment(root: Path, name: str) -> Deployment:
    from mlops_gitops.specs import load_specs

    return load_specs(root).deployment(name)


def _tail(value: str) -> int:
    lines = int(value)
    if lines < 1:
        raise argparse.ArgumentTypeError(f"--tail must be at least 1, got {lines}")
    return lines


def _runtime(root: Path, deployment: Deployment, override: str | None) -> Any:
    from mlops_gitops.runtimes.lookup import get_runtime

    return get_runtime(override or deployment.runtime, root)


def _build(args: argparse.Namespace) -> int:
    from mlops_gitops.runtimes.build import build_image

    root = project_root(args)
    result = build_image(
        root, _deployment(root, args.deployment), push=args.push, base_image=args.base_image
    )
    verb = "built" if result.built else "up to date:"
    print(f"{verb} {result.image}" + (" (pushed)" if result.pushed else ""))
    return 0


def _deploy(args: argparse.Namespace) -> int:
    root = project_root(args)
    deployment = _deployment(root, args.deployment)
    result = _runtime(root, deployment, args.runtime).deploy(deployment)
    state = "deployed" if result.changed else "unchanged"
    print(f"{result.name} ({result.runtime}): {state} {result.url}".rstrip())
    if result.detail:
        print(f"  {result.detail}")
    return 0


def _undeploy(args: argparse.Namespace) -> int:
    root = project_root(args)
    deployment = _deployment(root, args.deployment)
    removed = _runtime(root, deployment, args.runtime).undeploy(deployment)
    print(f"{deployment.name}: {'removed' if removed else 'was not deployed'}")
    return 0


def _status(args: argparse.Namespace) -> int:
    root = project_root(args)
    from mlops_gitops.specs import load_specs

    specs = load_specs(root)
    deployments = [specs.deployment(n) for n in args.deployments or sorted(specs.deployments)]
    rows = [_status_of(root, d) for d in deployments]
    failed = any(row.sync == "Unknown" for row in rows)
    if args.format == "json":
        print_json([row.to_dict() for row in rows])
        return 1 if failed else 0
    print(render_status(rows, colour=use_colour()), end="")
    return 1 if failed else 0


STATE_STYLES = {
    "Synced": "green",
    "OutOfSync": "yellow",
    "Unknown": "red",
    "Healthy": "green",
    "Progressing": "yellow",
    "Degraded": "red",
    "Missing": "red",
}


def render_status(rows: Any, *, colour: bool = False) -> str:
    """The status table; SYNC and HEALTH coloured on a terminal (padding counts plain text)."""
    header = ("NAME", "RUNTIME", "SYNC", "HEALTH", "URL", "DETAIL")
    table = [header, *((r.name, r.runtime, r.sync, r.health, r.url, r.detail) for r in rows)]
    widths = [max(len(row[i]) for row in table) for i in range(len(header) - 1)]
    lines = []
    for index, row in enumerate(table):
        cells = []
        for column, (cell, width) in enumerate(zip(row, widths, strict=False)):
            padded = cell.ljust(width)
            if index and column in (2, 3) and cell in STATE_STYLES:
                padded = paint(cell, STATE_STYLES[cell], colour) + " " * (width - len(cell))
            cells.append(padded)
        lines.append("  ".join(cells) + "  " + row[-1])
    return "\n".join(lines) + "\n"


def _status_of(root: Path, deployment: Deployment) -> Any:
    """One deployment's status; a broken model or runtime shows on its row alone."""
    from mlops_gitops.ml.artifact import CorruptModel, read_model_info
    from mlops_gitops.registry.model_dir import resolve_model_dir
    from mlops_gitops.runtimes.base import RuntimeStatus

    try:
        read_model_info(resolve_model_dir(root, deployment))
    except CorruptModel as error:
        return RuntimeStatus(
            deployment.name, deployment.runtime, "", "Unknown", "Unknown", error.message
        )
    except MlopsError:
        pass  # not trained yet: the runtime reports it (Missing)
    try:
        return _runtime(root, deployment, None).status(deployment)
    except MlopsError as error:
        return RuntimeStatus(
            deployment.name, deployment.runtime, "", "Unknown", "Unknown", error.message
        )


def _logs(args: argparse.Namespace) -> int:
    root = project_root(args)
    deployment = _deployment(root, args.deployment)
    print(_runtime(root, deployment, None).logs(deployment, tail=args.tail))
    return 0
