"""params.yaml is read as DVC reads it: YAML 1.2 numbers, so what apply wrote comes back typed."""

from __future__ import annotations

from pathlib import Path

from mlops_gitops.io.yamlfile import load_fast, roundtrip_yaml


def test_exponent_floats_without_a_dot_are_numbers(tmp_path: Path) -> None:
    path = tmp_path / "params.yaml"
    path.write_text('a: 1e-05\nb: 12\nc: 1.5e3\nd: "1e-05"\ne: .5\nf: -2E+3\ng: 1e\n')
    assert load_fast(path) == {
        "a": 1e-05,
        "b": 12,
        "c": 1500.0,
        "d": "1e-05",
        "e": 0.5,
        "f": -2000.0,
        "g": "1e",
    }


def test_a_float_apply_writes_reads_back_as_the_same_float(tmp_path: Path) -> None:
    path = tmp_path / "params.yaml"
    with path.open("w") as handle:
        roundtrip_yaml().dump({"tolerance": 1e-05, "tiny": 3e-300}, handle)
    assert load_fast(path) == {"tolerance": 1e-05, "tiny": 3e-300}


def test_a_spec_reads_exponent_floats_as_numbers_with_their_position() -> None:
    from mlops_gitops.specs.yamlpos import parse_documents

    [document], problems = parse_documents(
        "spec:\n  compile: {probabilityTolerance: 1e-5}\n  name: '1e-5'\n", "specs/x.yaml"
    )
    assert problems == []
    assert document.data == {"spec": {"compile": {"probabilityTolerance": 1e-5}, "name": "1e-5"}}
    assert document.position(("spec", "compile", "probabilityTolerance")) == (2, 35)
