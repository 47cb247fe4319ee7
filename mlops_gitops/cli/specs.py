"""``mlops validate``, ``mlops get``, ``mlops graph``, ``mlops schema export``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from mlops_gitops.cli._common import add_format, print_json, project_root

__all__ = ["register"]


def register(sub: Any) -> None:
    validate = sub.add_parser(
        "validate", help="check every spec: syntax, schema and references (exit 1 when invalid)"
    )
    add_format(validate, "text", "json", "github")
    validate.add_argument(
        "--data",
        action="store_true",
        help="also read each Dataset's source and check its columns, types and target against "
        "the schema (the data contract the ingest stage enforces)",
    )
    validate.set_defaults(handler=_validate)

    get = sub.add_parser("get", help="list the specs as a table")
    add_format(get)
    get.set_defaults(handler=_get)

    graph = sub.add_parser("graph", help="print the dependency graph of the specs")
    add_format(graph, "text", "mermaid", "json")
    graph.set_defaults(handler=_graph)

    schema = sub.add_parser("schema", help="JSON Schemas of the spec kinds, for editors")
    schema_sub = schema.add_subparsers(dest="schema_command", metavar="COMMAND", required=True)
    export = schema_sub.add_parser("export", help="write one JSON Schema per kind into DIR")
    export.add_argument("directory", metavar="DIR", type=Path)
    export.set_defaults(handler=_schema_export)


def _validate(args: argparse.Namespace) -> int:
    from mlops_gitops.specs import format_diagnostics, validate_specs

    root = project_root(args)
    result = validate_specs(root)
    if not result.files and not result.diagnostics:
        print("no spec files under specs/: run `mlops init` or add YAML specs", file=sys.stderr)
        return 1
    if result.specs is not None:
        from dataclasses import replace

        from mlops_gitops.stages.contract import check_data, missing_sources

        found = check_data(root, result.specs) if args.data else missing_sources(root, result.specs)
        result = replace(result, diagnostics=found)
    if args.format == "json":
        print(format_diagnostics(result.diagnostics, "json"))
    elif result.diagnostics:
        output = format_diagnostics(result.diagnostics, args.format)
        print(output, file=sys.stdout if args.format == "github" else sys.stderr)
        if args.format == "text":
            print(
                f"{len(result.diagnostics)} problem(s) in {len(result.files)} file(s); "
                "fix them and run `mlops validate` again",
                file=sys.stderr,
            )
    else:
        print(f"{len(result.files)} file(s), {len(result.specs or ())} spec(s): valid")
    return 0 if result.ok else 1


def _references(spec: Any) -> list[str]:
    if spec.kind == "Experiment":
        return [f"Problem/{spec.problem}", f"Dataset/{spec.dataset}"]
    if spec.kind == "Deployment":
        return [f"Experiment/{spec.model.experiment or spec.model.registered}"]
    return []


def _get(args: argparse.Namespace) -> int:
    from mlops_gitops.specs import load_specs

    specs = load_specs(project_root(args))
    rows = [
        {
            "kind": spec.kind,
            "name": spec.name,
            "file": f"{spec.source.file}:{spec.source.line}",
            "references": _references(spec),
        }
        for spec in specs
    ]
    if args.format == "json":
        print_json(rows)
        return 0
    table: list[tuple[str, str, str, str]] = [("KIND", "NAME", "FILE", "REFERENCES")]
    table += [
        (str(r["kind"]), str(r["name"]), str(r["file"]), ", ".join(r["references"]) or "-")
        for r in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(3)]
    for row in table:
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:3])) + "  " + row[3])
    return 0


def _graph(args: argparse.Namespace) -> int:
    from mlops_gitops.graph import build_graph
    from mlops_gitops.specs import load_specs

    graph = build_graph(load_specs(project_root(args)))
    if args.format == "mermaid":
        print(graph.to_mermaid())
    elif args.format == "json":
        print_json(
            {
                "nodes": [str(n) for n in graph.nodes],
                "edges": [[str(a), str(b)] for a, b in graph.edges],
            }
        )
    else:
        print(graph.to_text())
    return 0


def _schema_export(args: argparse.Namespace) -> int:
    import json

    from mlops_gitops.errors import MlopsError
    from mlops_gitops.fsutil import atomic_write_text
    from mlops_gitops.specs.schema import schemas

    directory: Path = args.directory
    for kind, schema in schemas().items():
        target = directory / f"{kind.lower()}.json"
        try:
            atomic_write_text(target, json.dumps(schema, indent=2) + "\n")
        except OSError as error:
            raise MlopsError(
                f"cannot write {target}: {error.strerror}", "give a folder you can write to"
            ) from None
        print(f"wrote {target}")
    return 0
