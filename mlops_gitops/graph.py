"""The dependency graph of specs: problem/dataset -> experiment -> deployment.

Used to show a project's shape (``mlops graph``) and to answer "what does this change affect?"
(``mlops plan --since REF``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from mlops_gitops.specs.models import Spec, SpecSet

__all__ = ["Node", "SpecGraph", "build_graph"]


@dataclass(frozen=True, order=True)
class Node:
    kind: str
    name: str

    def __str__(self) -> str:
        return f"{self.kind}/{self.name}"


@dataclass(frozen=True)
class SpecGraph:
    nodes: tuple[Node, ...]
    edges: tuple[tuple[Node, Node], ...]
    """(upstream, downstream): the downstream spec refers to the upstream one."""

    def downstream(self, starts: Iterable[Node]) -> set[Node]:
        """``starts`` and every node that depends on them, transitively."""
        children: dict[Node, list[Node]] = {}
        for up, down in self.edges:
            children.setdefault(up, []).append(down)
        seen: set[Node] = set()
        stack = [n for n in starts if n in self.nodes]
        while stack:
            node = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            stack.extend(children.get(node, ()))
        return seen

    def to_text(self) -> str:
        lines = []
        parents: dict[Node, list[Node]] = {}
        for up, down in self.edges:
            parents.setdefault(down, []).append(up)
        for node in self.nodes:
            ups = parents.get(node)
            lines.append(f"{node}" + (f"  <- {', '.join(map(str, sorted(ups)))}" if ups else ""))
        return "\n".join(lines)

    def to_mermaid(self) -> str:
        def ident(node: Node) -> str:
            return f"{node.kind.lower()}_{node.name.replace('-', '_')}"

        shapes = {
            "Problem": ("{{", "}}"),
            "Dataset": ("[(", ")]"),
            "Experiment": ("[", "]"),
            "Deployment": ("([", "])"),
        }
        lines = ["flowchart LR"]
        for node in self.nodes:
            left, right = shapes[node.kind]
            lines.append(f'    {ident(node)}{left}"{node.kind}: {node.name}"{right}')
        for up, down in self.edges:
            lines.append(f"    {ident(up)} --> {ident(down)}")
        return "\n".join(lines)


def node_of(spec: Spec) -> Node:
    return Node(spec.kind, spec.name)


def build_graph(specs: SpecSet) -> SpecGraph:
    nodes = tuple(node_of(s) for s in specs)
    edges: list[tuple[Node, Node]] = []
    for experiment in specs.experiments.values():
        edges.append((Node("Problem", experiment.problem), node_of(experiment)))
        edges.append((Node("Dataset", experiment.dataset), node_of(experiment)))
    for deployment in specs.deployments.values():
        experiment_name = deployment.model.experiment or deployment.model.registered or ""
        edges.append((Node("Experiment", experiment_name), node_of(deployment)))
    return SpecGraph(nodes, tuple(edges))
