"""The spec shape is written once (the dataclasses and their field metadata): documents build
objects, objects render params.yaml blocks, and the stages rebuild equal objects from them."""

from __future__ import annotations

import dataclasses
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from mlops_gitops.io.yamlfile import to_roundtrip, write_roundtrip
from mlops_gitops.render.dvc import (
    PARAMS_ROOT,
    dataset_files,
    dataset_params,
    experiment_files,
    experiment_params,
    problem_files,
)
from mlops_gitops.specs.build import KIND_CLASSES, build_spec
from mlops_gitops.specs.models import (
    API_VERSION,
    Candidate,
    Dataset,
    Deployment,
    Experiment,
    ImageSpec,
    Metadata,
    Problem,
    Range,
    Source,
    Spec,
)
from mlops_gitops.specs.schema import check_document, schema_for
from mlops_gitops.specs.shape import (
    SHAPE,
    FieldShape,
    camel,
    doc_key,
    from_doc,
    to_doc,
    to_params,
)
from mlops_gitops.specs.yamlpos import Document
from mlops_gitops.stages.context import spec_from_params
from tests.specs.schema_strategy import documents

PARAMS_KINDS = ("Problem", "Dataset", "Experiment")


def _valid_doc(kind: str, doc: dict[str, Any]) -> dict[str, Any]:
    assert check_document(Document("generated.yaml", 0, doc, 1, 1)) == (kind, [])
    return doc


def _params_view(obj: Any) -> Any:
    """``obj`` as params.yaml holds it: descriptive fields at their defaults."""
    changes: dict[str, Any] = {}
    for f in dataclasses.fields(obj):
        shape = f.metadata.get(SHAPE, FieldShape())
        value = getattr(obj, f.name)
        if shape.envelope:
            continue
        if not shape.params and f.default is not dataclasses.MISSING:
            changes[f.name] = f.default
        elif dataclasses.is_dataclass(value):
            changes[f.name] = _params_view(value)
        elif isinstance(value, tuple) and value and dataclasses.is_dataclass(value[0]):
            changes[f.name] = tuple(_params_view(v) for v in value)
    return dataclasses.replace(obj, **changes)


def _rendered(kind: str, spec: Any) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The spec's params.yaml block (its tunables) and its spec files, as `mlops apply` renders
    them."""
    if isinstance(spec, Dataset):
        return dataset_params(spec), dataset_files(spec)
    if isinstance(spec, Experiment):
        return experiment_params(spec), experiment_files(spec)
    assert isinstance(spec, Problem)
    return {}, problem_files(spec)


def _rebuilt(kind: str, spec: Spec) -> Spec:
    """``spec`` rendered into params.yaml and .mlops/specs/ as `mlops apply` writes them, then
    rebuilt as a stage does (stages/context.py)."""
    tunables, files = _rendered(kind, spec)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        group = {spec.name: tunables} if tunables else {}
        write_roundtrip(root / "params.yaml", to_roundtrip({PARAMS_ROOT: {kind.lower(): group}}))
        for relative, body in files.items():
            (root / relative).parent.mkdir(parents=True, exist_ok=True)
            (root / relative).write_text(json.dumps(body))
        return spec_from_params(root, kind, spec.name).spec


@pytest.mark.parametrize("kind", PARAMS_KINDS)
def test_any_valid_spec_survives_params_yaml(kind: str) -> None:
    strategy = documents(schema_for(kind))

    @settings(max_examples=40, deadline=None)
    @given(strategy)
    def check(doc: dict[str, Any]) -> None:
        spec = build_spec(kind, _valid_doc(kind, doc), Source("specs/x.yaml"))
        if isinstance(spec, Experiment):  # `mlops validate` refuses two candidates of one name
            assume(len({c.name for c in spec.candidates}) == len(spec.candidates))
        rebuilt = _rebuilt(kind, spec)
        expected = dataclasses.replace(
            _params_view(spec), metadata=Metadata(spec.name), source=Source("params.yaml")
        )
        if isinstance(expected, Problem):
            expected = dataclasses.replace(expected, question="(rendered)")
        assert rebuilt == expected
        assert to_params(rebuilt) == to_params(spec)  # and renders the same block again

    check()


def _lost(doc: Any, rendered: Any, path: str = "") -> list[str]:
    """The leaves of ``doc`` that ``rendered`` does not hold (empty collections aside)."""
    if isinstance(doc, dict):
        if not isinstance(rendered, dict):
            return [path]
        return [
            lost
            for key, value in doc.items()
            if value not in ({}, [])
            for lost in (
                _lost(value, rendered[key], f"{path}.{key}")
                if key in rendered
                else [f"{path}.{key}"]
            )
        ]
    if isinstance(doc, list):
        if not isinstance(rendered, list) or len(rendered) != len(doc):
            return [path]
        return [lost for i, v in enumerate(doc) for lost in _lost(v, rendered[i], f"{path}[{i}]")]
    return [] if doc == rendered else [path]


@pytest.mark.parametrize("kind", [*PARAMS_KINDS, "Deployment"])
def test_any_valid_spec_document_is_what_its_object_writes_back(kind: str) -> None:
    """Every key of a document reaches its object and comes back under the same key."""
    cls = KIND_CLASSES[kind]

    @settings(max_examples=40, deadline=None)
    @given(documents(schema_for(kind)))
    def check(doc: dict[str, Any]) -> None:
        spec = build_spec(kind, _valid_doc(kind, doc), Source("specs/x.yaml"))
        written = to_doc(spec)
        assert _lost(doc["spec"], written) == []
        assert from_doc(cls, written, metadata=spec.metadata, source=spec.source) == spec

    check()


def test_keys_are_camel_case_unless_a_field_names_its_own() -> None:
    assert camel("cv_folds") == "cvFolds"
    assert camel("max_missing_fraction") == "maxMissingFraction"
    assert camel("target") == "target"
    assert doc_key(Dataset, "data_source") == "source"
    assert doc_key(Dataset, "sensitive_columns") == "sensitiveColumns"
    assert doc_key(ImageSpec, "registry_username_env") == "usernameEnv"
    assert doc_key(Deployment, "autoscaling_max_replicas") == "maxReplicas"
    assert doc_key(Deployment, "auth_token_env") == "auth.tokenEnv"


def test_every_spec_field_has_a_key_in_its_kinds_schema() -> None:
    """The dataclasses and the schemas describe the same fields (one field added to one and not
    the other fails here)."""

    def walk(cls: type, schema: dict[str, Any], where: str, key: str | None = None) -> list[str]:
        missing = []
        for f in dataclasses.fields(cls):
            shape = f.metadata.get(SHAPE, FieldShape())
            if shape.envelope or f.name == key or (cls is Candidate and f.name == "params"):
                continue
            node: Any = schema
            for part in doc_key(cls, f.name).split("."):
                node = (node.get("properties") or {}).get(part)
                if node is None:
                    break
            if node is None:
                missing.append(f"{where}.{f.name}")
                continue
            item = node.get("items") or node.get("additionalProperties")
            hint = f.type if isinstance(f.type, str) else ""
            for nested in _dataclasses_in(hint):
                target = item if isinstance(item, dict) and "properties" in item else node
                missing += walk(nested, target, f"{where}.{f.name}", shape.keyed_by)
        return missing

    assert [
        m
        for kind, cls in KIND_CLASSES.items()
        for m in walk(cls, schema_for(kind)["properties"]["spec"], kind)
    ] == []


def _dataclasses_in(hint: str) -> list[type]:
    import mlops_gitops.specs.models as models

    return [
        value
        for name, value in vars(models).items()
        if isinstance(value, type)
        and dataclasses.is_dataclass(value)
        and name in hint.replace("[", " ").replace("]", " ").replace(",", " ").split()
        and value not in (Range,)
    ]


def test_a_null_hyperparameter_reaches_params_yaml() -> None:
    """``max_features: null`` means every feature for a random forest (its default is sqrt):
    the value must survive, not be dropped as an empty field."""
    doc = {
        "apiVersion": API_VERSION,
        "kind": "Experiment",
        "metadata": {"name": "e"},
        "spec": {
            "problem": "p",
            "dataset": "d",
            "candidates": [{"estimator": "random_forest", "params": {"max_features": None}}],
        },
    }
    spec = build_spec("Experiment", _valid_doc("Experiment", doc), Source("x"))
    block = to_params(spec)
    assert block["candidates"] == [
        {"name": "random_forest", "estimator": "random_forest", "params": {"max_features": None}}
    ]
    rebuilt = _rebuilt("Experiment", spec)
    assert isinstance(rebuilt, Experiment)
    assert dict(rebuilt.candidates[0].params) == {"max_features": None}


@given(
    st.builds(
        Range,
        st.integers(-50, 50).map(float),
        st.integers(51, 500).map(float),
        st.booleans(),
        st.just(True),
    )
)
def test_integer_ranges_render_whole_numbers(value: Range) -> None:
    doc = value.to_doc()
    assert isinstance(doc["low"], int) and isinstance(doc["high"], int)
    assert Range.from_doc(doc) == value
