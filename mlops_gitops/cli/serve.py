"""``mlops serve`` (a model over HTTP) and ``mlops predict`` (a file of rows, in batch)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from mlops_gitops.cli._common import project_root
from mlops_gitops.serving.options import add_serve_arguments

__all__ = ["register"]


def register(sub: Any) -> None:
    serve = sub.add_parser(
        "serve",
        help="serve a trained model over HTTP (Open Inference Protocol V2, /predict, /metrics)",
    )
    add_serve_arguments(serve)
    serve.set_defaults(handler=_serve)

    predict = sub.add_parser(
        "predict", help="predict every row of a CSV or Parquet file into a Parquet file"
    )
    predict.add_argument(
        "name",
        nargs="?",
        metavar="NAME",
        help="a deployment or experiment whose model to use (or give --model-dir)",
    )
    predict.add_argument("--model-dir", type=Path, metavar="DIR", help="a model folder")
    predict.add_argument(
        "--input", required=True, type=Path, metavar="FILE", help="X.csv or X.parquet"
    )
    predict.add_argument("--output", required=True, type=Path, metavar="FILE", help="Y.parquet")
    predict.add_argument(
        "--chunk-rows",
        type=int,
        default=50_000,
        help="rows read, checked and predicted at a time (default: 50000)",
    )
    predict.add_argument(
        "--passthrough",
        action="append",
        default=[],
        metavar="COLUMN",
        help="copy this input column to the output unchecked (repeatable)",
    )
    predict.add_argument(
        "--backend",
        choices=("auto", "sklearn", "onnx"),
        default="auto",
        help="what runs the model, as for `mlops serve` (default auto: the verified ONNX graph "
        "when training recorded one, else scikit-learn)",
    )
    predict.add_argument("--quiet", action="store_true", help="no progress output")
    predict.set_defaults(handler=_predict)


def _serve(args: argparse.Namespace) -> int:
    from mlops_gitops.serving.server import options_from_args, serve

    serve(options_from_args(args, project_root(args)))
    return 0


def _predict(args: argparse.Namespace) -> int:
    from mlops_gitops.errors import MlopsError
    from mlops_gitops.registry.locate import model_dir_for
    from mlops_gitops.serving.batch import predict_file

    if args.model_dir is None and args.name is None:
        raise MlopsError(
            "mlops predict needs a deployment or experiment NAME, or --model-dir",
            "run `mlops get` to list names",
        )
    model_dir = args.model_dir or model_dir_for(project_root(args), args.name)
    stats = predict_file(
        model_dir,
        args.input,
        args.output,
        chunk_rows=args.chunk_rows,
        progress=not args.quiet,
        passthrough=args.passthrough,
        backend=args.backend,
    )
    for note in stats.notes:
        print(f"note: {note}", file=sys.stderr)
    print(
        f"{stats.rows} rows predicted with {stats.backend} in {stats.seconds:.1f}s "
        f"({stats.rows_per_second:,.0f} rows/s) -> {stats.output}",
        file=sys.stdout,
    )
    return 0
