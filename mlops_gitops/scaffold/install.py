"""The command a new project's workflows use to install mlops-gitops: the way it was installed here.

pip records how it installed a distribution in ``direct_url.json`` (PEP 610) beside its metadata:

- no record: it came from a package index -> ``pip install "mlops-gitops==<version>"``;
- ``vcs_info``: a VCS URL -> ``pip install "mlops-gitops @ git+<url>@<commit>"``, pinned to the
  commit that is installed, so CI runs exactly the tool that wrote its workflows;
- ``archive_info`` with a remote URL: that archive -> ``pip install "mlops-gitops @ <url>"``;
- ``dir_info``, or an archive on this disk: a local folder or file CI cannot reach -> the version
  pin, under a comment saying what to change.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import metadata
from typing import Any
from urllib.parse import unquote, urlsplit

__all__ = ["DISTRIBUTION", "InstallLine", "how_installed", "install_line_for"]

DISTRIBUTION = "mlops-gitops"


@dataclass(frozen=True)
class InstallLine:
    """A shell command, and comment lines to put above it (empty when it needs no change)."""

    command: str
    comment: tuple[str, ...] = ()

    def text(self) -> str:
        """The comment lines (``# ...``) followed by the command, one per line."""
        return "\n".join([*(f"# {line}" for line in self.comment), self.command])


def _pin(version: str) -> str:
    return f'pip install "{DISTRIBUTION}=={version}"'


def _local(version: str, where: str, how: str) -> InstallLine:
    return InstallLine(
        _pin(version),
        (
            f"mlops-gitops {version} was installed {how} {where}, which CI cannot reach.",
            f"This line needs mlops-gitops {version} on your package index; to install it from",
            "git instead, replace it with (your clone's URL and a pushed commit):",
            f'  pip install "{DISTRIBUTION} @ git+https://github.com/OWNER/mlops-gitops@COMMIT"',
        ),
    )


def _path_of(url: str) -> str:
    parts = urlsplit(url)
    return unquote(parts.path) if parts.scheme == "file" else url


def install_line_for(version: str, direct_url: dict[str, Any] | None) -> InstallLine:
    """The install line for mlops-gitops ``version`` installed as ``direct_url`` says (the
    parsed ``direct_url.json``; ``None`` when there is none: an index install)."""
    if not direct_url or "url" not in direct_url:
        return InstallLine(_pin(version))
    url = str(direct_url["url"])
    subdirectory = direct_url.get("subdirectory")
    fragment = f"#subdirectory={subdirectory}" if subdirectory else ""
    vcs = direct_url.get("vcs_info")
    if isinstance(vcs, dict):
        commit = vcs.get("commit_id") or vcs.get("requested_revision")
        at = f"@{commit}" if commit else ""
        command = f'pip install "{DISTRIBUTION} @ {vcs.get("vcs", "git")}+{url}{at}{fragment}"'
        if urlsplit(url).scheme == "file":
            return InstallLine(
                command,
                (
                    "mlops-gitops was installed from a git repository on this machine; point",
                    "the URL at one your CI can clone (the same commit, pushed).",
                ),
            )
        return InstallLine(command)
    archive = direct_url.get("archive_info")
    if isinstance(archive, dict) and urlsplit(url).scheme != "file":
        return InstallLine(f'pip install "{DISTRIBUTION} @ {url}{fragment}"')
    dir_info = direct_url.get("dir_info")
    editable = isinstance(dir_info, dict) and bool(dir_info.get("editable"))
    how = "in editable mode from the folder" if editable else "from"
    return _local(version, _path_of(url), how)


def _installed() -> metadata.Distribution | None:
    """The installed mlops-gitops: the record an installer wrote (it has ``INSTALLER``), not an
    ``.egg-info`` that a build left in a source tree on ``sys.path``."""
    found = list(metadata.distributions(name=DISTRIBUTION))
    installed = [d for d in found if d.read_text("INSTALLER") is not None]
    candidates = installed or found
    return candidates[0] if candidates else None


def how_installed(distribution: metadata.Distribution | None = None) -> InstallLine:
    """The install line for ``distribution`` (default: the mlops-gitops running this code)."""
    if distribution is None:
        distribution = _installed()
        if distribution is None:  # run from a source tree that was never installed
            from mlops_gitops import __version__

            return _local(__version__, "a source tree", "from")
    text = distribution.read_text("direct_url.json")
    try:
        direct_url = json.loads(text) if text else None
    except json.JSONDecodeError:
        direct_url = None
    return install_line_for(distribution.version, direct_url)
