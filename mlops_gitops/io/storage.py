"""Storage locations: a local folder or an object-store URI (``s3://``, ``gs://``, ``az://``, ...).

What the loop shares across machines (request logs, labels) lives at a :class:`Location`. A local
path is used directly (atomic writes through a temporary file and ``os.replace``); any other URI
goes through fsspec: s3fs for ``s3://`` (a dependency), gcsfs for ``gs://`` and adlfs for
``az://``/``abfs://`` when they are installed.

Credentials never appear here: s3fs (botocore) reads the standard variables
(``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, ``AWS_SESSION_TOKEN``, ``AWS_ENDPOINT_URL`` for
MinIO or any S3-compatible store, ``AWS_PROFILE``, instance and pod identities). The names a
runtime passes on to a server are :data:`CREDENTIAL_ENV`; their values are never printed, logged
or written to a file by this project. A URI shown in a message goes through :func:`redact`.

Writes are atomic: an object store shows an object only once its upload completed (one PUT, or
a multipart upload completed in one call), and a local file is written under a hidden temporary
name and renamed. A reader therefore sees a file complete or not at all.

fsspec and its drivers are imported on first use, never at module import (CLI start-up).
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from mlops_gitops.errors import MlopsError

if TYPE_CHECKING:
    from fsspec import AbstractFileSystem

__all__ = [
    "CREDENTIAL_ENV",
    "Location",
    "StorageError",
    "credential_environment",
    "is_remote",
    "location",
    "redact",
]

# Environment variables a server (or a CI job) may need to reach object storage. Runtimes pass
# these by name from the deploying environment or a Kubernetes Secret, never their values into a
# file or an image.
CREDENTIAL_ENV = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_S3",
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "GOOGLE_APPLICATION_CREDENTIALS",
    "AZURE_STORAGE_CONNECTION_STRING",
    "AZURE_STORAGE_ACCOUNT_NAME",
    "AZURE_STORAGE_ACCOUNT_KEY",
    "AZURE_STORAGE_SAS_TOKEN",
)
READ_BATCH = 16
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_USERINFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)[^/@]*@")
_DRIVERS = {"s3": "s3fs", "s3a": "s3fs", "gs": "gcsfs", "gcs": "gcsfs", "az": "adlfs"}
_DRIVERS |= {"abfs": "adlfs", "abfss": "adlfs"}


class StorageError(MlopsError):
    """A storage location could not be reached, listed, read or written."""


def is_remote(uri: str | Path) -> bool:
    """Whether ``uri`` names an object store (``scheme://...``, other than ``file://``)."""
    match = _SCHEME.match(str(uri))
    return match is not None and match.group(1).lower() != "file"


def redact(uri: str) -> str:
    """``uri`` without any ``user:password@`` part, for messages and reports."""
    return _USERINFO.sub(r"\1***@", uri)


def credential_environment(environ: dict[str, str] | None = None) -> dict[str, str]:
    """The :data:`CREDENTIAL_ENV` variables set in ``environ`` (default: this process's)."""
    source = os.environ if environ is None else environ
    return {name: source[name] for name in CREDENTIAL_ENV if source.get(name)}


@dataclass(frozen=True)
class Location:
    """A folder: an absolute local path, or an object-store URI without a trailing slash."""

    uri: str

    @property
    def remote(self) -> bool:
        return is_remote(self.uri)

    @property
    def protocol(self) -> str:
        match = _SCHEME.match(self.uri)
        return match.group(1).lower() if match else "file"

    def __str__(self) -> str:
        return redact(self.uri)

    def shown(self, root: Path | None = None) -> str:
        """For a person: a local folder relative to ``root`` when inside it, a URI redacted."""
        if not self.remote and root is not None and Path(self.uri).is_relative_to(root):
            return str(Path(self.uri).relative_to(root))
        return str(self)

    def child(self, *parts: str) -> Location:
        """The location ``parts`` below this one (``/``-separated, whatever the platform)."""
        for part in parts:
            if not part or part in (".", "..") or "\\" in part:
                raise StorageError(f"{part!r} cannot be part of a storage path")
        if self.remote:
            return Location("/".join([self.uri.rstrip("/"), *parts]))
        return Location(str(Path(self.uri).joinpath(*parts)))

    def relative(self, path: str) -> str:
        """``path`` (as :meth:`find` returns it) relative to this location, ``/``-separated."""
        base = self._fs_path().rstrip("/")
        return PurePosixPath(path).relative_to(base).as_posix()

    # -- reading -------------------------------------------------------------------------------

    def find(self, suffix: str = "") -> list[str]:
        """Every file below this location whose name ends in ``suffix`` and does not start with
        ``.`` (temporary files), sorted; ``[]`` when the location does not exist. Paths are
        local paths or the store's own paths (``bucket/key``)."""
        if not self.remote:
            root = Path(self.uri)
            if not root.is_dir():
                return []
            return sorted(
                str(p)
                for p in root.rglob(f"*{suffix}")
                if not p.name.startswith(".") and p.is_file()
            )
        fs = self.filesystem()
        base = self._fs_path()
        try:
            found = fs.find(base)
        except FileNotFoundError:
            return []
        except Exception as error:  # driver errors: credentials, endpoint, bucket
            raise self._error("list", error) from None
        return sorted(
            p for p in found if p.endswith(suffix) and not PurePosixPath(p).name.startswith(".")
        )

    def exists(self) -> bool:
        if not self.remote:
            return Path(self.uri).exists()
        try:
            return bool(self.filesystem().exists(self._fs_path()))
        except Exception as error:
            raise self._error("reach", error) from None

    def read_many(self, paths: Iterable[str]) -> dict[str, bytes]:
        """The bytes of each path (from :meth:`find`), fetched concurrently from a store."""
        paths = list(paths)
        if not paths:
            return {}
        if not self.remote:
            return {path: Path(path).read_bytes() for path in paths}
        try:
            # At most READ_BATCH requests at once: a store (or a proxy) that gets hundreds of
            # connections at the same moment can stall them all.
            data = self.filesystem().cat(paths, on_error="raise", batch_size=READ_BATCH)
        except Exception as error:
            raise self._error("read", error) from None
        if not isinstance(data, dict):  # one path: fsspec returns the bytes themselves
            return {paths[0]: data}
        return {path: data[path] for path in paths}

    # -- writing -------------------------------------------------------------------------------

    def write_bytes(self, name: str, data: bytes) -> str:
        """Write ``data`` to ``name`` (a ``/``-separated path below this location) atomically;
        return the written path."""
        target = self.child(*name.split("/"))
        if target.remote:
            try:
                target.filesystem().pipe_file(target._fs_path(), data)
            except Exception as error:
                raise target._error("write", error) from None
            return target._fs_path()
        path = Path(target.uri)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        return str(path)

    # -- the driver ----------------------------------------------------------------------------

    def filesystem(self) -> AbstractFileSystem:
        """The fsspec filesystem of this location; listings are never cached (other replicas
        write new files all the time)."""
        return _filesystem(self.protocol)

    def _fs_path(self) -> str:
        if not self.remote:
            return self.uri
        return str(self.filesystem()._strip_protocol(self.uri))

    def _error(self, verb: str, error: BaseException) -> StorageError:
        text = redact(str(error)) or type(error).__name__
        return StorageError(
            f"could not {verb} {self}: {type(error).__name__}: {text}",
            "check the URI and the storage credentials in the environment "
            "(for S3: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, and AWS_ENDPOINT_URL for an "
            "S3-compatible store)",
        )


def location(uri: str | Path, root: Path | None = None) -> Location:
    """A :class:`Location` for ``uri``: an object-store URI as given (without a trailing
    ``/``), a ``file://`` URI or a path made absolute (a relative path is taken from ``root``,
    default the current folder)."""
    text = str(uri).strip()
    if not text:
        raise StorageError("a storage location cannot be empty")
    if is_remote(text):
        scheme = text.split("://", 1)[0].lower()
        rest = text.split("://", 1)[1].strip("/")
        if not rest:
            raise StorageError(
                f"{redact(text)} names no bucket or container",
                f"write {scheme}://<bucket>/<prefix>",
            )
        return Location(f"{scheme}://{rest}")
    if text.lower().startswith("file://"):
        text = text[len("file://") :]
    path = Path(text)
    if not path.is_absolute():
        path = (root or Path.cwd()) / path
    return Location(str(path.resolve()))


_FILESYSTEMS: dict[str, Any] = {}


def _filesystem(protocol: str) -> AbstractFileSystem:
    endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    key = f"{protocol} {endpoint}"
    cached = _FILESYSTEMS.get(key)
    if cached is not None:
        return cached
    try:
        import fsspec

        cls = fsspec.get_filesystem_class(protocol)
    except (ImportError, ValueError) as error:
        driver = _DRIVERS.get(protocol)
        raise StorageError(
            f"{protocol}:// storage is not available: {error}",
            f"install {driver} (`pip install {driver}`)"
            if driver
            else "use s3://, gs://, az:// or a local folder",
        ) from None
    options: dict[str, Any] = {"use_listings_cache": False, "skip_instance_cache": True}
    if protocol in ("s3", "s3a") and endpoint:
        # botocore reads AWS_ENDPOINT_URL itself from 1.31; passing it keeps older ones right.
        options["endpoint_url"] = endpoint
    fs = cls(**options)
    _FILESYSTEMS[key] = fs
    return fs
