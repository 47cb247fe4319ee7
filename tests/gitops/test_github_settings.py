"""The GITHUB_* environment, remote URLs and pull-request refs."""

from __future__ import annotations

import pytest

from mlops_gitops.errors import GitOpsError
from mlops_gitops.gitops.redact import redact
from mlops_gitops.gitops.settings import (
    GitHubSettings,
    pr_number_from_ref,
    repository_from_remote_url,
)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://github.com/octo/demo.git", "octo/demo"),
        ("https://github.com/octo/demo", "octo/demo"),
        ("https://github.com/octo/demo/", "octo/demo"),
        ("https://x-access-token:secret@github.com/octo/demo.git", "octo/demo"),
        ("ssh://git@github.com/octo/my.repo.git", "octo/my.repo"),
        ("git@github.com:octo/demo.git", "octo/demo"),
        ("https://ghe.example.com/team/app.git", "team/app"),
        ("https://gitlab.com/octo/demo.git", None),
        ("/srv/git/demo.git", None),
        ("file:///srv/git/demo.git", None),
        ("https://github.com/octo/demo/extra", None),
        ("C:/repos/demo", None),
    ],
)
def test_repository_from_remote_url(url: str, expected: str | None) -> None:
    assert repository_from_remote_url(url, server_url="https://ghe.example.com") == expected


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("refs/pull/42/merge", 42),
        ("refs/pull/7/head", 7),
        ("refs/heads/main", None),
        ("refs/pull/x/merge", None),
        ("", None),
        (None, None),
    ],
)
def test_pr_number_from_ref(ref: str | None, expected: int | None) -> None:
    assert pr_number_from_ref(ref) == expected


def test_from_env_reads_actions_variables_and_hides_the_token() -> None:
    settings = GitHubSettings.from_env(
        {
            "GITHUB_API_URL": "https://ghe.example.com/api/v3/",
            "GITHUB_SERVER_URL": "https://ghe.example.com/",
            "GITHUB_REPOSITORY": "team/app",
            "GITHUB_TOKEN": "ghs_hidden",
        },
        remote_url="https://github.com/other/repo.git",
    )

    assert settings == GitHubSettings(
        api_url="https://ghe.example.com/api/v3",
        server_url="https://ghe.example.com",
        repository="team/app",
        token="ghs_hidden",
    )
    assert "ghs_hidden" not in repr(settings)
    assert (
        settings.compare_url("main", "a/b") == "https://ghe.example.com/team/app/compare/main...a/b"
    )


def test_from_env_defaults_and_empty_token() -> None:
    settings = GitHubSettings.from_env({"GITHUB_TOKEN": ""}, remote_url="/srv/demo.git")

    assert settings == GitHubSettings()
    assert settings.compare_url("main", "x") is None


def test_a_malformed_repository_is_refused() -> None:
    with pytest.raises(GitOpsError) as caught:
        GitHubSettings.from_env({"GITHUB_REPOSITORY": "just-a-name"})

    assert str(caught.value) == (
        "GITHUB_REPOSITORY must be 'owner/repo'. Got 'just-a-name' instead.\n"
        "hint: set GITHUB_REPOSITORY=owner/repo, or unset it to use the remote's URL"
    )


def test_redact_masks_secrets_and_url_credentials() -> None:
    text = "fatal: https://bot:pa55@host/x.git and ssh://git@host/y and token abc123 twice abc123"

    assert redact(text, ["abc123", None, ""]) == (
        "fatal: https://***@host/x.git and ssh://***@host/y and token *** twice ***"
    )
