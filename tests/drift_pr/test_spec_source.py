"""Pointing a Dataset spec at a new file changes its source block and nothing else."""

from __future__ import annotations

import difflib

import pytest

from mlops_gitops.drift_pr.spec_source import set_source_path
from mlops_gitops.errors import DriftError
from tests.helpers.paths import EXAMPLE_SPECS
from tests.helpers.shop_project import DATASET_SPEC

NEW = "data/shop/drift-2024-05-08.parquet"


def test_only_the_source_block_changes_and_every_comment_stays() -> None:
    assert set_source_path(DATASET_SPEC, "shop", NEW) == DATASET_SPEC.replace(
        "    path: data/shop/export.parquet  # the first export\n", f"    path: {NEW}\n"
    )


def test_an_sklearn_source_becomes_a_path() -> None:
    text = (EXAMPLE_SPECS / "diabetes" / "dataset.yaml").read_text()

    changed = set_source_path(text, "diabetes", NEW)

    diff = [
        line
        for line in difflib.unified_diff(text.splitlines(), changed.splitlines(), lineterm="", n=0)
        if line.startswith(("+", "-")) and not line.startswith(("+++", "---"))
    ]
    assert diff == ["-    sklearn: diabetes", f"+    path: {NEW}"]


def test_flow_style_keeps_its_style_and_the_next_keys_comment() -> None:
    text = (
        "kind: Dataset\nmetadata: {name: shop}\nspec:\n"
        "  source: {url: 'https://example.com/x.csv', tokenEnv: TOKEN}  # old\n"
        "  # the target\n  target: spend\n"
    )

    assert set_source_path(text, "shop", NEW) == (
        f"kind: Dataset\nmetadata: {{name: shop}}\nspec:\n  source: {{path: {NEW}}}\n"
        "  # the target\n  target: spend\n"
    )


def test_in_a_multi_document_file_only_the_named_dataset_changes() -> None:
    other = (
        "---\n# first\nkind: Dataset\nmetadata:\n  name: other\nspec:\n  source:\n    path: a.csv\n"
    )
    text = other + "---\n" + DATASET_SPEC

    changed = set_source_path(text, "shop", NEW)

    assert changed == other + "---\n" + DATASET_SPEC.replace(
        "    path: data/shop/export.parquet  # the first export\n", f"    path: {NEW}\n"
    )


def test_a_file_without_the_dataset_is_an_error() -> None:
    with pytest.raises(DriftError, match=r"specs/x\.yaml holds no Dataset named 'nope'"):
        set_source_path(DATASET_SPEC, "nope", NEW, file="specs/x.yaml")
