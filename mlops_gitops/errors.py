"""The one exception hierarchy of the project.

Every error a user can cause derives from :class:`MlopsError`; the CLI prints its message and
hint on stderr and exits 1 without a traceback. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

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
