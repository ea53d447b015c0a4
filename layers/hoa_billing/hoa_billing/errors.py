"""Domain errors. Each carries a stable machine code and the HTTP status it maps to.

The HTTP layer maps these in one place (``hoa_billing.api.http``); nothing matches on
message text.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base for every refusal the API reports to a caller."""

    code = "domain_error"
    http_status = 400

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def to_body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, **self.details}}


class Unauthorized(DomainError):
    code = "unauthorized"
    http_status = 401


class Forbidden(DomainError):
    code = "forbidden"
    http_status = 403


class NotFound(DomainError):
    code = "not_found"
    http_status = 404


class PropertyNotFound(NotFound):
    code = "property_not_found"


class InvoiceNotFound(NotFound):
    code = "invoice_not_found"


class ResidentNotFound(NotFound):
    code = "resident_not_found"


class PublishJobNotFound(NotFound):
    code = "publish_job_not_found"


class InvalidRequest(DomainError):
    code = "invalid_request"
    http_status = 422


class MalformedBody(DomainError):
    """The body is not UTF-8 text, so it cannot be JSON."""

    code = "invalid_json"
    http_status = 400


class UnsupportedMediaType(DomainError):
    code = "unsupported_media_type"
    http_status = 415


class ResidentNotInProperty(InvalidRequest):
    code = "resident_not_found"


class DueDateInPast(InvalidRequest):
    code = "due_date_in_past"


class CurrencyMismatch(InvalidRequest):
    code = "currency_mismatch"


class PayloadTooLarge(DomainError):
    code = "payload_too_large"
    http_status = 413


class ResidentHasNoEmail(InvalidRequest):
    code = "resident_has_no_email"


class Conflict(DomainError):
    """A state conflict: 409 carrying the invoice's current status."""

    code = "conflict"
    http_status = 409


class InvoiceNotDraft(Conflict):
    code = "invoice_not_draft"


class InvoiceNotVoidable(Conflict):
    code = "invoice_not_voidable"


class InvoiceHasPayments(Conflict):
    code = "invoice_has_payments"


class InvoiceNotPayable(Conflict):
    code = "invoice_not_payable"


class EmailNotResendable(Conflict):
    code = "invoice_not_emailable"


class DraftCountChanged(Conflict):
    code = "draft_count_changed"


class NoDraftsToPublish(Conflict):
    code = "no_drafts"


class InvalidSignature(DomainError):
    """A webhook whose signature or timestamp does not check out: nothing is changed."""

    code = "invalid_signature"
    http_status = 400


class PaymentProviderUnavailable(DomainError):
    code = "payment_provider_unavailable"
    http_status = 502


class EventInProgress(Conflict):
    code = "event_in_progress"


class TooManyRequests(DomainError):
    code = "too_many_requests"
    http_status = 429
