"""Progress of a long search: a rich bar on a terminal, plain log lines otherwise.

``progress=None`` chooses by whether stderr is a terminal; ``True`` forces the bar; ``False``
gives log lines only (logger ``mlops_gitops.ml.search``, level INFO), which is what a DVC stage
in CI should show.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol

__all__ = ["ProgressReporter", "reporter"]

log = logging.getLogger("mlops_gitops.ml.search")


class ProgressReporter(Protocol):
    def start(self, label: str) -> None: ...

    def done(self, line: str) -> None: ...


class _LogReporter:
    def __init__(self, total: int) -> None:
        self.total = total
        self.count = 0

    def start(self, label: str) -> None:
        log.info("[%d/%d] %s ...", self.count + 1, self.total, label)

    def done(self, line: str) -> None:
        self.count += 1
        log.info("[%d/%d] %s", self.count, self.total, line)


class _RichReporter:
    def __init__(self, bar: Any, task: Any) -> None:
        self.bar = bar
        self.task = task

    def start(self, label: str) -> None:
        self.bar.update(self.task, description=label)

    def done(self, line: str) -> None:
        self.bar.console.print(line, highlight=False, markup=False)
        self.bar.advance(self.task)
        log.debug(line)


@contextmanager
def reporter(total: int, *, progress: bool | None, title: str) -> Iterator[ProgressReporter]:
    """A reporter for ``total`` steps; the bar (if any) is closed on exit."""
    use_bar = sys.stderr.isatty() if progress is None else progress
    if not use_bar:
        log.info("%s: %d candidate(s)", title, total)
        yield _LogReporter(total)
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=False) as bar:
        task = bar.add_task(title, total=total)
        yield _RichReporter(bar, task)
