"""The loop's tiny real project (tests/loop) and its fixtures, reused against object storage."""

from tests.loop.conftest import github, isolated_env

__all__ = ["github", "isolated_env"]
