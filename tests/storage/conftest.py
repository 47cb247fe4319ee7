"""The loop's tiny real project (tests/drift_pr) and its fixtures, reused against object storage."""

from tests.drift_pr.conftest import github, isolated_env

__all__ = ["github", "isolated_env"]
