"""Every way a model folder can be corrupt or tampered with is one message naming the file and
what to run: in the library, and in `mlops serve` and `mlops predict` (exit 1, no traceback)."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from mlops_gitops.errors import MlopsError
from mlops_gitops.ml.artifact import MODEL_FILE, MODEL_INFO_FILE, CorruptModel, load_model
from tests.serving.models import train_classifier

HINT = (
    "retrain it with `dvc repro`, or restore the committed version with `dvc checkout` "
    "(`dvc pull` when it lives in a remote)"
)


@pytest.fixture(scope="module")
def good_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("good") / "churn"
    train_classifier(directory)
    return directory


def _info(directory: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((directory / MODEL_INFO_FILE).read_text())
    return data


def _write_info(directory: Path, data: object) -> None:
    (directory / MODEL_INFO_FILE).write_text(json.dumps(data))


def _rehash(directory: Path) -> None:
    """Tamper consistently: record the hash of the changed model file."""
    info = _info(directory)
    info["sha256"] = hashlib.sha256((directory / MODEL_FILE).read_bytes()).hexdigest()
    _write_info(directory, info)


def empty_info(d: Path) -> None:
    (d / MODEL_INFO_FILE).write_bytes(b"")


def bad_json(d: Path) -> None:
    (d / MODEL_INFO_FILE).write_text('{"experiment": ')


def not_an_object(d: Path) -> None:
    _write_info(d, ["a", "list"])


def extra_key(d: Path) -> None:
    _write_info(d, {**_info(d), "__class__": "os.system"})


def missing_key(d: Path) -> None:
    info = _info(d)
    del info["features"]
    _write_info(d, info)


def wrong_type(d: Path) -> None:
    _write_info(d, {**_info(d), "features": "age,income"})


def bad_feature(d: Path) -> None:
    info = _info(d)
    info["features"] = [{"name": "age", "type": "integer", "shell": "rm -rf /"}]
    _write_info(d, info)


def binary_info(d: Path) -> None:
    (d / MODEL_INFO_FILE).write_bytes(b"\xff\xfe\x00garbage")


def hash_mismatch(d: Path) -> None:
    (d / MODEL_FILE).write_bytes((d / MODEL_FILE).read_bytes() + b"x")


def empty_model(d: Path) -> None:
    (d / MODEL_FILE).write_bytes(b"")
    _rehash(d)


def bad_zip(d: Path) -> None:
    (d / MODEL_FILE).write_bytes(b"PK\x03\x04 this is not a zip file")
    _rehash(d)


def zip_without_schema(d: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("other.txt", "hello")
    (d / MODEL_FILE).write_bytes(buffer.getvalue())
    _rehash(d)


def bad_schema_json(d: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("schema.json", "{not json")
    (d / MODEL_FILE).write_bytes(buffer.getvalue())
    _rehash(d)


def untrusted_type(d: Path) -> None:
    with zipfile.ZipFile(d / MODEL_FILE) as archive:
        files = {n: archive.read(n) for n in archive.namelist()}
    schema = json.loads(files["schema.json"])
    schema["__module__"], schema["__class__"] = "os", "system"
    files["schema.json"] = json.dumps(schema).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    (d / MODEL_FILE).write_bytes(buffer.getvalue())
    _rehash(d)


CASES: list[tuple[Callable[[Path], None], str, str]] = [
    (empty_info, MODEL_INFO_FILE, "it is empty"),
    (
        bad_json,
        MODEL_INFO_FILE,
        "it is not valid JSON (Expecting value: line 1 column 16 (char 15))",
    ),
    (not_an_object, MODEL_INFO_FILE, "the file must be a JSON object"),
    (extra_key, MODEL_INFO_FILE, "unknown field(s) __class__"),
    (missing_key, MODEL_INFO_FILE, "missing field(s) features"),
    (wrong_type, MODEL_INFO_FILE, "field 'features' must be a list"),
    (bad_feature, MODEL_INFO_FILE, "unknown field(s) features[0].shell"),
    (binary_info, MODEL_INFO_FILE, "it is not valid JSON ("),
    (hash_mismatch, MODEL_FILE, "its sha256 is "),
    (empty_model, MODEL_FILE, "it is empty"),
    (bad_zip, MODEL_FILE, "it is not a skops file (BadZipFile: File is not a zip file)"),
    (zip_without_schema, MODEL_FILE, "it is not a skops file (KeyError: "),
    (bad_schema_json, MODEL_FILE, "it is not a skops file (JSONDecodeError: "),
    (untrusted_type, MODEL_FILE, ""),
]
IDS = [case[0].__name__ for case in CASES]


def corrupted(good: Path, tmp_path: Path, damage: Callable[[Path], None]) -> Path:
    directory = tmp_path / "churn"
    directory.mkdir()
    for name in (MODEL_FILE, MODEL_INFO_FILE):
        (directory / name).write_bytes((good / name).read_bytes())
    damage(directory)
    return directory


@pytest.mark.parametrize(("damage", "file", "problem"), CASES, ids=IDS)
def test_one_message_names_the_file_and_what_to_run(
    good_model: Path, tmp_path: Path, damage: Callable[[Path], None], file: str, problem: str
) -> None:
    directory = corrupted(good_model, tmp_path, damage)
    with pytest.raises(MlopsError) as caught:
        load_model(directory)
    error = caught.value
    if damage is untrusted_type:
        assert not isinstance(error, CorruptModel)
        assert error.message == (
            f"model file {directory / MODEL_FILE} holds types that are not trusted: os.system"
        )
        return
    assert isinstance(error, CorruptModel)
    assert error.message.startswith(f"model file {directory / file} cannot be used: {problem}")
    assert error.hint == HINT


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mlops_gitops", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("damage", "file", "problem"),
    [c for c in CASES if c[0] in (bad_json, extra_key, bad_zip, empty_model)],
    ids=["bad_json", "extra_key", "bad_zip", "empty_model"],
)
def test_serve_and_predict_exit_1_with_the_message(
    good_model: Path, tmp_path: Path, damage: Callable[[Path], None], file: str, problem: str
) -> None:
    directory = corrupted(good_model, tmp_path, damage)
    (tmp_path / "x.csv").write_text("age,income,city,member\n30,1.0,oslo,true\n")
    serve = _run(
        "serve", "--model-dir", str(directory), "--name", "churn", "--port", "0", cwd=tmp_path
    )
    predict = _run(
        "predict",
        "--model-dir",
        str(directory),
        "--input",
        "x.csv",
        "--output",
        "y.parquet",
        "--quiet",
        cwd=tmp_path,
    )
    for result in (serve, predict):
        assert result.returncode == 1
        assert "Traceback" not in result.stderr
        assert f"model file {directory / file} cannot be used: {problem}" in result.stderr
        assert HINT in result.stderr
    assert not (tmp_path / "y.parquet").exists()


def test_the_model_json_fields_follow_the_dataclasses() -> None:
    """model.json's field table is derived from ModelInfo and FeatureInfo, not written twice."""
    import dataclasses

    from mlops_gitops.ml.artifact import FeatureInfo, ModelInfo, _json_fields

    info = _json_fields(ModelInfo)
    assert list(info) == [f.name for f in dataclasses.fields(ModelInfo)]
    assert info["experiment"] == ("str", True)
    assert info["features"] == ("list", True)
    assert info["sha256"] == ("str", True)  # has a default, but readers need it
    assert info["params"] == ("dict", False)
    assert info["target_min"] == ("number?", False)
    assert _json_fields(FeatureInfo) == {
        "name": ("str", True),
        "type": ("str", True),
        "nullable": ("bool", False),
        "min": ("number?", False),
        "max": ("number?", False),
        "allowed": ("list?", False),
    }
