"""``mlops plan`` and ``mlops apply``."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from mlops_gitops.cli._colour import paint, use_colour
from mlops_gitops.cli._common import add_format, print_json, project_root

__all__ = ["register"]

VERB_STYLES = {
    "create": "green",
    "update": "yellow",
    "delete": "red",
    "deploy": "cyan",
    "undeploy": "red",
    "waiting": "dim",
    "failed": "red",
}
SYMBOLS = {
    "create": "+",
    "update": "~",
    "delete": "-",
    "unchanged": " ",
    "deploy": "~",
    "undeploy": "-",
    "waiting": ".",
    "failed": "!",
}


def _add_scope(parser: Any) -> None:
    parser.add_argument(
        "--scope",
        choices=("all", "pipeline", "deployments"),
        default="all",
        help="pipeline: dvc.yaml, params.yaml and .mlops/specs/ only; deployments: only start, "
        "replace or stop what serves each Deployment; all: both (default: all, so apply deploys)",
    )


def register(sub: Any) -> None:
    plan = sub.add_parser(
        "plan", help="show what apply would change (reads only; safe on untrusted pull requests)"
    )
    add_format(plan, "text", "json", "markdown")
    plan.add_argument(
        "--detailed-exitcode",
        action="store_true",
        help="exit 0 when nothing is to do, 2 when changes are pending, 1 on error",
    )
    plan.add_argument("--diff", action="store_true", help="show a diff for each change")
    plan.add_argument(
        "--since", metavar="REF", help="also list specs changed since git REF and what they affect"
    )
    _add_scope(plan)
    plan.set_defaults(handler=_plan)

    apply = sub.add_parser(
        "apply",
        help="converge dvc.yaml, params.yaml and the inventory on the specs, and deploy",
        description="Make the project match the specs. With the default --scope all this "
        "renders dvc.yaml, params.yaml and .mlops/specs/ AND deploys: every Deployment whose "
        "model is trained "
        "is started (or replaced, when its model changed) on its runtime, and the servers of "
        "removed Deployments are stopped. Use --scope pipeline to change files only; `mlops "
        "plan` lists the deployment changes apart from the pipeline changes.",
    )
    apply.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    apply.add_argument("--dry-run", action="store_true", help="print the plan and change nothing")
    add_format(apply)
    _add_scope(apply)
    apply.set_defaults(handler=_apply)


PIPELINE_HEADING = "Pipeline (dvc.yaml, params.yaml, .mlops/specs/):"
DEPLOYMENTS_HEADING = "Deployments (apply starts, replaces or stops these servers):"


def _verb(verb: str, colour: bool) -> str:
    """``+ create`` etc., padded, in the verb's colour on a terminal."""
    return paint(f"{SYMBOLS[verb]} {verb:<7}", VERB_STYLES.get(verb, "bold"), colour)


def _diff_line(line: str, colour: bool) -> str:
    if line.startswith("+") and not line.startswith("+++"):
        return paint(line, "green", colour)
    if line.startswith("-") and not line.startswith("---"):
        return paint(line, "red", colour)
    return line


def _render_text(plan: Any, *, diff: bool, colour: bool = False) -> str:
    pipeline = []
    for action in plan.changes:
        flag = paint(" (drift)", "red", colour) if action.drifted else ""
        pipeline.append(f"  {_verb(action.verb, colour)} {action.id}{flag}: {action.reason}")
        if diff:
            pipeline.extend(
                "      " + _diff_line(line, colour) for line in action.diff().splitlines()
            )
    deployments = [
        f"  {_verb(live.verb, colour)} {live.id} [{live.runtime}]: {live.reason}"
        for live in (*plan.live_changes, *plan.waiting, *plan.failed)
    ]
    lines = []
    if pipeline:
        lines += [PIPELINE_HEADING, *pipeline]
    if deployments:
        lines += [DEPLOYMENTS_HEADING, *deployments]
    counts = plan.counts()
    summary = (
        f"Plan: {counts['create']} to create, {counts['update']} to update, "
        f"{counts['delete']} to delete, {counts['unchanged']} unchanged."
    )
    if plan.live:
        summary += (
            f" Deployments: {counts.get('deploy', 0)} to deploy, "
            f"{counts.get('undeploy', 0)} to undeploy, {counts.get('waiting', 0)} waiting."
        )
    if not plan.has_changes:
        summary = f"No changes. {counts['unchanged']} resources up to date."
        if plan.waiting:
            summary += f" {len(plan.waiting)} deployment(s) waiting for a trained model."
    if plan.unmanaged_stages:
        summary += f" {len(plan.unmanaged_stages)} hand-written stage(s) left alone."
    if plan.failed:
        summary += f" {len(plan.failed)} deployment(s) failed (see above); the rest were planned."
    return "\n".join([*lines, paint(summary, "bold", colour)])


def _render_markdown(plan: Any) -> str:
    counts = plan.counts()
    out = [
        "### mlops plan",
        "",
        f"**{counts['create']}** to create, **{counts['update']}** to update, "
        f"**{counts['delete']}** to delete, {counts['unchanged']} unchanged.",
        "",
    ]
    if plan.changes:
        out += ["#### Pipeline", "", "| action | resource | reason |", "|---|---|---|"]
        out += [
            f"| {a.verb}{' (drift)' if a.drifted else ''} | `{a.id}` | {a.reason} |"
            for a in plan.changes
        ]
        out.append("")
    live = (*plan.live_changes, *plan.waiting, *plan.failed)
    if live:
        out += [
            "#### Deployments",
            "",
            "`mlops apply` starts, replaces or stops these servers "
            "(`--scope pipeline` leaves them alone).",
            "",
            "| action | deployment | runtime | reason |",
            "|---|---|---|---|",
        ]
        out += [f"| {a.verb} | `{a.id}` | {a.runtime} | {a.reason} |" for a in live]
        out.append("")
    return "\n".join(out).rstrip("\n")


def _plan(args: argparse.Namespace) -> int:
    from mlops_gitops.reconcile.apply import compute_plan

    root = project_root(args)
    plan = compute_plan(root, read_bodies=args.diff, scope=args.scope)
    impact = None
    if args.since:
        from mlops_gitops.reconcile.impact import impact_since
        from mlops_gitops.specs import load_specs

        impact = impact_since(root, load_specs(root), args.since)
    if args.format == "json":
        data = plan.to_dict()
        if impact is not None:
            data["since"] = {
                "ref": args.since,
                "changed_files": list(impact.changed_files),
                "changed_specs": list(impact.changed_specs),
                "affected_specs": list(impact.affected_specs),
                "affected_resources": list(impact.affected_resources),
            }
        print_json(data)
    elif args.format == "markdown":
        print(_render_markdown(plan))
    else:
        print(_render_text(plan, diff=args.diff, colour=use_colour()))
        if impact is not None:
            print(f"\nSince {args.since}: {len(impact.changed_files)} spec file(s) changed")
            for spec in impact.affected_specs:
                print(f"  affects {spec}")
            for resource in impact.affected_resources:
                print(f"    {resource}")
    if plan.failed:
        return 1
    if args.detailed_exitcode and plan.has_changes:
        return 2
    return 0


def _apply(args: argparse.Namespace) -> int:
    from mlops_gitops.reconcile.apply import apply_plan, compute_plan

    root = project_root(args)
    if args.yes and not args.dry_run:  # nothing to confirm: plan and apply under one lock
        return _report_applied(args, apply_plan(root, None, scope=args.scope))
    plan = compute_plan(root, scope=args.scope)
    if args.dry_run:
        if args.format == "json":
            print_json({**plan.to_dict(), "applied": False})
        else:
            print(_render_text(plan, diff=False, colour=use_colour()))
        return 1 if plan.failed else 0
    if plan.has_changes and sys.stdin.isatty():
        if args.format == "text":
            print(_render_text(plan, diff=False, colour=use_colour()))
        print("Apply these changes? [y/N] ", end="", file=sys.stderr, flush=True)
        answer = input().strip().lower()
        if answer not in ("y", "yes"):
            print("Nothing applied.")
            return 1
    # even with nothing to change, apply runs: it removes what a killed apply left behind
    return _report_applied(args, apply_plan(root, plan, scope=args.scope))


def _report_applied(args: argparse.Namespace, result: Any) -> int:
    if args.format == "json":
        written = list(result.written)
        print_json({**result.plan.to_dict(), "applied": bool(written), "written": written})
        return 1 if result.plan.failed else 0
    print(_render_text(result.plan, diff=False, colour=use_colour()))
    if result.written:
        print("Applied:")
        for line in result.written:
            print(f"  {line}")
    return 1 if result.plan.failed else 0
