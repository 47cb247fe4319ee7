"""Batch prediction: a CSV or Parquet file in, a Parquet file of predictions out, in chunks.

The input is streamed ``chunk_rows`` rows at a time (pyarrow), each chunk is checked with the
same checks as the HTTP routes (an error names the row range, the column and the row), predicted,
and appended to the output with a ParquetWriter, so a file larger than memory works. The output
is written to a temporary file and renamed at the end: a failed run leaves no partial output.

Output columns: the input's columns, then ``prediction`` and, for a classifier,
``probability_<class>`` per class.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from mlops_gitops.errors import DataError
from mlops_gitops.io.tables import Chunk, column_kinds, iter_chunks
from mlops_gitops.ml.artifact import load_model
from mlops_gitops.requestlog.writer import arrow_type_of
from mlops_gitops.serving.backends import choose_backend
from mlops_gitops.serving.predictor import Prediction, Predictor
from mlops_gitops.serving.validation import InputSchema

__all__ = ["BatchStats", "predict_file"]


@dataclass(frozen=True)
class BatchStats:
    rows: int
    chunks: int
    seconds: float
    output: Path
    notes: tuple[str, ...] = ()
    backend: str = "sklearn"

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else float("inf")


def predict_file(
    model_dir: Path,
    input: Path,
    output: Path,
    *,
    chunk_rows: int = 50_000,
    progress: bool = False,
    passthrough: Sequence[str] = (),
    backend: str = "auto",
) -> BatchStats:
    """Predict every row of ``input`` (CSV or Parquet) into ``output`` (Parquet).

    ``passthrough`` names extra input columns (an id, say) copied to the output unchecked.
    ``progress`` shows a rich progress bar on a terminal and plain lines on stderr otherwise.
    ``backend`` (auto, sklearn, onnx) picks what runs the model, as serving does.
    """
    if chunk_rows < 1:
        raise DataError(f"chunk_rows must be at least 1, got {chunk_rows}")
    pipeline, info = load_model(model_dir)
    choice = choose_backend(pipeline, info, model_dir, backend)
    predictor = Predictor(pipeline, info, choice.backend)
    schema = InputSchema(info.features)
    ignored = _ignored_target(input, info.target, schema, passthrough)
    notes = (
        (
            f"the input holds the target column {info.target!r}: ignored (pass "
            f"--passthrough {info.target} to copy it to the output)",
        )
        if ignored
        else ()
    )
    if info.target in passthrough and info.target not in schema.names:
        notes = (f"the target column {info.target!r} is passed through to the output",)
    started = time.perf_counter()
    rows = chunks = 0
    output.parent.mkdir(parents=True, exist_ok=True)
    # a unique temporary name: two runs writing the same output never clobber each other's
    handle, tmp_name = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".tmp", dir=output.parent)
    os.close(handle)
    tmp = Path(tmp_name)
    writer: pq.ParquetWriter | None = None
    try:
        with _reporter(progress, input) as report:
            for chunk in iter_chunks(
                input, chunk_rows=chunk_rows, schema=column_kinds(info.features)
            ):
                table = _predict_chunk(
                    chunk, input, schema, predictor, passthrough, ignored=ignored
                )
                if writer is None:
                    writer = pq.ParquetWriter(tmp, table.schema, compression="zstd")
                writer.write_table(table)
                rows += table.num_rows
                chunks += 1
                report(chunk, rows)
        if writer is None:
            raise DataError(f"{input} has no rows", "predict a file with at least one row")
        writer.close()
        writer = None
        os.replace(tmp, output)
    finally:
        if writer is not None:
            writer.close()
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return BatchStats(
        rows, chunks, time.perf_counter() - started, output, notes, predictor.backend.name
    )


def _ignored_target(
    input: Path, target: str, schema: InputSchema, passthrough: Sequence[str]
) -> tuple[str, ...]:
    """The target column, when the file holds it and it is neither an input nor passed through
    (a file of labelled rows: the model predicts it, so it is dropped, not refused)."""
    if not target or target in schema.names or target in passthrough or not input.is_file():
        return ()
    from mlops_gitops.io.tables import column_names

    return (target,) if target in column_names(input) else ()


def _predict_chunk(
    chunk: Chunk,
    input: Path,
    schema: InputSchema,
    predictor: Predictor,
    passthrough: Sequence[str],
    *,
    ignored: Sequence[str] = (),
) -> pa.Table:
    table = chunk.table.drop_columns(list(ignored)) if ignored else chunk.table
    end = chunk.start + table.num_rows - 1
    context = f"rows {chunk.start}-{end} of {input}: "
    missing = [name for name in passthrough if name not in table.column_names]
    if missing:
        raise DataError(f"{input} has no column {', '.join(map(repr, missing))} to pass through")
    checked = schema.check_arrow(
        table.drop_columns(list(passthrough)), row_offset=chunk.start, context=context
    )
    try:
        prediction = predictor.predict(checked)
    except DataError as error:
        raise DataError(context + error.message, error.hint) from None
    return _with_prediction(table, prediction, predictor.classes)


def _with_prediction(table: pa.Table, prediction: Prediction, classes: tuple[Any, ...]) -> pa.Table:
    labels = prediction.labels
    table = table.append_column("prediction", pa.array(labels, arrow_type_of(labels)))
    if prediction.probabilities is not None:
        for index, label in enumerate(classes):
            table = table.append_column(
                f"probability_{label}", pa.array(prediction.probabilities[:, index])
            )
    return table


@contextlib.contextmanager
def _reporter(progress: bool, input: Path) -> Iterator[Any]:
    if not progress:
        yield lambda chunk, rows: None
        return
    if sys.stderr.isatty():
        from rich.progress import BarColumn, Progress, TaskProgressColumn, TimeRemainingColumn

        columns = (BarColumn(), TaskProgressColumn(), TimeRemainingColumn())
        with Progress("{task.description}", *columns, transient=False) as bar:
            task = bar.add_task(f"predicting {input.name}", total=None)

            def advance(chunk: Chunk, rows: int) -> None:
                bar.update(
                    task,
                    completed=chunk.done,
                    total=chunk.total,
                    description=f"predicting {input.name}: {rows:,} rows",
                )

            yield advance
        return

    def line(chunk: Chunk, rows: int) -> None:
        share = f" ({100 * chunk.done / chunk.total:.0f}%)" if chunk.total else ""
        print(f"predicted rows {chunk.start}-{rows - 1}{share}", file=sys.stderr, flush=True)

    yield line
