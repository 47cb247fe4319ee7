"""Stage ``ingest``: a dataset's source -> ``data/<dataset>/raw.parquet`` and ``ingest.json``.

Sources: a dataset bundled with scikit-learn (no download), a CSV or Parquet file inside the
repository, or an https URL (with a bearer token from the environment variable the spec
names), fetched under :mod:`mlops_gitops.io.outbound`'s rules (no internal
addresses). Column names with spaces become underscores, so they work as API input names.
"""

from __future__ import annotations

import hashlib
import io
import os
import urllib.error
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlops_gitops.errors import DataError, StageError
from mlops_gitops.fsutil import atomic_write_bytes
from mlops_gitops.io.outbound import open_url
from mlops_gitops.layout import ProjectLayout
from mlops_gitops.specs.models import Dataset
from mlops_gitops.stages.context import dataset_settings, write_json

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["read_source", "run", "typed_source"]

URL_TIMEOUT_S = 60


def _sklearn_frame(name: str, target: str) -> Any:
    from sklearn import datasets

    loaders: dict[str, Any] = {
        "diabetes": lambda: datasets.load_diabetes(as_frame=True, scaled=False),
        "breast_cancer": lambda: datasets.load_breast_cancer(as_frame=True),
        "wine": lambda: datasets.load_wine(as_frame=True),
        "iris": lambda: datasets.load_iris(as_frame=True),
    }
    if name not in loaders:
        raise StageError(
            f"scikit-learn has no bundled dataset {name!r}", "use one the schema lists"
        )
    bunch = loaders[name]()
    frame = bunch.frame.rename(columns=lambda c: str(c).replace(" ", "_").replace("(cm)", "cm"))
    frame.columns = [c.strip("_").replace("__", "_") for c in frame.columns]
    labels = getattr(bunch, "target_names", None)
    if labels is not None and name != "diabetes":
        frame["target"] = [str(labels[int(i)]) for i in frame["target"]]
    return frame.rename(columns={"target": target})


def _read_bytes(data: bytes, fmt: str, origin: str, dataset: Dataset) -> pa.Table:
    """The file as the one table reader reads it, before typing (schema columns as text)."""
    from mlops_gitops.io.tables import column_kinds, read_raw_bytes

    try:
        return read_raw_bytes(data, fmt, column_kinds(dataset.columns), origin=origin)
    except DataError as error:
        raise StageError(error.message, "check the file, or set source.format") from None


def _format_of(location: str, declared: str | None) -> str:
    if declared:
        return declared
    return "parquet" if location.split("?", maxsplit=1)[0].endswith((".parquet", ".pq")) else "csv"


def read_source(root: Path, dataset: Dataset) -> pa.Table:
    """The dataset's rows as read, before typing by the schema (see :func:`typed_source`);
    raises StageError naming what cannot be read."""
    import pyarrow as pa

    source = dataset.data_source
    if source.sklearn is not None:
        frame = _sklearn_frame(source.sklearn, dataset.target)
        return pa.Table.from_pandas(frame, preserve_index=False)
    if source.path is not None:
        path = root / source.path
        if Path(source.path).is_absolute() or not path.resolve().is_relative_to(root.resolve()):
            raise StageError(
                f"data path {source.path} points outside the repository",
                "keep data inside the repository; run `mlops apply` so .mlops/specs/ matches the "
                "validated specs",
            )
        if not path.is_file():
            raise StageError(
                f"data file {source.path} does not exist",
                "add it (and track it with `dvc add`), or fix source.path in the dataset spec",
            )
        return _read_bytes(
            path.read_bytes(), _format_of(source.path, source.format), source.path, dataset
        )
    url = source.url or ""
    request = urllib.request.Request(url)
    if source.token_env:
        token = os.environ.get(source.token_env)
        if not token:
            raise StageError(
                f"environment variable {source.token_env} (tokenEnv) is not set",
                f"export {source.token_env}=<token> before `dvc repro`",
            )
        # never forwarded on a redirect to another host
        request.add_unredirected_header("Authorization", f"Bearer {token}")
    try:
        with open_url(request, allow_http=source.allow_http, timeout=URL_TIMEOUT_S) as response:
            data = response.read()
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise StageError(
            f"cannot download {url}: {reason}",
            "check the url and the network, or copy the file into the repository",
        ) from error
    return _read_bytes(data, _format_of(url, source.format), url, dataset)


def typed_source(root: Path, dataset: Dataset) -> pa.Table:
    """The dataset's rows typed by its schema (the one table reader's rules), after checking
    the data contract: a column, the target or a type that does not match the schema stops
    here with ``specs/<file>.yaml:LINE:COL:`` messages naming the column."""
    from mlops_gitops.io.tables import column_kinds, conform
    from mlops_gitops.stages.contract import contract_problems, locate

    table = read_source(root, dataset)
    problems = contract_problems(dataset, table)
    if problems:
        lines = "\n".join(str(d) for d in locate(root, dataset, problems))
        raise StageError(
            f"the data of dataset {dataset.name!r} do not match its schema:\n{lines}",
            "fix the data or the dataset spec, then check with `mlops validate --data`",
        )
    return conform(table, column_kinds(dataset.columns), origin=dataset.data_source.location)


def run(root: Path, name: str) -> str:
    import pyarrow.parquet as pq

    dataset = dataset_settings(root, name)
    table = typed_source(root, dataset)
    layout = ProjectLayout(root)
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    payload = buffer.getvalue()
    atomic_write_bytes(layout.raw_data(name), payload)
    write_json(
        layout.ingest_record(name),
        {
            "rows": table.num_rows,
            "columns": table.num_columns,
            "content_sha256": hashlib.sha256(payload).hexdigest(),
            "source": f"{dataset.data_source.kind}:{dataset.data_source.location}",
        },
    )
    location = dataset.data_source.location
    return f"{table.num_rows} rows, {table.num_columns} columns from {location}"
