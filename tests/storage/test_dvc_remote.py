"""`mlops init --remote s3://...` and DVC's push and pull of data and models through a real S3
server; the credentials stay in the environment, never in a file of the project."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import s3fs

from mlops_gitops.cli import main
from tests.helpers.commands import dvc


def project_files_text(root: Path) -> str:
    return "".join(
        p.read_text(errors="replace")
        for p in root.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(root).parts[:1]
    )


@pytest.mark.slow
def test_init_with_an_s3_remote_pushes_and_pulls_data_and_models(
    tmp_path: Path, s3_bucket: str, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "shop"
    remote = f"{s3_bucket}/dvc"

    assert main(["init", str(root), "--remote", remote]) == 0

    out = capsys.readouterr().out
    assert f"default DVC remote: {remote}\n" in out
    assert f"url = {remote}" in (root / ".dvc" / "config").read_text()
    (root / "data").mkdir()
    (root / "models" / "shop-ridge").mkdir(parents=True)
    data = os.urandom(4096)
    model = os.urandom(2048)
    (root / "data" / "raw.parquet").write_bytes(data)
    (root / "models" / "shop-ridge" / "model.skops").write_bytes(model)
    dvc(root, "add", "-q", "data/raw.parquet", "models/shop-ridge")
    dvc(root, "push", "-q")

    fs = s3fs.S3FileSystem(skip_instance_cache=True, use_listings_cache=False)
    stored = [k for k in fs.find(remote.removeprefix("s3://")) if "/files/md5/" in k]
    assert len(stored) == 3  # the data file, the model file, the model folder's listing

    shutil.rmtree(root / ".dvc" / "cache")
    (root / "data" / "raw.parquet").unlink()
    shutil.rmtree(root / "models" / "shop-ridge")
    dvc(root, "pull", "-q")

    assert (root / "data" / "raw.parquet").read_bytes() == data
    assert (root / "models" / "shop-ridge" / "model.skops").read_bytes() == model
    secret = os.environ["AWS_SECRET_ACCESS_KEY"]
    assert secret not in out
    assert secret not in project_files_text(root)


def test_init_refuses_a_remote_url_with_credentials(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["init", str(tmp_path / "p"), "--remote", "https://me:hunter2@store.example/x"])

    assert code == 1
    err = capsys.readouterr().err
    assert "the remote https://***@store.example/x holds credentials" in err
    assert "hunter2" not in err
    assert not (tmp_path / "p").exists()
