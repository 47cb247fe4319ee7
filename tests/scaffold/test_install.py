"""The install line of scaffolded workflows follows how mlops-gitops was installed (PEP 610)."""

from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path

import pytest

from mlops_gitops.scaffold.install import InstallLine, how_installed, install_line_for

LOCAL_NOTE = (
    "This line needs mlops-gitops 0.3.1 on your package index; to install it from",
    "git instead, replace it with (your clone's URL and a pushed commit):",
    '  pip install "mlops-gitops @ git+https://github.com/OWNER/mlops-gitops@COMMIT"',
)


def test_an_index_install_gives_the_version_pin() -> None:
    assert install_line_for("0.3.1", None) == InstallLine('pip install "mlops-gitops==0.3.1"')


def test_a_git_install_gives_the_url_at_the_installed_commit() -> None:
    direct_url = {
        "url": "https://github.com/acme/mlops-gitops.git",
        "vcs_info": {"vcs": "git", "commit_id": "0" * 40, "requested_revision": "main"},
    }
    assert install_line_for("0.3.1", direct_url) == InstallLine(
        f'pip install "mlops-gitops @ git+https://github.com/acme/mlops-gitops.git@{"0" * 40}"'
    )


def test_a_git_install_from_a_subdirectory_keeps_it() -> None:
    direct_url = {
        "url": "https://example.com/mono.git",
        "subdirectory": "tools/mlops",
        "vcs_info": {"vcs": "git", "commit_id": "abc"},
    }
    assert install_line_for("0.3.1", direct_url).command == (
        'pip install "mlops-gitops @ git+https://example.com/mono.git@abc#subdirectory=tools/mlops"'
    )


def test_a_git_repository_on_this_disk_says_to_point_at_one_ci_can_clone() -> None:
    direct_url = {"url": "file:///srv/mlops-gitops", "vcs_info": {"vcs": "git", "commit_id": "ab"}}
    line = install_line_for("0.3.1", direct_url)
    assert line.text() == (
        "# mlops-gitops was installed from a git repository on this machine; point\n"
        "# the URL at one your CI can clone (the same commit, pushed).\n"
        'pip install "mlops-gitops @ git+file:///srv/mlops-gitops@ab"'
    )


def test_a_remote_archive_gives_its_url() -> None:
    url = "https://files.example.com/mlops_gitops-0.3.1-py3-none-any.whl"
    direct_url = {"url": url, "archive_info": {"hashes": {"sha256": "f" * 64}}}
    assert install_line_for("0.3.1", direct_url) == InstallLine(
        f'pip install "mlops-gitops @ {url}"'
    )


@pytest.mark.parametrize(
    ("direct_url", "how"),
    [
        (
            {"url": "file:///home/me/mlops-gitops", "dir_info": {"editable": True}},
            "in editable mode from the folder /home/me/mlops-gitops",
        ),
        ({"url": "file:///home/me/mlops-gitops", "dir_info": {}}, "from /home/me/mlops-gitops"),
        (
            {"url": "file:///tmp/w/mlops_gitops-0.3.1-py3-none-any.whl", "archive_info": {}},
            "from /tmp/w/mlops_gitops-0.3.1-py3-none-any.whl",
        ),
    ],
    ids=["editable", "folder", "local-wheel"],
)
def test_a_local_install_gives_the_pin_and_says_what_to_change(
    direct_url: dict[str, object], how: str
) -> None:
    line = install_line_for("0.3.1", direct_url)
    assert line.command == 'pip install "mlops-gitops==0.3.1"'
    assert line.comment == (
        f"mlops-gitops 0.3.1 was installed {how}, which CI cannot reach.",
        *LOCAL_NOTE,
    )
    assert line.text().splitlines()[-1] == line.command
    assert all(text.startswith("# ") for text in line.text().splitlines()[:-1])


def dist_info(root: Path, direct_url: dict[str, object] | None) -> metadata.Distribution:
    """A real installed-distribution record, as pip writes it."""
    folder = root / "mlops_gitops-0.3.1.dist-info"
    folder.mkdir(parents=True)
    (folder / "METADATA").write_text("Metadata-Version: 2.1\nName: mlops-gitops\nVersion: 0.3.1\n")
    if direct_url is not None:
        (folder / "direct_url.json").write_text(json.dumps(direct_url))
    return metadata.PathDistribution(folder)


def test_how_installed_reads_direct_url_json(tmp_path: Path) -> None:
    git = {
        "url": "https://github.com/acme/mlops-gitops",
        "vcs_info": {"vcs": "git", "commit_id": "c0ffee"},
    }
    assert how_installed(dist_info(tmp_path / "a", git)).command == (
        'pip install "mlops-gitops @ git+https://github.com/acme/mlops-gitops@c0ffee"'
    )
    assert how_installed(dist_info(tmp_path / "b", None)).command == (
        'pip install "mlops-gitops==0.3.1"'
    )


def test_this_checkout_is_installed_editable_so_the_line_says_what_to_change() -> None:
    """The dev environment (`pip install -e .`): the version pin under a comment."""
    line = how_installed()
    assert line.command == f'pip install "mlops-gitops=={metadata.version("mlops-gitops")}"'
    assert line.comment[0].startswith(
        f"mlops-gitops {metadata.version('mlops-gitops')} was installed in editable mode"
    )
