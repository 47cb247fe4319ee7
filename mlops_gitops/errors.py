"""The one exception hierarchy of the project.

Every error a user can cause derives from :class:`MlopsError`; the CLI prints its message and
hint on stderr and exits 1 without a traceback. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = [
    "ApplyError",
    "BuildError",
    "DataError",
    "DriftError",
    "GitOpsError",
    "MlopsError",
    "RegistryError",
    "RuntimeBackendError",
    "SpecError",
    "StageError",
    "UnknownSpec",
    "did_you_mean",
]


class MlopsError(Exception):
    """A failure the user can act on. ``hint`` says what to do next."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if self.hint is None else f"{self.message}\nhint: {self.hint}"


class SpecError(MlopsError):
    """Specs failed to load; ``problems`` holds every problem found, not just the first."""

    def __init__(self, problems: tuple[object, ...], hint: str | None = None) -> None:
        self.problems = problems
        lines = "\n".join(str(p) for p in problems)
        super().__init__(
            f"{len(problems)} problem(s) in specs:\n{lines}",
            hint or "fix the specs above, then run `mlops validate`",
        )


class DataError(MlopsError):
    """Data could not be read or failed its dataset's rules."""


class StageError(MlopsError):
    """A pipeline stage could not run."""


class ApplyError(MlopsError):
    """The reconciler could not apply its plan."""


class RegistryError(MlopsError):
    """A model registry operation was refused or failed."""


class BuildError(MlopsError):
    """A container image could not be built."""


class RuntimeBackendError(MlopsError):
    """A runtime (local, docker, kubernetes) could not deploy or report."""


class DriftError(MlopsError):
    """Drift could not be measured."""


class GitOpsError(MlopsError):
    """A git or pull-request operation failed."""


def did_you_mean(word: str, options: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` for the closest of ``options``, or ``""`` when none is close."""
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


class UnknownSpec(MlopsError):
    """No spec of ``kind`` is called ``name``; ``known`` lists the names that exist."""

    def __init__(self, kind: str, name: str, known: Iterable[str], hint: str | None = None) -> None:
        self.kind = kind
        self.name = name
        self.known = tuple(sorted(known))
        listing = ", ".join(self.known) or "none"
        super().__init__(
            f"no {kind} named {name!r}; known: {listing}{did_you_mean(name, self.known)}",
            hint or "run `mlops get` to list the specs",
        )
