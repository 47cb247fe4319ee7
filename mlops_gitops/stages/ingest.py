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
from typing import Any

from mlops_gitops.errors import StageError
from mlops_gitops.fsutil import atomic_write_bytes
from mlops_gitops.io.outbound import open_url
from mlops_gitops.specs.models import Dataset
from mlops_gitops.stages.context import dataset_settings, write_json

__all__ = ["read_source", "run"]

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


def _read_bytes(data: bytes, fmt: str, origin: str) -> Any:
    import pandas as pd

    try:
        if fmt == "parquet":
            return pd.read_parquet(io.BytesIO(data))
        return pd.read_csv(io.BytesIO(data))
    except Exception as error:  # pandas raises many types for malformed input
        raise StageError(
            f"cannot read {origin} as {fmt}: {error}", "check the file, or set source.format"
        ) from error


def _format_of(location: str, declared: str | None) -> str:
    if declared:
        return declared
    return "parquet" if location.split("?", maxsplit=1)[0].endswith((".parquet", ".pq")) else "csv"


def read_source(root: Path, dataset: Dataset) -> Any:
    """The dataset's rows as a DataFrame; raises StageError naming what cannot be read."""
    source = dataset.data_source
    if source.sklearn is not None:
        return _sklearn_frame(source.sklearn, dataset.target)
    if source.path is not None:
        path = root / source.path
        if Path(source.path).is_absolute() or not path.resolve().is_relative_to(root.resolve()):
            raise StageError(
                f"data path {source.path} points outside the repository",
                "keep data inside the repository; run `mlops apply` so params.yaml matches the "
                "validated specs",
            )
        if not path.is_file():
            raise StageError(
                f"data file {source.path} does not exist",
                "add it (and track it with `dvc add`), or fix source.path in the dataset spec",
            )
        return _read_bytes(path.read_bytes(), _format_of(source.path, source.format), source.path)
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
    return _read_bytes(data, _format_of(url, source.format), url)


def _whole_numbers_as_integers(frame: Any, dataset: Dataset) -> Any:
    """Integer and integer-category columns stored as floats (1.0, 2.0) become int64, so the
    data, the schema's allowed values and what clients send all agree."""
    import pandas as pd

    for column in dataset.columns:
        wants_int = column.type == "integer" or (
            column.type == "category"
            and column.allowed is not None
            and all(type(v) is int for v in column.allowed)
        )
        if not wants_int or column.name not in frame.columns:
            continue
        series = frame[column.name]
        whole = pd.api.types.is_float_dtype(series) and series.notna().all()
        if whole and (series % 1 == 0).all():
            frame[column.name] = series.astype("int64")
    return frame


def run(root: Path, name: str) -> str:
    dataset = dataset_settings(root, name)
    frame = _whole_numbers_as_integers(read_source(root, dataset), dataset)
    out = root / "data" / name
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    payload = buffer.getvalue()
    atomic_write_bytes(out / "raw.parquet", payload)
    write_json(
        out / "ingest.json",
        {
            "rows": len(frame),
            "columns": len(frame.columns),
            "content_sha256": hashlib.sha256(payload).hexdigest(),
            "source": f"{dataset.data_source.kind}:{dataset.data_source.location}",
        },
    )
    return f"{len(frame)} rows, {len(frame.columns)} columns from {dataset.data_source.location}"
