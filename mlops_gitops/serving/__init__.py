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
    backends       what runs the model: scikit-learn, or ONNX Runtime on its verified graph
    prometheus     Prometheus metrics (prometheus-client; multiprocess mode with workers)
    prometheus_names  the metric names, shared with the rendered alert rules and dashboard
    middleware     request ids, body limit, request counts and latency
    feedback_checks  which labels the feedback route accepts
    batch          predict_file: streaming CSV/Parquet -> Parquet prediction
    upload_limits  limits on what a batch upload decodes to
    openapi        OpenAPI request bodies built from the model's input schema
    protocol       uvicorn's h11 protocol with a deadline for reading request headers
    identity       the instance id a runtime gives a serving process

The request log's writer lives in :mod:`mlops_gitops.requestlog`, labels in
:mod:`mlops_gitops.labels`: the monitoring side reads what they define.
"""
