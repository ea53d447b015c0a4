"""One place for the HTTP concerns of every API function: building the resolver,
mapping errors to responses, the body-size limit, Idempotency-Key handling, and the
Lambda entry point with logging, tracing and metrics."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyValidationError,
)
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from hoa_billing import aws
from hoa_billing.api import auth
from hoa_billing.config import get_settings
from hoa_billing.errors import DomainError, InvalidRequest, MalformedBody, PayloadTooLarge, UnsupportedMediaType
from hoa_billing.observability import logger, metrics, tracer

Handler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]
JSON_CONTENT_TYPE = "application/json"
RETRY_AFTER_SECONDS = 1


def error_response(status: int, code: str, message: str, **details: Any) -> Response[Any]:
    return json_response(status, {"error": {"code": code, "message": message, **details}})


def json_response(status: int, body: BaseModel | dict[str, Any]) -> Response[Any]:
    payload = body.model_dump(mode="json") if isinstance(body, BaseModel) else body
    return Response(status_code=status, content_type="application/json", body=payload)


def _field_errors(exc: RequestValidationError) -> list[dict[str, str]]:
    fields = []
    for error in exc.errors():
        location = ".".join(str(part) for part in error.get("loc", ()) if part != "body")
        fields.append({"field": location or "body", "message": str(error.get("msg", "is invalid"))})
    return fields


def _refusal(error: DomainError) -> dict[str, Any]:
    return {
        "statusCode": error.http_status,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(error.to_body()),
    }


def _screen(event: dict[str, Any], caller: str | None) -> dict[str, Any] | None:
    """Checks made before anything parses the request (Powertools validates the body
    before a route runs): the caller may use this function at all, and the body is not
    oversized. A stranger learns nothing from validation errors."""
    try:
        if caller == "manager":
            auth.manager(event, (event.get("pathParameters") or {}).get("property_id", ""))
        elif caller == "resident":
            auth.resident(event)
        limit = get_settings().max_body_bytes
        if len(event.get("body") or "") > limit:
            raise PayloadTooLarge(f"The request body is larger than {limit} bytes.", limit=limit)
        _require_text_body(event)
    except DomainError as refused:
        return _refusal(refused)
    return None


def _require_text_body(event: dict[str, Any]) -> None:
    """Every route takes JSON: a body declared as anything else (Powertools would parse
    forms and multipart), or one that is not UTF-8 text (API Gateway base64-encodes it),
    is refused here rather than failing deep in the parser."""
    if not event.get("body"):
        return
    headers = {str(name).lower(): value for name, value in (event.get("headers") or {}).items()}
    content_type = str(headers.get("content-type") or "").strip().lower()
    if content_type and not content_type.startswith(JSON_CONTENT_TYPE):
        raise UnsupportedMediaType("Send the request body as application/json.")
    if not event.get("isBase64Encoded"):
        return
    try:
        base64.b64decode(event["body"], validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise MalformedBody("The request body is not valid JSON (it is not UTF-8 text).") from None


def create_app() -> APIGatewayHttpResolver:
    app = APIGatewayHttpResolver(enable_validation=True)

    @app.exception_handler(DomainError)
    def domain_error(exc: DomainError) -> Response[Any]:
        if exc.http_status >= 500:
            logger.exception("domain error")
        metrics.add_metric(name=f"Refused_{exc.code}", unit="Count", value=1)
        return json_response(exc.http_status, exc.to_body())

    @app.exception_handler(RequestValidationError)
    def invalid_request(exc: RequestValidationError) -> Response[Any]:
        if any(error.get("type") == "json_invalid" for error in exc.errors()):
            return error_response(400, "invalid_json", "The request body is not valid JSON.")
        return error_response(
            422, "validation_failed", "Some fields are missing or invalid.", fields=_field_errors(exc)
        )

    @app.exception_handler(RequestUnsupportedContentType)
    def unsupported_media_type(exc: RequestUnsupportedContentType) -> Response[Any]:
        return error_response(415, "unsupported_media_type", "Send the request body as application/json.")

    @app.exception_handler(IdempotencyValidationError)
    def key_reused(exc: IdempotencyValidationError) -> Response[Any]:
        return error_response(
            422,
            "idempotency_key_reused",
            "This Idempotency-Key was already used for a different request. Use a new key.",
        )

    @app.exception_handler(IdempotencyAlreadyInProgressError)
    def in_progress(exc: IdempotencyAlreadyInProgressError) -> Response[Any]:
        return error_response(409, "request_in_progress", "The same request is still being processed. Retry shortly.")

    @app.not_found
    def route_not_found(exc: NotFoundError) -> Response[Any]:
        return error_response(404, "route_not_found", "No such route.")

    @app.exception_handler(Exception)
    def unexpected(exc: Exception) -> Response[Any]:
        if aws.is_transient(exc):
            # Throttled or unavailable after the SDK's retries: nothing was decided, the
            # same request (same Idempotency-Key) can simply be sent again.
            logger.warning("AWS busy or unreachable", exc_info=exc)
            metrics.add_metric(name="ServiceBusy", unit="Count", value=1)
            response = error_response(
                503, "service_busy", "The service is busy right now. Retry the same request in a moment."
            )
            response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
            return response
        logger.exception("unhandled error")
        metrics.add_metric(name="UnhandledError", unit="Count", value=1)
        return error_response(500, "internal_error", "Something went wrong on our side. Try again in a moment.")

    return app


# -- Idempotency-Key -----------------------------------------------------------------


@lru_cache(maxsize=1)
def _idempotency() -> tuple[IdempotencyConfig, Callable[..., dict[str, Any]]]:
    settings = get_settings()
    persistence = DynamoDBPersistenceLayer(table_name=settings.idempotency_table, boto3_client=aws.client("dynamodb"))
    config = IdempotencyConfig(
        event_key_jmespath="[key, principal, route]",
        payload_validation_jmespath="body_sha256",
        expires_after_seconds=settings.idempotency_ttl_seconds,
        raise_on_no_idempotency_key=True,
    )

    @idempotent_function(data_keyword_argument="request", persistence_store=persistence, config=config)
    def run_once(request: dict[str, Any], operation: Callable[[], tuple[int, dict[str, Any]]]) -> dict[str, Any]:
        status, body = operation()
        return {"status": status, "body": body}

    return config, run_once


def idempotent(
    app: APIGatewayHttpResolver, principal: str, operation: Callable[[], tuple[int, BaseModel | dict[str, Any]]]
) -> Response[Any]:
    """Run a mutating operation at most once per (Idempotency-Key, principal, route).

    A retry with the same key and body gets the first response; the same key with a
    different body is refused with 422. Failed operations are not remembered, so a
    corrected retry can succeed.
    """

    def call() -> tuple[int, dict[str, Any]]:
        status, body = operation()
        return status, body.model_dump(mode="json") if isinstance(body, BaseModel) else body

    event = app.current_event
    key = event.headers.get("idempotency-key")
    if key is None:
        status, body = call()
        return json_response(status, body)
    if not 1 <= len(key) <= 128 or not key.isprintable():
        raise InvalidRequest("The Idempotency-Key header must be 1 to 128 printable characters.")
    config, run_once = _idempotency()
    config.register_lambda_context(app.lambda_context)
    request = {
        "key": key,
        "principal": principal,
        "route": f"{event.http_method} {event.path}",
        "body_sha256": hashlib.sha256((event.body or "").encode()).hexdigest(),
    }
    stored = run_once(request=request, operation=call)
    return json_response(stored["status"], stored["body"])


# -- Lambda entry ----------------------------------------------------------------------


def entry(app: APIGatewayHttpResolver, context_factory: Callable[[], dict[str, Any]], *, caller: str | None) -> Handler:
    """The Lambda handler for an API function: the observability stack over ``app.resolve``.

    ``caller`` ("manager", "resident" or None for unauthenticated routes) is screened
    before the request is parsed; routes still take their principal from ``auth``.
    ``context_factory`` builds the dependencies routes read from ``app.context``;
    tests pass their own by calling ``handler(event, context, **overrides)``.
    """

    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP, clear_state=True)
    @tracer.capture_lambda_handler
    @metrics.log_metrics
    def handler(event: dict[str, Any], context: LambdaContext, **overrides: Any) -> dict[str, Any]:
        refused = _screen(event, caller)
        if refused:
            return refused
        app.append_context(**(context_factory() | overrides))
        return app.resolve(event, context)

    return handler
