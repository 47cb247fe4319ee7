"""Stage ``ingest`` called in-process on a project whose params.yaml the real renderer wrote:
a CSV in the repository, a dataset bundled with scikit-learn, and an https URL with a bearer
token served for real on 127.0.0.1 (allow-listed; refused by default)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import trustme

from mlops_gitops.errors import StageError
from mlops_gitops.io.outbound import ALLOW_ENV
from mlops_gitops.stages import ingest
from tests.helpers.houses import DATASET, dataset_spec, houses, to_csv
from tests.helpers.https_server import FileServer, serving_files, trust
from tests.helpers.stage_project import write_stage_project

TOKEN_ENV = "HOUSES_TOKEN"
TOKEN = "s3cret-token"


@pytest.fixture(autouse=True)
def no_allow_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ALLOW_ENV, raising=False)
    monkeypatch.delenv(TOKEN_ENV, raising=False)


@pytest.fixture
def ca(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> trustme.CA:
    authority = trustme.CA()
    trust(authority, tmp_path, monkeypatch)
    return authority


@pytest.fixture
def data_server(ca: trustme.CA) -> Iterator[FileServer]:
    with serving_files(ca, {"/exports/houses.csv": to_csv(houses(40))}) as server:
        yield server


def url_project(root: Path, url: str) -> None:
    source = f"url: {url}\ntokenEnv: {TOKEN_ENV}"
    write_stage_project(root, {"dataset.yaml": dataset_spec(source)})


def test_a_csv_in_the_repository_becomes_raw_parquet_and_ingest_json(tmp_path: Path) -> None:
    frame = houses(120)
    write_stage_project(tmp_path, {"dataset.yaml": DATASET}, {"data/houses.csv": to_csv(frame)})

    message = ingest.run(tmp_path, "houses")

    assert message == "120 rows, 3 columns from data/houses.csv"
    raw = tmp_path / "data" / "houses" / "raw.parquet"
    table = pq.read_table(raw)
    assert table.column_names == ["rooms", "area", "price"]
    assert [str(t) for t in table.schema.types] == ["int64", "double", "double"]
    assert table.column("rooms").to_pylist() == frame["rooms"].tolist()
    assert json.loads((tmp_path / "data" / "houses" / "ingest.json").read_text()) == {
        "rows": 120,
        "columns": 3,
        "content_sha256": hashlib.sha256(raw.read_bytes()).hexdigest(),
        "source": "path:data/houses.csv",
    }


def test_a_bundled_scikit_learn_dataset_is_read_without_a_download(tmp_path: Path) -> None:
    spec = (
        dataset_spec("sklearn: diabetes")
        .replace("price", "progression")
        .replace("rooms: {type: integer, min: 0}", "age: {type: number}")
        .replace("area: {type: number}", "bmi: {type: number}")
    )
    write_stage_project(tmp_path, {"dataset.yaml": spec})

    assert ingest.run(tmp_path, "houses").startswith("442 rows, 11 columns from ")
    table = pq.read_table(tmp_path / "data" / "houses" / "raw.parquet")
    assert table.column_names[-1] == "progression"
    assert {"age", "bmi", "s5"} <= set(table.column_names)


def test_a_url_is_fetched_over_https_with_the_bearer_token(
    tmp_path: Path, data_server: FileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ALLOW_ENV, "127.0.0.1/32")  # this machine is the "data server"
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    url = data_server.url("/exports/houses.csv")
    url_project(tmp_path, url)

    assert ingest.run(tmp_path, "houses") == f"40 rows, 3 columns from {url}"

    [request] = data_server.received
    assert request.path == "/exports/houses.csv"
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    table = pq.read_table(tmp_path / "data" / "houses" / "raw.parquet")
    assert table.column("price").to_pylist() == houses(40)["price"].tolist()
    recorded = json.loads((tmp_path / "data" / "houses" / "ingest.json").read_text())
    assert recorded["source"] == f"url:{url}"


def test_a_loopback_url_is_refused_by_default_and_nothing_is_sent(
    tmp_path: Path, data_server: FileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    url = data_server.url("/exports/houses.csv")
    # the spec is written while the server is trusted, as a team with the allow-list would
    monkeypatch.setenv(ALLOW_ENV, "127.0.0.1/32")
    url_project(tmp_path, url)
    monkeypatch.delenv(ALLOW_ENV)

    with pytest.raises(StageError) as caught:
        ingest.run(tmp_path, "houses")

    assert data_server.received == []
    assert caught.value.message == (
        "params.yaml and .mlops/specs/ hold settings that `mlops validate` refuses:\n"
        "  params.yaml mlops.dataset.houses: spec.source.url: the url is not fetched: "
        "127.0.0.1 is a loopback address (this machine); a pipeline that runs on pull requests "
        f"must not reach internal addresses (list a trusted server in {ALLOW_ENV})"
    )
    assert not (tmp_path / "data" / "houses" / "raw.parquet").exists()


def test_without_the_token_variable_nothing_is_sent(
    tmp_path: Path, data_server: FileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ALLOW_ENV, "127.0.0.1/32")
    url_project(tmp_path, data_server.url("/exports/houses.csv"))

    with pytest.raises(StageError) as caught:
        ingest.run(tmp_path, "houses")

    assert data_server.received == []
    assert caught.value.message == f"environment variable {TOKEN_ENV} (tokenEnv) is not set"
    assert caught.value.hint == f"export {TOKEN_ENV}=<token> before `dvc repro`"


def test_the_token_does_not_follow_a_redirect_to_another_server(
    tmp_path: Path, ca: trustme.CA, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another port is another origin: the redirect is followed, the token stays behind."""
    monkeypatch.setenv(ALLOW_ENV, "127.0.0.1/32")
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    with serving_files(ca, {"/houses.csv": to_csv(houses(40))}) as mirror:
        moved = {"/exports/houses.csv": mirror.url("/houses.csv")}
        with serving_files(ca, {}, redirects=moved) as origin:
            url_project(tmp_path, origin.url("/exports/houses.csv"))
            assert ingest.run(tmp_path, "houses").startswith("40 rows, 3 columns")

    assert origin.received[0].headers["Authorization"] == f"Bearer {TOKEN}"
    [followed] = mirror.received
    assert followed.path == "/houses.csv"
    assert "Authorization" not in followed.headers


def test_data_that_break_the_schema_stop_ingest_at_the_spec_line(tmp_path: Path) -> None:
    frame = houses(30).drop(columns=["price"])
    write_stage_project(tmp_path, {"dataset.yaml": DATASET}, {"data/houses.csv": to_csv(frame)})

    with pytest.raises(StageError) as caught:
        ingest.run(tmp_path, "houses")

    first, *rest = caught.value.message.splitlines()
    assert first == "the data of dataset 'houses' do not match its schema:"
    assert rest and all(line.startswith("specs/dataset.yaml:") for line in rest)
    assert any("price" in line for line in rest)
    assert not (tmp_path / "data" / "houses" / "raw.parquet").exists()


def test_a_stage_without_params_yaml_says_to_apply(tmp_path: Path) -> None:
    with pytest.raises(StageError) as caught:
        ingest.run(tmp_path, "houses")
    assert (caught.value.message, caught.value.hint) == (
        "params.yaml is missing",
        "run `mlops apply` to render it",
    )
