"""``mlops explain``: a what-if question to a trained model."""

from __future__ import annotations

import argparse
from typing import Any

from mlops_gitops.cli._common import add_format, print_json, project_root
from mlops_gitops.cli._tables import human_number, text_table

__all__ = ["register", "render_what_if"]


def register(sub: Any) -> None:
    explain = sub.add_parser(
        "explain",
        help="what-if: the prediction for a row before and after changing some of its values",
    )
    explain.add_argument("name", metavar="NAME", help="an experiment or deployment")
    explain.add_argument("--row", required=True, help="the row as JSON: '{\"age\": 50, ...}'")
    explain.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="COLUMN=VALUE",
        dest="changes",
        help="a change to try (repeatable); values are read as JSON when they parse",
    )
    add_format(explain)
    explain.set_defaults(handler=_explain)


def _check_as_the_server_does(
    features: Any, row: dict[str, Any], changes: dict[str, Any]
) -> dict[str, Any]:
    """The row, and the row with the changes, pass the server's input checks (types, ranges,
    allowed categories, nullable columns), so a what-if never answers for an input the
    deployed model would refuse. Returns the row with omitted nullable columns as missing."""
    from mlops_gitops.errors import MlopsError
    from mlops_gitops.serving.validation import InputError, InputSchema

    schema = InputSchema(features)
    checks: list[tuple[str, dict[str, Any]]] = [("--row", row)]
    if set(changes) <= set(schema.names):  # what_if names a --set column the model lacks
        checks.append(("--row with --set", {**row, **changes}))
    for what, values in checks:
        try:
            schema.check_json({name: [value] for name, value in values.items()})
        except InputError as error:
            raise MlopsError(
                f"{what} is refused as the server would refuse it: {error.message}",
                "use values the model's schema allows (see `features` in its model.json)",
            ) from None
    return {**{f.name: None for f in features if f.nullable}, **row}


def _explain(args: argparse.Namespace) -> int:
    import json

    from mlops_gitops.errors import MlopsError
    from mlops_gitops.ml.artifact import load_model
    from mlops_gitops.ml.local_explanations import parse_assignments, what_if
    from mlops_gitops.registry.locate import model_dir_for

    try:
        row = json.loads(args.row)
    except json.JSONDecodeError as error:
        raise MlopsError(
            f"--row is not valid JSON: {error}", "quote it: --row '{\"a\": 1}'"
        ) from None
    if not isinstance(row, dict):
        raise MlopsError("--row must be a JSON object of column: value", "e.g. --row '{\"a\": 1}'")
    model, info = load_model(model_dir_for(project_root(args), args.name))
    changes = parse_assignments(args.changes)
    row = _check_as_the_server_does(info.features, row, changes)
    answer = what_if(model, row, changes)
    if args.format == "json":
        print_json(answer)
        return 0
    print(render_what_if(answer), end="")
    return 0


def _side(answer: Any) -> str:
    if isinstance(answer, dict):
        return human_number(answer["prediction"])
    return human_number(answer)


def _change(delta: Any) -> str:
    if isinstance(delta, float):
        return f"{delta:+.4g}"
    if "prediction_changed" in delta:
        return "label changed" if delta["prediction_changed"] else "label unchanged"
    return ", ".join(f"P({label}) {change:+.3f}" for label, change in delta.items())


def render_what_if(answer: dict[str, Any]) -> str:
    """The what-if as a table: one row per changed feature alone, then all changes together."""
    rows = [
        [
            str(item["feature"]),
            human_number(item["from"]),
            human_number(item["to"]),
            f"{_side(answer['before'])} -> {_side(item['after'])}",
            _change(item["delta"]),
        ]
        for item in answer["by_feature"]
    ]
    rows.append(
        [
            "all changes" if rows else "(no change)",
            "",
            "",
            f"{_side(answer['before'])} -> {_side(answer['after'])}",
            _change(answer["delta"]),
        ]
    )
    return text_table(["feature", "from", "to", "prediction", "change"], rows)
