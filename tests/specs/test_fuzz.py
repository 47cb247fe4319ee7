"""Random and mutated YAML only ever gives diagnostics: never an exception, never a hang."""

from __future__ import annotations

import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlops_gitops.specs import validate_specs
from mlops_gitops.specs.yamlpos import parse_documents
from tests.helpers.paths import EXAMPLE_SPECS

EXAMPLE_TEXTS = [p.read_text() for p in sorted(EXAMPLE_SPECS.rglob("*.yaml"))]
YAML_ALPHABET = st.sampled_from(list("abc:-[]{}&*!|>'\"#%@`,?\n  \t0123456789.~"))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=YAML_ALPHABET, max_size=200))
def test_random_yaml_text_never_crashes(text: str) -> None:
    _documents, diagnostics = parse_documents(text, "specs/x.yaml")
    for d in diagnostics:
        assert d.file == "specs/x.yaml" and d.line >= 1 and d.column >= 1


@st.composite
def mutated_example(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(EXAMPLE_TEXTS))
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["delete", "insert", "duplicate-line", "swap-indent"]))
        if action == "delete":
            end = position + draw(st.integers(1, 20))
            text = text[:position] + text[end:]
        elif action == "insert":
            text = (
                text[:position]
                + draw(st.text(alphabet=YAML_ALPHABET, max_size=8))
                + text[position:]
            )
        elif action == "duplicate-line":
            lines = text.splitlines(keepends=True)
            if lines:
                i = draw(st.integers(0, len(lines) - 1))
                lines.insert(i, lines[i])
                text = "".join(lines)
        else:
            text = text.replace("\n  ", "\n ", 1)
    return text


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(mutated_example())
def test_mutated_specs_give_only_diagnostics(tmp_path: Path, text: str) -> None:
    root = tmp_path / "p"
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(EXAMPLE_SPECS, root / "specs")
    (root / "specs" / "diabetes" / "problem.yaml").write_text(text)
    result = validate_specs(root)
    if result.ok:
        assert result.specs is not None and len(result.specs) >= 1
    else:
        assert result.specs is None
        for d in result.diagnostics:
            assert d.message and d.line >= 1
