"""Files as they were at a git revision, whether git or DVC tracks them.

Rendered pipelines cache every output with DVC (metrics included, so the run-cache can restore a
stage); a person's own stages may commit metrics to git instead (``cache: false``).
In a DVC project :class:`RevisionFiles` reads through
``dvc.api.DVCFileSystem`` (which sees both, fetching from the cache or a remote); in a plain git
repository it reads the commit's tree.
"""

from __future__ import annotations

import contextlib
from pathlib import Path, PurePosixPath
from types import TracebackType
from typing import TYPE_CHECKING, Any

from mlops_gitops.errors import RegistryError

if TYPE_CHECKING:
    import git  # imported where used: importing the registry stays light

__all__ = ["RevisionFiles"]

_SKIP = {".gitignore"}


class RevisionFiles:
    """Read-only view of the project files at ``rev``. Use as a context manager."""

    def __init__(self, repo: git.Repo, rev: str) -> None:
        self.repo = repo
        self.rev = rev
        self.root = Path(str(repo.working_tree_dir))
        self._dvcfs: Any = None
        self.uses_dvc = (self.root / ".dvc").is_dir()

    def __enter__(self) -> RevisionFiles:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._dvcfs is not None:
            with contextlib.suppress(Exception):  # closing is best effort
                self._dvcfs.close()
            self._dvcfs = None

    @property
    def _fs(self) -> Any:
        if self._dvcfs is None:
            from dvc.api import DVCFileSystem

            self._dvcfs = DVCFileSystem(str(self.root), rev=self.rev)
        return self._dvcfs

    def read(self, path: str) -> bytes | None:
        """The bytes of ``path`` (relative to the root, POSIX) at the revision, None if absent."""
        blob = self._git_blob(path)
        if blob is not None:
            data: bytes = blob.data_stream.read()
            return data
        if not self.uses_dvc:
            return None
        try:
            content: bytes = self._fs.cat_file(path)
        except (FileNotFoundError, IsADirectoryError):
            return None
        except Exception as error:  # DVC raises many types when the cache and remote lack it
            raise RegistryError(
                f"cannot read {path} at commit {self.rev[:12]} from the DVC cache: {error}",
                "run `dvc pull` (or `dvc fetch`) so the cache holds that version",
            ) from error
        return content

    def exists(self, path: str) -> bool:
        if self._git_blob(path) is not None:
            return True
        return bool(self.uses_dvc and self._fs.isfile(path))

    def files(self, folder: str) -> list[str]:
        """Every file under ``folder`` at the revision (git- and DVC-tracked), sorted.

        ``.gitignore`` and ``*.dvc`` files are bookkeeping, not model files, and are left out.
        """
        if self.uses_dvc:
            try:
                found = self._fs.find(folder, detail=False)
            except FileNotFoundError:
                found = []
            names = {str(p).lstrip("/") for p in found}
        else:
            import git

            names = set()
            tree = self._git_tree()
            with contextlib.suppress(KeyError):
                for item in (tree / folder).traverse():
                    if isinstance(item, git.Blob):
                        names.add(str(item.path))
        return sorted(
            n for n in names if PurePosixPath(n).name not in _SKIP and not n.endswith(".dvc")
        )

    def dvc_md5(self, path: str) -> str | None:
        """The md5 DVC recorded for ``path`` at the revision; None when DVC does not track it."""
        if not self.uses_dvc:
            return None
        try:
            info = self._fs.info(path)
        except FileNotFoundError:
            return None
        dvc_info = info.get("dvc_info") or {}
        md5 = dvc_info.get("md5")
        return str(md5) if md5 else None

    def _git_tree(self) -> git.Tree:
        return self.repo.commit(self.rev).tree

    def _git_blob(self, path: str) -> git.Blob | None:
        import git

        try:
            item = self._git_tree() / path
        except KeyError:
            return None
        return item if isinstance(item, git.Blob) else None
