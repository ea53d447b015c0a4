"""One place for the HTTP concerns of every API function: building the resolver, mapping
errors to responses, screening the caller, the path's ids and the body (read once,
safely, before Powertools validates it), Idempotency-Key handling, and the Lambda entry
point with logging, tracing and metrics.

A handler module makes one ``ApiFunction``: its routes read the screened principal
(``api.manager()``, ``api.resident()``) and the function's dependencies (``api.deps()``,
typed, built once per process by the composition root) and make one call each.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any, Generic, TypeVar

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
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

from hoa_billing.api import auth, snapstart
from hoa_billing.api.auth import AdminPrincipal, Caller, ManagerPrincipal, Principal, ResidentPrincipal
from hoa_billing.api.errors import (
    MalformedBody,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationFailed,
    http_status,
)
from hoa_billing.core import errors, json_input
from hoa_billing.core.errors import DomainError, InvalidRequest
from hoa_billing.core.observability import invocation, logger, metrics, tracer
from hoa_billing.core.settings import get_settings
from hoa_billing.data import aws

T = TypeVar("T")
Handler = Callable[..., dict[str, Any]]
JSON_CONTENT_TYPE = "application/json"
RETRY_AFTER_SECONDS = 1


def refusals(*kinds: type[DomainError], idempotent: bool = False) -> dict[str, Any]:
    """The domain refusals a route can answer with, for its OpenAPI description
    (``openapi_extensions=refusals(...)``): the document lists each status's error codes.
    ``idempotent``: the route takes an Idempotency-Key (it runs through ``idempotent``)."""
    return {"x-refusals": sorted(kind.__name__ for kind in kinds), "x-idempotent": idempotent}


def error_response(status: int, code: str, message: str, **details: Any) -> Response[Any]:
    return json_response(status, {"error": {"code": code, "message": message, **details}})


def json_response(
    status: int, body: BaseModel | dict[str, Any], headers: dict[str, str] | None = None
) -> Response[Any]:
    payload = body.model_dump(mode="json") if isinstance(body, BaseModel) else body
    return Response(status_code=status, content_type="application/json", body=payload, headers=headers)


def _field_errors(exc: RequestValidationError) -> list[dict[str, str]]:
    fields = []
    for error in exc.errors():
        location = ".".join(str(part) for part in error.get("loc", ()) if part != "body")
        fields.append({"field": location or "body", "message": str(error.get("msg", "is invalid"))})
    return fields


def _refusal(error: DomainError) -> dict[str, Any]:
    return {
        "statusCode": http_status(error),
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(error.to_body()),
    }


# Ids in paths: what ``new_id``, ``derived_id`` and the schedule's job ids are made of.
_PATH_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")
# What an impossible id in each path parameter is refused as (a 404 of its kind).
PATH_REFUSALS: dict[str, type[errors.NotFound]] = {
    "property_id": errors.PropertyNotFound,
    "invoice_id": errors.InvoiceNotFound,
    "job_id": errors.PublishJobNotFound,
    "resident_id": errors.ResidentNotFound,
}


def _check_path(event: dict[str, Any]) -> None:
    """An id no record can have (100,000 characters, a control character) is not looked
    up: DynamoDB would refuse the key with an error, not an answer."""
    for name, value in (event.get("pathParameters") or {}).items():
        if not isinstance(value, str) or not _PATH_ID.match(value):
            refusal = PATH_REFUSALS.get(name, errors.NotFound)
            raise refusal(f"Nothing has this {name}: ids are 1 to 128 letters, digits, '_', '-', '.' or ':'.")


_JSON_KINDS: dict[type, str] = {
    type(None): "null",
    list: "an array",
    str: "a string",
    bool: "true/false",
    int: "a number",
    float: "a number",
}


def _check_headers(event: dict[str, Any]) -> None:
    """An Idempotency-Key, on any route, is 1 to 128 printable characters: it names a
    stored record, and a route that takes none must not seem to accept a bad one."""
    headers = {str(name).lower(): value for name, value in (event.get("headers") or {}).items()}
    key = headers.get("idempotency-key")
    if key is not None and not (isinstance(key, str) and 1 <= len(key) <= 128 and key.isprintable()):
        raise InvalidRequest("The Idempotency-Key header must be 1 to 128 printable characters.")


def _media_type(event: dict[str, Any]) -> str:
    headers = {str(name).lower(): value for name, value in (event.get("headers") or {}).items()}
    return str(headers.get("content-type") or "").split(";", 1)[0].strip().lower()


def read_body(event: dict[str, Any], *, object_required: bool = True) -> Any:
    """The request body's JSON value, or None when there is none; the one reading of a
    body every route shares, before Powertools parses it for validation.

    A body is JSON sent as ``application/json`` (415 otherwise, a missing Content-Type
    included, since a client that does not say what it sends cannot be sure what it
    asked for), at most ``MAX_BODY_BYTES`` (413), UTF-8 text, nested at most
    ``json_input.MAX_DEPTH`` levels with number literals of at most
    ``json_input.MAX_NUMBER_CHARS`` characters (400 ``invalid_json``), and a JSON object
    (422: every body this API takes is one; ``null`` is not an empty body)."""
    body = event.get("body")
    if body is None or body == "":
        return None
    limit = get_settings().max_body_bytes
    if len(body) > limit:
        raise PayloadTooLarge(f"The request body is larger than {limit} bytes.", limit=limit)
    if _media_type(event) != JSON_CONTENT_TYPE:
        raise UnsupportedMediaType("Send the request body as JSON, with the header Content-Type: application/json.")
    data: str | bytes = str(body)
    if event.get("isBase64Encoded"):
        try:
            data = base64.b64decode(data, validate=True)
        except binascii.Error:
            raise MalformedBody("The request body is not valid JSON (it is not UTF-8 text).") from None
    value = json_input.parse_json(data)
    if object_required and not isinstance(value, dict):
        found = _JSON_KINDS.get(type(value), "another value")
        raise ValidationFailed(
            "The request body must be a JSON object.",
            fields=[{"field": "body", "message": f"must be a JSON object, not {found}"}],
        )
    return value


def _no_stray_fields(app: APIGatewayHttpResolver, next_middleware: NextMiddleware) -> Response[Any]:
    """A route that takes no body fields refuses any it is sent, as the routes with a
    body refuse fields they do not have: nothing a client sends is silently ignored."""
    route = app.context.get("_route")
    body = app.context.get("body")
    if route is not None and not route.dependant.body_params and body:
        raise ValidationFailed(
            "This request takes no body; send none (or {}).",
            fields=[{"field": str(name)[:64], "message": "is not a field of this request"} for name in list(body)[:20]],
        )
    return next_middleware(app)


def create_app(*, signed_body: bool = False) -> APIGatewayHttpResolver:
    # Powertools parses bodies again for validation: with the same safe reader.
    app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=json_input.parse_json)
    if not signed_body:
        app.use(middlewares=[_no_stray_fields])

    @app.exception_handler(DomainError)
    def domain_error(exc: DomainError) -> Response[Any]:
        status = http_status(exc)
        if status >= 500:
            logger.exception("domain error")
        metrics.add_metric(name=f"Refused_{exc.code}", unit="Count", value=1)
        return json_response(status, exc.to_body())

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


# -- the API function ------------------------------------------------------------------


class ApiFunction(Generic[T]):
    """An API function: its resolver, who may call it, and its dependencies.

    ``deps`` builds the function's dependencies once per process (the composition root's
    builder); a test passes its own with ``handler(event, context, deps=...)``.
    ``signed_body``: the route reads the raw bytes its sender signed (Stripe's webhook),
    so the glue checks only that they are readable JSON, and the route the rest.
    """

    def __init__(
        self,
        deps: Callable[[], T],
        caller: Caller,
        *,
        route_callers: dict[str, Caller] | None = None,
        signed_body: bool = False,
    ) -> None:
        self.app = create_app(signed_body=signed_body)
        self.caller = caller
        # A route whose callers differ from the function's (by route key, "POST /properties").
        self.route_callers = route_callers or {}
        self.signed_body = signed_body
        self._build = deps
        self.handler: Handler = self._entry()
        snapstart.prepare(deps)

    # -- what routes read --------------------------------------------------------------

    def deps(self) -> T:
        deps: T = self.app.context["deps"]
        return deps

    def manager(self) -> ManagerPrincipal:
        principal = self.app.context["principal"]
        assert isinstance(principal, ManagerPrincipal), "route of a manager function"
        return principal

    def resident(self) -> ResidentPrincipal:
        principal = self.app.context["principal"]
        assert isinstance(principal, ResidentPrincipal), "route of a resident function"
        return principal

    def admin(self) -> AdminPrincipal:
        principal = self.app.context["principal"]
        assert isinstance(principal, AdminPrincipal), "route of administrators"
        return principal

    def staff(self) -> ManagerPrincipal | AdminPrincipal:
        principal = self.app.context["principal"]
        assert isinstance(principal, ManagerPrincipal | AdminPrincipal), "route of a staff function"
        return principal

    def resource_path(self, path: str) -> str:
        """``path`` (a route's path) as the caller reaches it: behind the stage or base path
        the request came through (``/dev/properties/...``), for Location headers and links."""
        event = self.app.current_event
        prefix = event.raw_path[: len(event.raw_path) - len(event.path)] if event.raw_path.endswith(event.path) else ""
        return prefix + path

    def idempotency_key(self) -> str | None:
        key: str | None = self.app.current_event.headers.get("idempotency-key")
        return key

    def idempotent(
        self,
        principal: ManagerPrincipal | ResidentPrincipal | AdminPrincipal,
        operation: Callable[[], tuple[int, BaseModel]],
        headers: Callable[[dict[str, Any]], dict[str, str]] | None = None,
    ) -> Response[Any]:
        """Run a mutating operation at most once per (Idempotency-Key, principal, route).

        A retry with the same key and body gets the first response; the same key with a
        different body is refused with 422. Failed operations are not remembered, so a
        corrected retry can succeed.
        """

        def call() -> tuple[int, dict[str, Any]]:
            status, body = operation()
            return status, body.model_dump(mode="json")

        event = self.app.current_event
        key = self.idempotency_key()
        if key is None:
            status, body = call()
            return json_response(status, body, headers(body) if headers else None)
        config, run_once = _idempotency()
        config.register_lambda_context(self.app.lambda_context)
        request = {
            "key": key,
            "principal": principal.subject,
            "route": f"{event.http_method} {event.path}",
            "body_sha256": hashlib.sha256((event.body or "").encode()).hexdigest(),
        }
        stored = run_once(request=request, operation=call)
        return json_response(stored["status"], stored["body"], headers(stored["body"]) if headers else None)

    # -- the Lambda entry ----------------------------------------------------------------

    def _entry(self) -> Handler:
        app = self.app

        @tracer.capture_lambda_handler
        @metrics.log_metrics
        def handler(event: dict[str, Any], context: LambdaContext, deps: T | None = None) -> dict[str, Any]:
            request_id = ((event.get("requestContext") or {}).get("requestId")) or None
            with invocation(context, correlation_id=request_id):
                return respond(event, context, deps)

        def respond(event: dict[str, Any], context: LambdaContext, deps: T | None) -> dict[str, Any]:
            # Screened before anything parses the request (Powertools validates the body
            # before a route runs): a stranger learns nothing from validation errors.
            try:
                caller = self.route_callers.get(str(event.get("routeKey")), self.caller)
                principal: Principal = auth.screen(event, caller)
                _check_path(event)
                _check_headers(event)
                body = read_body(event, object_required=not self.signed_body)
            except DomainError as refused:
                return _refusal(refused)
            app.append_context(principal=principal, body=body, deps=deps if deps is not None else self._build())
            return app.resolve(event, context)

        return handler
