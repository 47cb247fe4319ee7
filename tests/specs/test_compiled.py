"""The ahead-of-time compiled validators match the JSON Schemas they were generated from."""

from __future__ import annotations

import copy

import yaml
from jsonschema import Draft202012Validator

from mlops_gitops.specs import compile_schemas
from mlops_gitops.specs.schema import KINDS, _fast_check, schema_for
from tests.helpers.paths import EXAMPLE_SPECS


def test_compiled_modules_are_generated_from_the_current_schemas() -> None:
    assert compile_schemas.main(["--check"]) == 0, (
        "run `python -m mlops_gitops.specs.compile_schemas`"
    )
    for kind in KINDS:
        assert _fast_check(kind).__module__ == f"mlops_gitops.specs.compiled.{kind.lower()}"


def test_compiled_and_reference_validators_agree() -> None:
    from fastjsonschema import JsonSchemaException

    documents = [
        doc
        for path in sorted(EXAMPLE_SPECS.rglob("*.yaml"))
        for doc in yaml.safe_load_all(path.read_text())
    ]
    mutated = []
    for doc in documents:
        broken = copy.deepcopy(doc)
        broken["spec"]["unknownField"] = 1
        mutated.append(broken)
        wrong_type = copy.deepcopy(doc)
        wrong_type["metadata"]["name"] = "Not A Slug"
        mutated.append(wrong_type)
    for doc in documents + mutated:
        kind = doc["kind"]
        reference = Draft202012Validator(schema_for(kind)).is_valid(doc)
        try:
            _fast_check(kind)(doc)
            fast = True
        except JsonSchemaException:
            fast = False
        assert fast == reference, doc["metadata"]["name"]
    assert any(not Draft202012Validator(schema_for(d["kind"])).is_valid(d) for d in mutated)
