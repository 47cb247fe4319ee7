"""``mlops models register / list / show / promote``: the git-tag model registry (GTO)."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import Any

from mlops_gitops.cli._common import add_format, print_json, project_root

__all__ = ["register"]


def register(sub: Any) -> None:
    models = sub.add_parser(
        "models", help="the model registry: register versions, promote them to stages"
    )
    models_sub = models.add_subparsers(dest="models_command", metavar="COMMAND", required=True)

    reg = models_sub.add_parser(
        "register", help="tag the model committed at HEAD as the experiment's next version"
    )
    reg.add_argument("experiment", help="the experiment whose model to register")
    reg.add_argument(
        "--bump",
        choices=("major", "minor", "patch"),
        default="minor",
        help="which part of the version to increase (default: minor)",
    )
    reg.add_argument("-m", "--message", help="the version tag's message")
    add_format(reg)
    reg.set_defaults(handler=_register)

    lst = models_sub.add_parser("list", help="registered models, latest versions and stages")
    add_format(lst)
    lst.set_defaults(handler=_list)

    show = models_sub.add_parser("show", help="one model's versions, stages and metrics")
    show.add_argument("name")
    add_format(show)
    show.set_defaults(handler=_show)

    promote = models_sub.add_parser(
        "promote",
        help="assign a stage to a version, if it meets the success criteria and the champion",
    )
    promote.add_argument("name")
    promote.add_argument("--stage", required=True, help="e.g. staging or prod")
    promote.add_argument("--version", help="the version to promote (default: the latest)")
    promote.add_argument(
        "--tolerance",
        type=float,
        help="largest acceptable drop of the primary metric against the stage's champion "
        "(default: the experiment's championTolerance)",
    )
    promote.add_argument(
        "--force",
        action="store_true",
        help="promote even if gates fail; the failures are recorded in the tag message",
    )
    promote.add_argument("-m", "--message", help="the stage tag's message")
    add_format(promote)
    promote.set_defaults(handler=_promote)


def _register(args: argparse.Namespace) -> int:
    from mlops_gitops.registry import register_experiment

    version = register_experiment(
        project_root(args), args.experiment, bump=args.bump, message=args.message
    )
    if args.format == "json":
        print_json(version.to_dict())
    else:
        print(version.describe())
    return 0


def _list(args: argparse.Namespace) -> int:
    from mlops_gitops.registry import list_models

    models = list_models(project_root(args))
    if args.format == "json":
        print_json([m.to_dict() for m in models])
        return 0
    if not models:
        print("no registered models: register one with `mlops models register <experiment>`")
        return 0
    width = max(len(m.name) for m in models)
    print(f"{'MODEL':<{width}}  {'LATEST':<10}  STAGES")
    for m in models:
        stages = ", ".join(f"{s}={v}" for s, v in m.stages.items()) or "-"
        print(f"{m.name:<{width}}  {m.latest or '-':<10}  {stages}")
    return 0


def _show(args: argparse.Namespace) -> int:
    from mlops_gitops.registry import show_model

    detail = show_model(project_root(args), args.name)
    if args.format == "json":
        print_json(detail.to_dict())
        return 0
    print(f"model {detail.name}" + (f" ({detail.path})" if detail.path else ""))
    stages = ", ".join(f"{s} -> {v}" for s, v in detail.stages.items())
    print(f"stages: {stages or 'none assigned'}")
    if detail.compiled is not None:
        print(f"serving backend: {_backend_line(detail.compiled)}")
    for v in detail.versions:
        where = f" [{', '.join(v.stages)}]" if v.stages else ""
        print(f"  {v.version}{where}  commit {v.commit[:12]}  {v.registered_at}  {v.author}")
        numbers = ", ".join(
            f"{k}={val:.4g}"
            for k, val in sorted(v.metrics.items())
            if isinstance(val, int | float) and not isinstance(val, bool)
        )
        if numbers:
            print(f"      {numbers}")
    return 0


def _backend_line(compiled: Mapping[str, Any]) -> str:
    """Which backend serves the working tree's model, and why (never silent on a fallback)."""
    if compiled.get("status") == "verified":
        figures = compiled.get("verification") or {}
        rows = figures.get("rows")
        checked = f", verified on {int(rows)} test rows" if rows else ""
        return f"onnx ({compiled.get('file')}{checked})"
    if not compiled:
        return "scikit-learn (trained before compiled inference existed; retrain to compile)"
    return f"scikit-learn ({compiled.get('status')}: {compiled.get('reason')})"


def _promote(args: argparse.Namespace) -> int:
    from mlops_gitops.registry import promote_experiment

    result = promote_experiment(
        project_root(args),
        args.name,
        stage=args.stage,
        version=args.version,
        tolerance=args.tolerance,
        force=args.force,
        message=args.message,
    )
    if args.format == "json":
        print_json(result.to_dict())
    else:
        print(result.describe())
    return 0
