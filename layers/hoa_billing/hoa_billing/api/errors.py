"""Transport errors and the one table that maps every error to its HTTP status.

The domain's errors say what went wrong in the product's words; which status an HTTP
client sees is decided here, by class, never by message text.
"""

from __future__ import annotations

from hoa_billing.core import errors


class Unauthorized(errors.DomainError):
    code = "unauthorized"


class Forbidden(errors.DomainError):
    code = "forbidden"


# The body cannot be read as JSON; the domain core reads JSON too (webhooks, cursors).
MalformedBody = errors.MalformedBody


class ValidationFailed(errors.InvalidRequest):
    """The body is JSON but not the shape the route takes (not an object, fields it does
    not have). ``fields`` lists ``{"field", "message"}`` as pydantic's refusals do."""

    code = "validation_failed"


class UnsupportedMediaType(errors.DomainError):
    code = "unsupported_media_type"


class PayloadTooLarge(errors.DomainError):
    code = "payload_too_large"


# Most specific first: the first class an error is an instance of decides its status.
STATUSES: tuple[tuple[type[errors.DomainError], int], ...] = (
    (Unauthorized, 401),
    (Forbidden, 403),
    (MalformedBody, 400),
    (UnsupportedMediaType, 415),
    (PayloadTooLarge, 413),
    (errors.InvalidCursor, 400),
    (errors.InvalidSignature, 400),
    (errors.InvalidEvent, 400),
    (errors.NotFound, 404),
    (errors.InvalidRequest, 422),
    (errors.Conflict, 409),
    (errors.TooManyRequests, 429),
    (errors.PaymentProviderUnavailable, 502),
)


def http_status(error: errors.DomainError) -> int:
    for kind, status in STATUSES:
        if isinstance(error, kind):
            return status
    return 400
