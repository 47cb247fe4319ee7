"""Serving: a trained model behind HTTP, with input checks, metrics and a request log.

Modules (import from them; this package imports nothing heavy, so the CLI stays fast)::

    app            create_app(model_dir, *, name, request_log, ...) -> FastAPI: the routes
    server         ServeOptions, serve(options): run it on uvicorn
    options        the ``serve`` command-line arguments (shared by ``mlops serve`` and
                   ``python -m mlops_gitops.serving serve``)
    service        ModelService: check -> predict -> count -> log, behind every route
    validation     InputSchema: checks against ModelInfo.features, InputError
    payloads, v2   request bodies of /predict and of the Open Inference Protocol
    predictor      Predictor: the pipeline call (one predict_proba for classifiers)
    metrics        Prometheus text exposition
    middleware     request ids, body limit, request counts and latency
    request_log    RequestLogSettings, RequestLogWriter: bounded background Parquet writer
    log_layout     where a deployment's log and labels live (a folder or an object-store URI)
                   and how replicas name their hour-partitioned files
    parquet_files  PartitionedWriter: one replica's atomic, numbered files
    labels         feedback labels: write_labels, import_labels
    batch          predict_file: streaming CSV/Parquet -> Parquet prediction
"""
