"""``mlops init``: scaffold a new project."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from mlops_gitops.cli._common import project_root

__all__ = ["register"]


def register(sub: Any) -> None:
    init = sub.add_parser(
        "init",
        help="scaffold a new project: example specs, workflows, git, DVC and a local remote",
        description="Write example specs (a ridge regression on scikit-learn's diabetes data), "
        "the CI, CD and drift GitHub workflows, .gitignore, a pre-commit hook running `mlops "
        "validate`, JSON Schemas for editors under .mlops/schemas/ and a README; run `git init` "
        "and `dvc init` where needed and add a local DVC remote folder next to the project "
        "(../NAME-dvc-remote). Existing files are never overwritten without --force.",
    )
    init.add_argument(
        "directory",
        nargs="?",
        type=Path,
        metavar="DIR",
        help="the project folder, created if missing (default: the -C folder, else the current)",
    )
    init.add_argument("--name", help="project name, a slug (default: the folder's name as a slug)")
    init.add_argument("--force", action="store_true", help="overwrite existing files that differ")
    init.add_argument(
        "--remote",
        metavar="URL",
        help="the default DVC remote instead of the local folder, e.g. s3://bucket/prefix "
        "(credentials from AWS_* variables, AWS_ENDPOINT_URL for MinIO or another "
        "S3-compatible store)",
    )
    init.set_defaults(handler=_init)


def _init(args: argparse.Namespace) -> int:
    from mlops_gitops.scaffold import init_project
    from mlops_gitops.scaffold.install import how_installed

    directory = args.directory if args.directory is not None else project_root(args)
    result = init_project(directory, name=args.name, force=args.force, remote=args.remote)
    for path in result.written:
        print(f"wrote {path}")
    if result.unchanged:
        print(f"{len(result.unchanged)} file(s) already up to date")
    if result.hook:
        print(f"wrote the git hook {result.hook} (runs `mlops validate`)")
    if result.git_initialised:
        print("initialised a git repository")
    if result.dvc_initialised:
        print("initialised DVC")
    if result.remote:
        print(f"default DVC remote: {result.remote}")
    install = how_installed()
    print(f"the workflows install mlops-gitops with: {install.command}")
    if install.comment:
        print(f"  change it before you push: {' '.join(install.comment[:2])}")
    where = result.root if args.directory is not None else "."
    print(
        f"\nProject {result.name} is ready in {where}. Next:\n"
        "  mlops validate && mlops plan\n"
        "  mlops apply --yes && dvc repro\n"
        '  git add -A && git commit -m "first model"\n'
        "\nNote: `mlops apply` also deploys. Once `dvc repro` has trained the model, the next\n"
        "`mlops apply` starts the server of specs/deployment.yaml (`mlops plan` lists it under\n"
        "Deployments); `mlops apply --scope pipeline` changes only the pipeline files."
    )
    return 0
