"""``mlops drift check``: compare served requests (or a file) with the training split.
``mlops drift pr``: check, then propose the report (and a retrained dataset) as a pull request."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from mlops_gitops.cli._common import add_format, project_root

__all__ = ["register"]

EXIT_OK = 0
EXIT_DRIFT = 2  # the project-wide "something to act on" code; 1 stays for errors
METHOD_CHOICES = ("auto", "ks", "chisquare", "ztest", "wasserstein", "jensenshannon", "psi")


def register(sub: Any) -> None:
    drift = sub.add_parser("drift", help="measure data drift of a deployment or between files")
    drift_sub = drift.add_subparsers(dest="drift_command", metavar="COMMAND", required=True)
    check = drift_sub.add_parser(
        "check",
        help="judge drift column by column (exit 2 with --fail-on-drift when drift is found)",
        description="Judge drift of DEPLOYMENT's served requests over its monitoring window "
        "against its training split, or of --current against --reference (ad hoc). Writes "
        "report.json, report.md, a self-contained report.html and plots to --output (default "
        "for a deployment: reports/drift/<deployment>/<window end>/).",
    )
    check.add_argument(
        "deployment",
        nargs="?",
        metavar="DEPLOYMENT",
        help="a Deployment spec's name (optional with --reference/--current)",
    )
    check.add_argument(
        "--reference",
        type=Path,
        metavar="FILE",
        help="reference data (Parquet or CSV); with --current: ad hoc check",
    )
    check.add_argument(
        "--current",
        type=Path,
        metavar="FILE",
        help="current data (Parquet or CSV) instead of the request log",
    )
    add_format(check, "text", "json", "md")
    check.add_argument(
        "--fail-on-drift",
        action="store_true",
        help="exit 2 when the dataset drifts (1 stays for errors)",
    )
    check.add_argument(
        "--output",
        type=Path,
        metavar="DIR",
        help="write report.json, report.md, report.html (self-contained) and PNG plots into DIR",
    )
    check.add_argument(
        "--metrics-file",
        type=Path,
        metavar="FILE",
        help="also write the check's Prometheus metrics (drift found, drifted columns, time of "
        "this success) to FILE, for node_exporter's textfile collector; the kubernetes "
        "runtime's alert rules read them",
    )
    check.add_argument(
        "--now", metavar="ISO-TIME", help="end of the window (default: now; naive times are UTC)"
    )
    check.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="summarise the window's files on this Dask cluster (tcp://host:8786) and merge "
        "them; needs the model's reference profile (default: the spec's monitoring.compute)",
    )
    adhoc = check.add_argument_group(
        "settings (each one given overrides the Deployment's `monitoring`, in both forms; "
        "defaults are the spec's, or for an ad hoc check the ones listed)"
    )
    adhoc.add_argument(
        "--method",
        choices=METHOD_CHOICES,
        default=None,
        help="test for every column (default: auto, chosen by type and size)",
    )
    adhoc.add_argument(
        "--drift-share",
        type=float,
        default=None,
        metavar="SHARE",
        help="share of drifted columns that means dataset drift (default 0.5)",
    )
    adhoc.add_argument(
        "--min-rows",
        type=int,
        default=None,
        metavar="N",
        help="fewest rows worth judging (default 100)",
    )
    adhoc.add_argument(
        "--calibrate",
        action="store_const",
        const=True,
        default=None,
        help="calibrate distance thresholds on reference chunks",
    )
    adhoc.add_argument(
        "--multiple-testing",
        choices=("none", "bonferroni", "fdr"),
        default=None,
        help="correct p-values over columns (default none)",
    )
    check.set_defaults(handler=_check)

    pr = drift_sub.add_parser(
        "pr",
        help="check a deployment and propose its drift report as a pull request",
        description="Check DEPLOYMENT as `mlops drift check` does. When its data drifted (or "
        "with --force), write the report and commit it to the branch "
        "mlops/drift/<deployment>/<window end date>, push it, and open the pull request (or "
        "update the open one), labelled drift and mlops. With `monitoring.retrain: true` and "
        "labels for the window, the branch also carries a new dataset version (DVC-tracked) and "
        "the dataset spec pointing at it, and the body a champion/challenger table. Without "
        "GITHUB_TOKEN the branch is only pushed and the compare URL printed. The report is also "
        "written under reports/drift/ in the work tree; your index and branch are not touched. "
        "Exit 0 when a pull request was proposed or nothing "
        "drifted, 1 on errors.",
    )
    pr.add_argument("deployment", metavar="DEPLOYMENT", help="a Deployment spec's name")
    pr.add_argument(
        "--current",
        type=Path,
        metavar="FILE",
        help="current data (Parquet or CSV) instead of the request log",
    )
    pr.add_argument(
        "--remote",
        default="origin",
        metavar="NAME",
        help="git remote to push the branch to (default: origin)",
    )
    pr.add_argument(
        "--now", metavar="ISO-TIME", help="end of the window (default: now; naive times are UTC)"
    )
    pr.add_argument(
        "--force",
        action="store_true",
        help="propose the report even when the dataset did not drift",
    )
    pr.set_defaults(handler=_pr)


def _check(args: argparse.Namespace) -> int:
    from mlops_gitops.errors import DriftError
    from mlops_gitops.monitoring.report import (
        render_json,
        render_markdown,
        render_text,
        write_report,
    )

    root = project_root(args)
    now = _parse_now(args.now)
    performance = None
    if args.reference is not None and args.current is not None:
        from mlops_gitops.monitoring.engine import detect_drift
        from mlops_gitops.monitoring.settings import DriftSettings

        settings = DriftSettings(**_overrides(args))
        result = detect_drift(args.reference, args.current, settings=settings)
        output = args.output
        if args.deployment:
            from dataclasses import replace

            result = replace(result, deployment=args.deployment)
    elif args.deployment is not None and args.reference is None:
        from mlops_gitops.loop.live_metrics import labelled_performance
        from mlops_gitops.monitoring.deployment import check_deployment, report_directory
        from mlops_gitops.specs import load_specs

        specs = load_specs(root)
        if args.deployment not in specs.deployments:
            known = ", ".join(sorted(specs.deployments)) or "none"
            raise DriftError(
                f"no Deployment named {args.deployment!r} (known: {known})",
                "run `mlops get` to list the specs",
            )
        deployment = specs.deployments[args.deployment]
        result = check_deployment(
            root,
            deployment,
            specs,
            current=args.current,
            now=now,
            overrides=_overrides(args),
            scheduler=args.scheduler,
        )
        output = args.output or report_directory(root, result)
        performance = labelled_performance(
            root,
            deployment,
            specs,
            current=args.current,
            start=datetime.fromisoformat(result.window_start) if result.window_start else None,
            end=datetime.fromisoformat(result.window_end or ""),
        )
    else:
        raise DriftError(
            "mlops drift check needs a DEPLOYMENT name, or both --reference FILE and "
            "--current FILE",
            "e.g. `mlops drift check my-api` or "
            "`mlops drift check --reference train.parquet --current today.parquet`",
        )
    if output is not None:
        # the default folder's parent (reports/drift/<deployment>/) keeps the DVC plots
        plots_folder = output.parent if args.output is None else None
        paths = write_report(result, output, plots_folder=plots_folder)
        if performance is not None:
            from mlops_gitops.loop.labelled_report import write_section

            paths = (*paths, *(p for p in write_section(output, performance) if p not in paths))
        print(f"wrote {len(paths)} file(s) to {output}", file=sys.stderr)
    if args.metrics_file is not None:
        import time

        from mlops_gitops.monitoring.drift_metrics import write_drift_metrics

        write_drift_metrics(
            args.metrics_file,
            result.deployment or args.deployment or "adhoc",
            dataset_drift=result.dataset_drift,
            drifted_columns=len(result.drifted_columns),
            finished_at=time.time(),
        )
    rendered = {"json": render_json, "md": render_markdown, "text": render_text}[args.format]
    text = rendered(result)
    if performance is not None:
        text = _with_performance(text, args.format, performance)
    sys.stdout.write(text)
    return EXIT_DRIFT if args.fail_on_drift and result.dataset_drift else EXIT_OK


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    """The settings given on the command line (None: not given), as DriftSettings fields."""
    given = {
        "method": args.method,
        "drift_share": args.drift_share,
        "min_rows": args.min_rows,
        "calibrate": args.calibrate,
        "multiple_testing": args.multiple_testing,
    }
    return {name: value for name, value in given.items() if value is not None}


def _with_performance(text: str, fmt: str, performance: Any) -> str:
    """The check's output with the labelled-traffic performance added in the same format."""
    from mlops_gitops.loop import labelled_report

    if fmt == "json":
        import json

        data = json.loads(text)
        data["labelled_performance"] = performance.to_dict()
        return json.dumps(data, indent=2, sort_keys=True) + "\n"
    if fmt == "md":
        return text + "\n" + labelled_report.render_section(performance)
    return text + labelled_report.render_text(performance)


def _pr(args: argparse.Namespace) -> int:
    from mlops_gitops.loop.drift_pr import propose_drift_pr

    done = propose_drift_pr(
        project_root(args),
        args.deployment,
        current=args.current,
        remote=args.remote,
        now=_parse_now(args.now),
        force=args.force,
    )
    if done.proposal is None:
        print(done.skipped)
        return EXIT_OK
    print(done.title)
    if done.performance is not None:
        print(done.performance.headline())
    if done.retraining is not None:
        print(
            f"new dataset version {done.retraining.version.path} "
            f"(+{done.retraining.version.added_rows} labelled rows); challenger "
            f"{'beats' if done.retraining.comparison.challenger_wins else 'does not beat'} "
            "the champion on the test split"
        )
    result = done.proposal
    where = f"branch {result.branch} on {args.remote} at {result.commit[:12]}"
    if result.action in ("created", "updated"):
        verb = "opened" if result.action == "created" else "updated"
        print(f"{verb} pull request #{result.pr_number}: {result.pr_url} ({where})")
    elif result.action == "pushed-only":
        print(f"pushed {where}; no GITHUB_TOKEN, so no pull request was opened")
        print(
            f"open it at: {result.compare_url}"
            if result.compare_url
            else "open a pull request from that branch by hand (the remote is not on GitHub)"
        )
    else:
        print(f"{where} already holds this report: nothing to push")
    return EXIT_OK


def _parse_now(text: str | None) -> datetime | None:
    from mlops_gitops.errors import DriftError

    if text is None:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError as error:
        raise DriftError(
            f"The '--now' option must be an ISO 8601 time such as 2024-05-01T06:00:00+00:00. "
            f"Got {text!r} instead.",
            "fix --now",
        ) from error
