"""The plan: desired vs observed, as a list of actions with reasons. Pure.

For each resource: ``create`` (wanted, absent), ``update`` (wanted, different), ``delete``
(ours, no longer wanted: pruned), ``unchanged``. A managed resource whose content differs from
what the inventory says was applied has been edited by hand: the plan says so, and apply
restores it.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from mlops_gitops.io.yamlfile import dump_roundtrip, to_roundtrip
from mlops_gitops.reconcile.live import LiveAction
from mlops_gitops.reconcile.observed import ObservedState
from mlops_gitops.reconcile.resources import Resource, plain

__all__ = ["Action", "Plan", "make_plan"]

Verb = Literal["create", "update", "delete", "unchanged"]


@dataclass(frozen=True)
class Action:
    verb: Verb
    resource: Resource
    reason: str
    observed: Resource | None = None
    drifted: bool = False
    """Edited (or removed) outside mlops since the last apply."""

    @property
    def id(self) -> str:
        return self.resource.id

    def diff(self) -> str:
        before = _yaml_lines(self.observed.body) if self.observed is not None else []
        after = _yaml_lines(self.resource.body) if self.verb != "delete" else []
        return "".join(
            difflib.unified_diff(before, after, f"observed {self.id}", f"desired {self.id}", n=2)
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": self.verb,
            "resource": self.id,
            "type": self.resource.type,
            "spec": self.resource.spec,
            "reason": self.reason,
            "drifted": self.drifted,
        }


def _yaml_lines(body: Any) -> list[str]:
    if not isinstance(body, dict | list):
        return [f"{body}\n"]
    return dump_roundtrip(to_roundtrip(plain(body))).splitlines(keepends=True)


@dataclass(frozen=True)
class Plan:
    actions: tuple[Action, ...]
    unmanaged_stages: tuple[str, ...] = ()
    desired: tuple[Resource, ...] = field(default=(), repr=False)
    live: tuple[LiveAction, ...] = ()
    """Deployments: deploy / undeploy / unchanged / waiting (for a model not trained yet)."""

    @property
    def changes(self) -> tuple[Action, ...]:
        """Changes to files (dvc.yaml, params.yaml)."""
        return tuple(a for a in self.actions if a.verb != "unchanged")

    @property
    def live_changes(self) -> tuple[LiveAction, ...]:
        return tuple(a for a in self.live if a.is_change)

    @property
    def waiting(self) -> tuple[LiveAction, ...]:
        return tuple(a for a in self.live if a.verb == "waiting")

    @property
    def failed(self) -> tuple[LiveAction, ...]:
        """Deployments that could not be planned (a corrupt model, say); the rest still are."""
        return tuple(a for a in self.live if a.verb == "failed")

    @property
    def has_changes(self) -> bool:
        return bool(self.changes) or bool(self.live_changes)

    def counts(self) -> dict[str, int]:
        out = {"create": 0, "update": 0, "delete": 0, "unchanged": 0}
        for action in self.actions:
            out[action.verb] += 1
        for live in self.live:
            out[live.verb] = out.get(live.verb, 0) + 1
        return out

    def change_dicts(self) -> list[dict[str, Any]]:
        return [a.to_dict() for a in self.changes] + [a.to_dict() for a in self.live_changes]

    def to_dict(self) -> dict[str, Any]:
        """``actions`` holds every change; ``pipeline`` (files) and ``deployments`` (servers
        apply starts, replaces or stops) hold the same changes apart."""
        return {
            "changes": self.has_changes,
            "counts": self.counts(),
            "actions": self.change_dicts(),
            "pipeline": [a.to_dict() for a in self.changes],
            "deployments": [a.to_dict() for a in self.live_changes],
            "waiting": [a.to_dict() for a in self.waiting],
            "failed": [a.to_dict() for a in self.failed],
            "unmanaged_stages": list(self.unmanaged_stages),
        }


def make_plan(desired: Sequence[Resource], observed: ObservedState) -> Plan:
    inventory = observed.state.resources
    actions: list[Action] = []
    wanted = {r.id: r for r in desired}
    for resource in desired:
        current = observed.managed.get(resource.id)
        applied = inventory.get(resource.id, {}).get("digest")
        if current is None:
            if applied is not None:
                actions.append(
                    Action(
                        "create", resource, "removed outside mlops; apply restores it", drifted=True
                    )
                )
            else:
                actions.append(Action("create", resource, f"new for {resource.spec or 'project'}"))
        elif current.digest == resource.digest:
            actions.append(Action("unchanged", resource, "up to date", current))
        elif applied is not None and current.digest != applied:
            actions.append(
                Action(
                    "update",
                    resource,
                    "modified outside mlops; apply restores it",
                    current,
                    drifted=True,
                )
            )
        else:
            actions.append(
                Action("update", resource, f"{resource.spec or 'framework'} changed", current)
            )
    specs = {r.spec for r in desired}
    for rid, current in observed.managed.items():
        if rid not in wanted:
            previous = inventory.get(rid, {}).get("spec") or "its spec"
            reason = (
                f"{previous} no longer needs it; pruning"
                if previous in specs
                else f"{previous} was removed; pruning"
            )
            actions.append(Action("delete", current, reason, current))
    return Plan(tuple(actions), observed.unmanaged_stages, tuple(desired))
