"""``mlops labels import``: late labels for a deployment's served requests."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from mlops_gitops.cli._common import project_root

__all__ = ["register"]


def register(sub: Any) -> None:
    labels = sub.add_parser("labels", help="import late labels for served requests")
    labels_sub = labels.add_subparsers(dest="labels_command", metavar="COMMAND", required=True)
    imp = labels_sub.add_parser(
        "import",
        help="append labels from a CSV or Parquet file to a deployment's request log",
        description="Append the request_id and label columns of FILE (CSV or Parquet) to "
        "DEPLOYMENT's request log (<log>/labels/), typed as the model's labels. `mlops drift "
        "check` and `mlops drift pr` then report the model's performance on labelled requests.",
    )
    imp.add_argument("deployment", metavar="DEPLOYMENT", help="a Deployment spec's name")
    imp.add_argument(
        "file",
        type=Path,
        metavar="FILE",
        help="CSV or Parquet file with request_id and label columns",
    )
    imp.set_defaults(handler=_import)


def _import(args: argparse.Namespace) -> int:
    from mlops_gitops.labels.importing import import_deployment_labels

    root = project_root(args)
    imported = import_deployment_labels(root, args.deployment, args.file)
    shown = imported.directory.shown(root.resolve())
    print(f"imported {imported.count} label(s) for {args.deployment} into {shown}")
    return 0
