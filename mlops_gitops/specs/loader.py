"""Find, parse, validate and build every spec of a project, collecting every problem."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mlops_gitops.errors import MlopsError, SpecError
from mlops_gitops.layout import RELATIVE
from mlops_gitops.specs.build import build_spec
from mlops_gitops.specs.checks import Located, run_checks
from mlops_gitops.specs.diagnostics import Diagnostic
from mlops_gitops.specs.models import Source, SpecSet, frozen_mapping
from mlops_gitops.specs.schema import check_document
from mlops_gitops.specs.yamlpos import parse_documents

__all__ = ["SPECS_DIR", "LoadResult", "discover", "load_specs", "validate_specs"]

SPECS_DIR = RELATIVE.posix(RELATIVE.specs_dir())


@dataclass(frozen=True)
class LoadResult:
    specs: SpecSet | None
    diagnostics: tuple[Diagnostic, ...]
    files: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.diagnostics


def discover(root: Path, specs_dir: str = SPECS_DIR) -> list[Path]:
    folder = root / specs_dir
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


def _outside(root: Path, path: Path) -> bool:
    """A spec file that is a link to somewhere outside the repository (never read)."""
    return not path.resolve().is_relative_to(root.resolve())


def validate_specs(root: Path, specs_dir: str = SPECS_DIR) -> LoadResult:
    """Load every spec under ``root/specs_dir``; never raises for a user's mistake."""
    files = discover(root, specs_dir)
    diagnostics: list[Diagnostic] = []
    located: list[Located] = []
    declared: set[tuple[str, str]] = set()
    for path in files:
        relative = path.relative_to(root).as_posix()
        if _outside(root, path):
            diagnostics.append(
                Diagnostic(
                    relative,
                    1,
                    1,
                    "",
                    "is a link to a file outside the repository; not read",
                    "syntax",
                )
            )
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            diagnostics.append(Diagnostic(relative, 1, 1, "", f"cannot read: {error}", "syntax"))
            continue
        documents, problems = parse_documents(text, relative)
        diagnostics.extend(problems)
        for doc in documents:
            kind, problems = check_document(doc)
            diagnostics.extend(problems)
            declared.update(_declared(doc.data))
            if kind is not None:
                spec = build_spec(kind, doc.data, Source(relative, doc.line, doc.column))
                located.append(Located(spec, doc))
    diagnostics.extend(run_checks(located, root, frozenset(declared)))
    if diagnostics:
        return LoadResult(None, tuple(sorted(set(diagnostics))), tuple(_rel(root, files)))
    return LoadResult(_spec_set(located), (), tuple(_rel(root, files)))


def load_specs(root: Path, specs_dir: str = SPECS_DIR) -> SpecSet:
    """The project's specs; raises :class:`SpecError` listing every problem."""
    result = validate_specs(root, specs_dir)
    if result.specs is None:
        raise SpecError(result.diagnostics)
    if not result.files:
        raise MlopsError(
            f"no spec files under {root / specs_dir}",
            "run `mlops init` or add YAML specs there",
        )
    return result.specs


def _declared(data: object) -> set[tuple[str, str]]:
    """(kind, name) of a document that names itself, valid or not."""
    if isinstance(data, dict) and isinstance(data.get("metadata"), dict):
        kind, name = data.get("kind"), data["metadata"].get("name")
        if isinstance(kind, str) and isinstance(name, str):
            return {(kind, name)}
    return set()


def _rel(root: Path, files: Sequence[Path]) -> list[str]:
    return [p.relative_to(root).as_posix() for p in files]


def _spec_set(located: Sequence[Located]) -> SpecSet:
    by_kind: dict[str, dict[str, object]] = {
        "Problem": {},
        "Dataset": {},
        "Experiment": {},
        "Deployment": {},
    }
    for item in located:
        by_kind[item.spec.kind][item.spec.name] = item.spec
    return SpecSet(
        problems=frozen_mapping(dict(sorted(by_kind["Problem"].items()))),  # type: ignore[arg-type]
        datasets=frozen_mapping(dict(sorted(by_kind["Dataset"].items()))),  # type: ignore[arg-type]
        experiments=frozen_mapping(dict(sorted(by_kind["Experiment"].items()))),  # type: ignore[arg-type]
        deployments=frozen_mapping(dict(sorted(by_kind["Deployment"].items()))),  # type: ignore[arg-type]
    )
