"""The data contract of a Dataset spec: its source exists, and its columns, types and target are
in the data as the schema says. Checked by ``mlops validate --data`` and by the ingest stage
before anything is trained, with ``specs/<file>.yaml:LINE:COL:`` diagnostics naming the column.

:func:`contract_problems` is pure (a table in, problems out); :func:`locate` turns problems into
diagnostics at the spec's positions; :func:`check_data` reads every dataset's source.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mlops_gitops.errors import MlopsError
from mlops_gitops.io.tables import column_kinds, conform_columns
from mlops_gitops.layout import RELATIVE
from mlops_gitops.specs.diagnostics import Diagnostic
from mlops_gitops.specs.loader import discover
from mlops_gitops.specs.yamlpos import Document, parse_documents
from mlops_gitops.stages.ingest import read_source

if TYPE_CHECKING:
    import pyarrow as pa

    from mlops_gitops.specs.models import Dataset, SpecSet

__all__ = ["ContractProblem", "check_data", "contract_problems", "locate", "missing_sources"]

JsonPath = tuple[str | int, ...]


@dataclass(frozen=True)
class ContractProblem:
    """One way the data break the dataset's schema; ``path`` points into the spec."""

    path: JsonPath
    message: str


def contract_problems(dataset: Dataset, table: pa.Table) -> tuple[ContractProblem, ...]:
    """Every column of the schema (and the target) missing from ``table`` or holding values
    that do not fit its type."""
    present = set(table.column_names)
    problems: list[ContractProblem] = []
    if dataset.target not in present:
        problems.append(
            ContractProblem(
                ("spec", "target"),
                f"the target column {dataset.target!r} is not in the data "
                f"(its columns: {_listed(table.column_names)})",
            )
        )
    for column in dataset.columns:
        if column.name not in present and column.name != dataset.target:
            problems.append(
                ContractProblem(
                    ("spec", "columns", column.name),
                    f"column {column.name!r} is not in the data "
                    f"(its columns: {_listed(table.column_names)})",
                )
            )
    origin = "the data"
    _, errors = conform_columns(table, column_kinds(dataset.columns), origin=origin)
    for error in errors:
        detail = error.message.removeprefix(f"{origin}: ")
        problems.append(ContractProblem(("spec", "columns", error.column or ""), detail))
    return tuple(problems)


def locate(
    root: Path, dataset: Dataset, problems: Sequence[ContractProblem]
) -> tuple[Diagnostic, ...]:
    """The problems at their places in the dataset's spec file (key positions, so a column's
    diagnostic points at its name); ``params.yaml`` when no spec file declares the dataset."""
    doc = _document(root, dataset)
    out = []
    for problem in problems:
        if doc is None:
            from mlops_gitops.specs.diagnostics import json_path

            params = RELATIVE.posix(RELATIVE.params_file())
            out.append(Diagnostic(params, 1, 1, json_path(problem.path), problem.message))
        else:
            out.append(doc.diagnostic(problem.path, problem.message, key=True, category="data"))
    return tuple(out)


def missing_sources(root: Path, specs: SpecSet) -> tuple[Diagnostic, ...]:
    """A ``source.path`` that is neither in the work tree nor tracked by DVC (a fresh clone has
    only ``<path>.dvc`` until ``dvc pull``, and CI validates specs without pulling). Cheap: no
    data is read, so plain ``mlops validate`` runs it."""
    out: list[Diagnostic] = []
    for dataset in specs.datasets.values():
        path = dataset.data_source.path
        if path is None or (root / path).is_file() or (root / f"{path}.dvc").is_file():
            continue
        message = (
            f"path {path!r} does not exist (nor a {path}.dvc file tracking it); add the file "
            "(and `dvc add` it), or fix the path"
        )
        out.extend(locate(root, dataset, (ContractProblem(("spec", "source", "path"), message),)))
    return tuple(out)


def check_data(root: Path, specs: SpecSet) -> tuple[Diagnostic, ...]:
    """Read every dataset's source and check it against its schema."""
    diagnostics: list[Diagnostic] = []
    for dataset in specs.datasets.values():
        try:
            table = read_source(root, dataset)
        except MlopsError as error:
            found = (ContractProblem(("spec", "source"), error.message),)
            diagnostics.extend(locate(root, dataset, found))
            continue
        diagnostics.extend(locate(root, dataset, contract_problems(dataset, table)))
    return tuple(sorted(diagnostics))


def _document(root: Path, dataset: Dataset) -> Document | None:
    files = [root / dataset.source.file] if dataset.source.file.endswith((".yaml", ".yml")) else []
    for path in [*files, *discover(root)]:
        if not path.is_file():
            continue
        try:
            documents, _ = parse_documents(path.read_text(encoding="utf-8"), _relative(root, path))
        except (OSError, UnicodeDecodeError):
            continue
        for doc in documents:
            data = doc.data if isinstance(doc.data, dict) else {}
            metadata = data.get("metadata")
            name = metadata.get("name") if isinstance(metadata, dict) else None
            if data.get("kind") == "Dataset" and name == dataset.name:
                return doc
    return None


def _relative(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _listed(names: Sequence[str]) -> str:
    shown = ", ".join(names[:12])
    return shown + (f", ... ({len(names)} in all)" if len(names) > 12 else "") or "none"
