"""Keep git, GitHub and DVC settings of the machine out of a test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers.git_remote import GITCONFIG

__all__ = ["isolate_git_and_github"]


def isolate_git_and_github(home: Path, monkeypatch: pytest.MonkeyPatch, *, dvc: bool) -> None:
    """A fresh ``home`` holding the test git config; no ``GIT_*``/``GITHUB_*`` from the machine;
    loopback never goes through a proxy. With ``dvc``, DVC's config, cache and analytics also
    stay inside ``home``."""
    (home / ".gitconfig").write_text(GITCONFIG)
    for name in list(os.environ):
        if name.startswith(("GIT_", "GITHUB_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    if dvc:
        monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
        monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
        monkeypatch.setenv("DVC_NO_ANALYTICS", "1")
        monkeypatch.setenv("DVC_SITE_CACHE_DIR", str(home / "dvc-site-cache"))
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
