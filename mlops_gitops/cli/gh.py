"""``mlops gh``: talk to GitHub from CI (the plan comment on a pull request)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from mlops_gitops.errors import GitOpsError

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    gh = subparsers.add_parser("gh", help="GitHub helpers for CI (pull-request comments)")
    gh.set_defaults(handler=lambda _args: _help(gh))
    commands = gh.add_subparsers(dest="gh_command", metavar="COMMAND")
    comment = commands.add_parser(
        "comment",
        help="create or update the one marked comment on a pull request",
        description="Post the body file as a pull-request comment, or edit the comment that "
        "carries the marker if there is one, so CI keeps a single up-to-date comment. Needs "
        "GITHUB_TOKEN and GITHUB_REPOSITORY (set in GitHub Actions).",
    )
    comment.add_argument(
        "--pr",
        type=int,
        metavar="N",
        help="pull request number; default: from GITHUB_REF (refs/pull/N/merge)",
    )
    comment.add_argument(
        "--body-file", required=True, metavar="FILE", help="Markdown body; '-' reads stdin"
    )
    comment.add_argument(
        "--marker",
        default=None,
        metavar="M",
        help="hidden text that identifies the comment; default: <!-- mlops-gitops -->",
    )
    comment.add_argument(
        "--images",
        nargs="+",
        action="extend",
        metavar="PATH",
        help="also show these images inline (folders, files or quoted glob patterns such as "
        "'reports/*/evaluate/*.png'; a pattern may match nothing): they are committed to the "
        "branch mlops/reports/pr-N of this repository (no third-party host) and shown at that "
        "commit; if the push is refused (a fork's read-only token), the comment links the "
        "workflow run instead",
    )
    comment.add_argument(
        "--remote", default="origin", help="git remote to push the images to (default: origin)"
    )
    comment.set_defaults(handler=_comment)


def _help(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 1


def _comment(args: argparse.Namespace) -> int:
    from mlops_gitops.gitops.comment import DEFAULT_MARKER, upsert_comment
    from mlops_gitops.gitops.settings import pr_number_from_ref

    number = args.pr if args.pr is not None else pr_number_from_ref(os.environ.get("GITHUB_REF"))
    if number is None:
        raise GitOpsError(
            "No pull request number: --pr was not given and GITHUB_REF is not refs/pull/N/merge.",
            hint="pass --pr N, or run in a workflow triggered by pull_request",
        )
    body = _read_body(args.body_file)
    if args.images is not None:
        from mlops_gitops.gitops.images import images_markdown, publish_images

        published = publish_images(
            Path(getattr(args, "project", ".")), args.images, pr_number=number, remote=args.remote
        )
        if published.refused is not None:
            print(
                f"warning: the images were not pushed to {published.branch}, so the comment "
                f"links them: {published.refused}",
                file=sys.stderr,
            )
        if not published.urls:
            print(f"note: no image matches {' '.join(map(str, args.images))}", file=sys.stderr)
        else:
            body = f"{body.rstrip()}\n\n{images_markdown(published)}"
    result = upsert_comment(number, body, marker=args.marker or DEFAULT_MARKER)
    print(f"{result.action} comment on pull request #{number}: {result.url}")
    return 0


def _read_body(name: str) -> str:
    if name == "-":
        return sys.stdin.read()
    path = Path(name)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise GitOpsError(
            f"The body file {name} does not exist.", hint="write the comment body there first"
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise GitOpsError(
            f"The body file {name} cannot be read: {error}.",
            hint="pass a UTF-8 Markdown file",
        ) from None
