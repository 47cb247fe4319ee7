"""params.yaml numbers read the same by the stages (PyYAML) as by DVC and ruamel (YAML 1.2)."""

from __future__ import annotations

from pathlib import Path

from mlops_gitops.reconcile.yamlfile import dump_roundtrip, load_fast


def test_exponent_floats_without_a_dot_are_numbers(tmp_path: Path) -> None:
    path = tmp_path / "params.yaml"
    path.write_text(dump_roundtrip({"tolerance": 1e-05, "big": 2.5e10, "int": 7, "text": "1e5x"}))
    assert "tolerance: 1e-05" in path.read_text()
    assert load_fast(path) == {"tolerance": 1e-05, "big": 2.5e10, "int": 7, "text": "1e5x"}
