"""The HTTP application: routes of the Open Inference Protocol (V2), ``/predict`` and metrics.

Routes::

    GET  /v2                              server metadata
    GET  /v2/health/live, /v2/health/ready
    GET  /v2/models/{name}                model metadata: inputs (one per column), outputs
    GET  /v2/models/{name}/ready
    POST /v2/models/{name}/infer          V2 inference (named inputs or one [n, n_features] tensor)
    GET  /v2/models/{name}/versions/{version}          the same three, for the version served
    GET  /v2/models/{name}/versions/{version}/ready    (the registry version, e.g. v0.1.0, or
    POST /v2/models/{name}/versions/{version}/infer    the content hash); another version: 404
    POST /v2/models/{name}/feedback       true labels: {"labels": [{"request_id", "label"}, ...]}
    POST /predict                         {"instances": [...]} or {"dataframe_split": {...}}
    POST /predict/batch                   a CSV or Parquet file: multipart part "file", or the body
                                          (text/csv or application/vnd.apache.parquet)
    GET  /metrics                         Prometheus text exposition

Status codes: 400 for every bad input, whether the body is malformed (not JSON, wrong shape) or
its data does not fit the model's schema (missing or unknown column, wrong type, out of range,
not allowed, null where not nullable): the message names each column and row. 404 for a model
that is not served here, 409 for feedback when the request log is off, 503 for feedback when
the label queue is full or the request log cannot be read to check the ids (retry), 413 for a
body over the limit (or a batch upload that decodes to more rows or bytes than allowed), 415 for
a batch upload of another format. Errors are ``{"error": "...", "request_id": "..."}``. Every
response carries ``X-Request-ID``; bodies carry it as ``id`` (V2) or ``request_id``. The health
routes carry ``X-Mlops-Instance-Id``, the id the server was started with, so a runtime can prove
its own process answers.
"""

from __future__ import annotations

import hmac
import logging
import pathlib
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import orjson
from fastapi import FastAPI, Path, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

from mlops_gitops import __version__
from mlops_gitops.errors import DataError, MlopsError
from mlops_gitops.io.tables import column_kinds
from mlops_gitops.ml.artifact import load_model
from mlops_gitops.ml.registered import read_registered_version
from mlops_gitops.requestlog.schema import LABEL, REQUEST_ID
from mlops_gitops.requestlog.writer import RequestLogSettings, Sink
from mlops_gitops.serving import openapi
from mlops_gitops.serving.backends import choose_backend
from mlops_gitops.serving.feedback_checks import (
    LogUnreadable,
    check_label_values,
    labels_from_feedback,
)
from mlops_gitops.serving.identity import INSTANCE_HEADER
from mlops_gitops.serving.middleware import (
    ServingMiddleware,
    is_valid_request_id,
    request_id_of,
)
from mlops_gitops.serving.payloads import PayloadError, columns_from_predict_body, parse_json
from mlops_gitops.serving.predictor import Prediction
from mlops_gitops.serving.prometheus import CONTENT_TYPE
from mlops_gitops.serving.service import ModelService, UnknownModel
from mlops_gitops.serving.upload_limits import (
    DEFAULT_UPLOAD_LIMITS,
    UploadLimits,
    UploadTooLarge,
    read_limited_upload,
)
from mlops_gitops.serving.v2 import infer_response, model_metadata, parse_infer_request

__all__ = ["DEFAULT_MAX_BODY_BYTES", "build_app", "create_app"]

DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024
_NUMPY = orjson.OPT_SERIALIZE_NUMPY
_PARQUET_TYPES = frozenset(
    {
        "application/vnd.apache.parquet",
        "application/x-parquet",
        "application/parquet",
        "application/octet-stream",
    }
)
_CSV_TYPES = frozenset({"text/csv", "application/csv"})


def create_app(
    model_dir: pathlib.Path,
    *,
    name: str,
    request_log: RequestLogSettings | None,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    model_version: str | None = None,
    log_sink: Sink | None = None,
    label_sink: Sink | None = None,
    instance_id: str | None = None,
    upload_limits: UploadLimits = DEFAULT_UPLOAD_LIMITS,
    auth_token: str | None = None,
    backend: str = "auto",
) -> FastAPI:
    """Load the model in ``model_dir`` (hash-checked: a changed file raises MlopsError) and
    build its app. ``model_version`` defaults to the registry version the folder was checked out
    as (``registered.json``, see :mod:`mlops_gitops.ml.registered`), else the first 12 hex digits
    of the model file's sha256 (which the metadata's ``parameters.content_hash`` always carries);
    ``instance_id`` is echoed by the health routes (see :mod:`mlops_gitops.serving.identity`).
    ``backend`` (auto, sklearn, onnx) picks what runs it: see serving.backends."""
    pipeline, info = load_model(model_dir)
    choice = choose_backend(pipeline, info, model_dir, backend)
    logging.getLogger(__name__).info("model %s served by %s", name, choice.reason)
    service = ModelService(
        pipeline,
        info,
        name=name,
        version=model_version or read_registered_version(model_dir),
        request_log=request_log,
        log_sink=log_sink,
        label_sink=label_sink,
        backend=choice,
    )
    return build_app(
        service,
        max_body_bytes=max_body_bytes,
        instance_id=instance_id,
        upload_limits=upload_limits,
        auth_token=auth_token,
    )


def _json(data: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(data, option=_NUMPY), status, media_type="application/json")


def _error(request: Request, status: int, message: str) -> Response:
    return _json({"error": message, "request_id": request_id_of(request.scope)}, status)


def build_app(
    service: ModelService,
    *,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    instance_id: str | None = None,
    upload_limits: UploadLimits = DEFAULT_UPLOAD_LIMITS,
    auth_token: str | None = None,
) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        service.start()
        try:
            yield
        finally:
            await run_in_threadpool(service.close)

    app = FastAPI(
        title=f"mlops-gitops: {service.name}",
        version=__version__,
        description=__doc__,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.service = service
    app.state.auth_token = auth_token
    app.add_middleware(ServingMiddleware, max_body_bytes=max_body_bytes, metrics=service.metrics)
    _add_error_handlers(app)
    _add_v2_routes(app, service, instance_id, upload_limits)
    _add_predict_routes(app, service, upload_limits)

    _publish_what_the_server_answers(app, protected=auth_token is not None)

    @app.get("/metrics", response_class=Response, tags=["monitoring"])
    async def metrics() -> Response:
        return Response(service.metrics.render(), media_type=CONTENT_TYPE)

    return app


_PROTECTED_PATHS = (
    "/predict",
    "/predict/batch",
    "/v2/models/{model_name}/infer",
    "/v2/models/{model_name}/feedback",
)


def _publish_what_the_server_answers(app: FastAPI, *, protected: bool) -> None:
    """The OpenAPI schema lists the statuses the server sends: not FastAPI's 422 (the error
    handlers answer 400), and 401 on the guarded routes when a token is required."""
    from fastapi.openapi.utils import get_openapi

    def schema() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            for path, operations in document.get("paths", {}).items():
                for operation in operations.values():
                    responses = operation.get("responses", {})
                    responses.pop("422", None)
                    if protected and path in _PROTECTED_PATHS:
                        responses["401"] = openapi.UNAUTHORIZED
            document.get("components", {}).get("schemas", {}).pop("HTTPValidationError", None)
            document.get("components", {}).get("schemas", {}).pop("ValidationError", None)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = schema  # type: ignore[method-assign]


def _add_error_handlers(app: FastAPI) -> None:
    async def bad_input(request: Request, error: Exception) -> Response:
        assert isinstance(error, DataError)
        body: dict[str, Any] = {"error": error.message, "request_id": request_id_of(request.scope)}
        problems = getattr(error, "problems", None)
        if problems:
            body["problems"] = [{"column": p.column, "message": p.message} for p in problems]
        return _json(body, 400)

    async def unauthorized(request: Request, error: Exception) -> Response:
        assert isinstance(error, Unauthorized)
        response = _error(request, 401, error.message)
        response.headers["WWW-Authenticate"] = 'Bearer realm="mlops-gitops"'
        return response

    async def unsupported(request: Request, error: Exception) -> Response:
        assert isinstance(error, UnsupportedMediaType)
        return _error(request, 415, error.message)

    async def too_large(request: Request, error: Exception) -> Response:
        assert isinstance(error, UploadTooLarge)
        return _error(request, 413, error.message)

    async def log_unreadable(request: Request, error: Exception) -> Response:
        assert isinstance(error, LogUnreadable)
        response = _error(request, 503, f"{error.message}; {error.hint}")
        response.headers["Retry-After"] = "5"
        return response

    async def unknown_model(request: Request, error: Exception) -> Response:
        assert isinstance(error, MlopsError)
        return _error(request, 404, error.message)

    async def http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, HTTPException)
        status = 400 if error.status_code == 422 else error.status_code
        response = _error(request, status, str(error.detail))
        for name, value in (error.headers or {}).items():
            response.headers[name] = value  # Allow on a 405, say
        return response

    async def invalid_request(request: Request, error: Exception) -> Response:
        assert isinstance(error, RequestValidationError)
        return _error(request, 400, f"invalid request: {error.errors()}")

    app.add_exception_handler(DataError, bad_input)
    app.add_exception_handler(UploadTooLarge, too_large)
    app.add_exception_handler(Unauthorized, unauthorized)
    app.add_exception_handler(UnsupportedMediaType, unsupported)
    app.add_exception_handler(UnknownModel, unknown_model)
    app.add_exception_handler(LogUnreadable, log_unreadable)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid_request)


def _add_v2_routes(
    app: FastAPI, service: ModelService, instance_id: str | None, limits: UploadLimits
) -> None:
    features = service.info.features
    errors = openapi.ERROR_RESPONSES
    has_proba = service.predictor.has_proba
    metadata = model_metadata(
        service.name,
        service.version,
        service.info,
        service.classes,
        service.backend,
        content_hash=service.content_hash,
    )
    # Documents the one name served here (so generated clients and tests use it); others get 404.
    served_name: Any = Path(json_schema_extra={"enum": [service.name]})
    served_version: Any = Path(json_schema_extra={"enum": [service.version]})

    @app.get("/v2", tags=["v2"])
    async def server_metadata() -> Response:
        return _json({"name": "mlops-gitops", "version": __version__, "extensions": []})

    # The health routes say which process answers, so a runtime never mistakes another for it.
    identity = {} if instance_id is None else {INSTANCE_HEADER: instance_id}

    @app.get("/v2/health/live", tags=["v2"])
    async def live() -> Response:
        return Response(b'{"live":true}', 200, identity, "application/json")

    @app.get("/v2/health/ready", tags=["v2"])
    async def ready() -> Response:
        return Response(b'{"ready":true}', 200, identity, "application/json")

    @app.get("/v2/models/{model_name}", tags=["v2"], responses=errors)
    async def model(model_name: str = served_name) -> Response:
        service.check_name(model_name)
        return _json(metadata)

    @app.get("/v2/models/{model_name}/ready", tags=["v2"], responses=errors)
    async def model_ready(model_name: str = served_name) -> Response:
        service.check_name(model_name)
        return _json({"name": service.name, "ready": True})

    @app.post(
        "/v2/models/{model_name}/infer",
        tags=["v2"],
        responses=errors,
        openapi_extra=openapi.infer_body(features),
    )
    async def infer(request: Request, model_name: str = served_name) -> Response:
        require_token(request)
        service.check_name(model_name)
        return await _infer(request)

    @app.get("/v2/models/{model_name}/versions/{version}", tags=["v2"], responses=errors)
    async def model_version(
        version: str = served_version, model_name: str = served_name
    ) -> Response:
        service.check_version(model_name, version)
        return _json(metadata)

    @app.get("/v2/models/{model_name}/versions/{version}/ready", tags=["v2"], responses=errors)
    async def model_version_ready(
        version: str = served_version, model_name: str = served_name
    ) -> Response:
        service.check_version(model_name, version)
        return _json({"name": service.name, "version": service.version, "ready": True})

    @app.post(
        "/v2/models/{model_name}/versions/{version}/infer",
        tags=["v2"],
        responses=errors,
        openapi_extra=openapi.infer_body(features),
    )
    async def infer_version(
        request: Request, version: str = served_version, model_name: str = served_name
    ) -> Response:
        require_token(request)
        service.check_version(model_name, version)
        return await _infer(request)

    async def _infer(request: Request) -> Response:
        parsed = parse_infer_request(
            parse_json(await request.body()), service.schema, has_proba=has_proba
        )
        state = request.scope["state"]
        if (
            parsed.id is not None
            and not state["request_id_incoming"]
            and is_valid_request_id(parsed.id)
        ):
            state["request_id"] = parsed.id
        request_id = state["request_id"]
        prediction = service.score(service.schema.check_json(parsed.columns), request_id)
        return _json(
            infer_response(service.name, service.version, request_id, prediction, parsed.outputs)
        )

    label_json = openapi.json_type_of(service.label_type)

    @app.post(
        "/v2/models/{model_name}/feedback",
        tags=["v2"],
        responses={
            **errors,
            409: {"description": "The request log is off."},
            415: {"description": "Not JSON, CSV or Parquet."},
            503: {
                "description": "The label queue is full, or the request log cannot be read "
                "to check the request ids; retry later."
            },
        },
        openapi_extra=openapi.feedback_body(
            label_json, service.classes, service.info.target_min, service.info.target_max
        ),
    )
    async def feedback(request: Request, model_name: str = served_name) -> Response:
        require_token(request)
        service.check_name(model_name)
        if service.request_log is None:
            return _error(
                request,
                409,
                "this server keeps no request log, so it cannot record labels; "
                "start it with --request-log DIR",
            )
        ids, labels = await _feedback_labels(request, service, limits)
        check_label_values(labels, service.info, service.classes)
        await service.served_check.check(ids)
        assert service.labels is not None  # kept with the request log
        if not service.labels.submit(ids, labels, time.time_ns() // 1000):
            response = _error(
                request,
                503,
                "the label writer's queue is full (the store is slow or failing); "
                "retry the same labels later",
            )
            response.headers["Retry-After"] = "1"
            return response
        # Written with the next batch: within --log-flush-seconds (and on shutdown).
        return _json({"request_id": request_id_of(request.scope), "recorded": len(ids)})


def _predict_payload(service: ModelService, request_id: str, prediction: Prediction) -> Any:
    body: dict[str, Any] = {
        "request_id": request_id,
        "model_name": service.name,
        "model_version": service.version,
        "predictions": prediction.labels.tolist(),
    }
    if prediction.probabilities is not None:
        body["classes"] = list(service.classes)
        body["probabilities"] = prediction.probabilities
    return body


def _add_predict_routes(app: FastAPI, service: ModelService, limits: UploadLimits) -> None:
    features = service.info.features
    errors = openapi.ERROR_RESPONSES
    column_types = column_kinds(features)

    @app.post(
        "/predict", tags=["predict"], responses=errors, openapi_extra=openapi.predict_body(features)
    )
    async def predict(request: Request) -> Response:
        require_token(request)
        columns = columns_from_predict_body(parse_json(await request.body()), service.schema)
        request_id = request_id_of(request.scope)
        prediction = service.score(service.schema.check_json(columns), request_id)
        return _json(_predict_payload(service, request_id, prediction))

    @app.post(
        "/predict/batch",
        tags=["predict"],
        responses={**errors, 415: {"description": "Not CSV or Parquet."}},
        openapi_extra=openapi.batch_body(),
    )
    async def predict_batch(request: Request) -> Response:
        require_token(request)
        data, fmt = await _upload(request)
        if fmt is None:
            return _error(
                request,
                415,
                "send a CSV or Parquet file: multipart/form-data with a 'file' "
                "part, or a body with Content-Type text/csv or application/vnd.apache.parquet",
            )
        table = await run_in_threadpool(read_limited_upload, data, fmt, column_types, limits)
        if table.num_rows == 0:
            raise PayloadError("the uploaded file has no rows")
        request_id = request_id_of(request.scope)
        columns = service.schema.check_arrow(table)
        prediction = await run_in_threadpool(service.predictor.predict, columns)
        service.record(request_id, columns, prediction)
        return _json(_predict_payload(service, request_id, prediction))


async def _feedback_labels(
    request: Request, service: ModelService, limits: UploadLimits
) -> tuple[list[str], list[Any]]:
    """Labels from a JSON body, or from a CSV or Parquet body with request_id and label
    columns. Any other Content-Type is 415: text/plain (which a web page may post cross-origin
    without a preflight) never records a label."""
    content_type = _media_type(request)
    if content_type == "application/json":
        return labels_from_feedback(parse_json(await request.body()), service.label_type)
    fmt = (
        "csv"
        if content_type in _CSV_TYPES
        else "parquet"
        if content_type in _PARQUET_TYPES
        else None
    )
    if fmt is None:
        raise UnsupportedMediaType(
            'send labels as application/json ({"labels": [...]}), or as a text/csv or '
            "application/vnd.apache.parquet body with request_id and label columns; "
            f"got Content-Type {content_type or '(none)'!r}"
        )
    table = await run_in_threadpool(
        read_limited_upload, await request.body(), fmt, {REQUEST_ID: "string"}, limits
    )
    missing = [c for c in (REQUEST_ID, LABEL) if c not in table.column_names]
    if missing:
        raise PayloadError(f"the labels file has no column {', '.join(map(repr, missing))}")
    rows = [
        {REQUEST_ID: r, LABEL: v}
        for r, v in zip(
            table.column(REQUEST_ID).to_pylist(), table.column(LABEL).to_pylist(), strict=True
        )
    ]
    return labels_from_feedback({"labels": rows}, service.label_type)


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


class Unauthorized(MlopsError):
    """No or a wrong bearer token (HTTP 401)."""


class UnsupportedMediaType(MlopsError):
    """A body of a Content-Type the route does not take (HTTP 415)."""


def require_token(request: Request) -> None:
    """When the server has a token, the request must carry it as ``Authorization: Bearer``."""
    expected: str | None = request.app.state.auth_token
    if expected is None:
        return
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given:
        raise Unauthorized("this route needs `Authorization: Bearer <token>`")
    if not hmac.compare_digest(given.strip().encode(), expected.encode()):
        raise Unauthorized("the bearer token is not valid")


async def _upload(request: Request) -> tuple[bytes, str | None]:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        async with request.form(max_files=1, max_fields=8) as form:
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise PayloadError("the multipart body has no file part named 'file'")
            data = await upload.read()
            name = (upload.filename or "").lower()
            part_type = (upload.content_type or "").lower()
        if name.endswith((".parquet", ".pq")) or part_type in _PARQUET_TYPES - {
            "application/octet-stream"
        }:
            return data, "parquet"
        if name.endswith(".csv") or part_type in _CSV_TYPES:
            return data, "csv"
        return data, "parquet" if data.startswith(b"PAR1") else "csv"
    if content_type in _CSV_TYPES:
        return await request.body(), "csv"
    if content_type in _PARQUET_TYPES:
        return await request.body(), "parquet"
    return b"", None
