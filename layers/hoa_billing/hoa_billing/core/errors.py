"""Domain errors: each refusal a person can act on, with a stable machine code.

No HTTP here: the API glue (``hoa_billing.api.errors``) maps each class to its status in
one table; nothing matches on message text. ``Refused`` is not a domain error: it is how
the data layer reports a conditional write DynamoDB refused, carrying the item as it
stood, and each operation turns it into the domain error that explains why.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base for every refusal the API reports to a caller."""

    code = "domain_error"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def to_body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, **self.details}}


class Refused(Exception):
    """A conditional write was refused; ``current`` is the record as it stood (None if absent)."""

    def __init__(self, current: Any = None) -> None:
        super().__init__("condition refused")
        self.current = current


# -- not found -------------------------------------------------------------------------


class NotFound(DomainError):
    code = "not_found"


class PropertyNotFound(NotFound):
    code = "property_not_found"


class InvoiceNotFound(NotFound):
    code = "invoice_not_found"


class ResidentNotFound(NotFound):
    code = "resident_not_found"


class PublishJobNotFound(NotFound):
    code = "publish_job_not_found"


# -- invalid requests --------------------------------------------------------------------


class InvalidRequest(DomainError):
    code = "invalid_request"


class InvalidCursor(InvalidRequest):
    code = "invalid_cursor"


class ResidentNotInProperty(InvalidRequest):
    code = "resident_not_found"


class DueDateInPast(InvalidRequest):
    code = "due_date_in_past"


class CurrencyMismatch(InvalidRequest):
    code = "currency_mismatch"


class ResidentHasNoEmail(InvalidRequest):
    code = "resident_has_no_email"


class InvalidSignature(DomainError):
    """A webhook whose signature or timestamp does not check out: nothing is changed."""

    code = "invalid_signature"


class MalformedBody(DomainError):
    """The input cannot be read as JSON: not UTF-8 text, not JSON, nested too deep, a
    number literal too long (``core.json_input`` says which)."""

    code = "invalid_json"


class InvalidEvent(DomainError):
    """A correctly signed webhook body that is not a Stripe event (not a JSON object, no
    id or type): nothing is changed."""

    code = "invalid_event"


# -- conflicts (they carry the current status) -------------------------------------------


class Conflict(DomainError):
    code = "conflict"


class InvoiceNotDraft(Conflict):
    code = "invoice_not_draft"


class VersionConflict(Conflict):
    """Someone changed the record since the caller read it: read it again."""

    code = "version_conflict"


class PublishAllRunning(Conflict):
    code = "publish_all_running"


class PropertyExists(Conflict):
    code = "property_exists"


class InvoiceNotVoidable(Conflict):
    code = "invoice_not_voidable"


class InvoiceHasPayments(Conflict):
    code = "invoice_has_payments"


class InvoiceNotPayable(Conflict):
    code = "invoice_not_payable"


class EmailNotResendable(Conflict):
    code = "invoice_not_emailable"


class EmailInProgress(Conflict):
    code = "email_in_progress"


class DraftCountChanged(Conflict):
    code = "draft_count_changed"


class NoDraftsToPublish(Conflict):
    code = "no_drafts"


class EventInProgress(Conflict):
    code = "event_in_progress"


class InvoiceNotPublished(Conflict):
    """A draft has no letter: it is printed once the invoice is published."""

    code = "invoice_not_published"


class LetterNotAvailable(Conflict):
    """A void invoice is not mailed: there is nothing to pay."""

    code = "letter_not_available"


# -- other -------------------------------------------------------------------------------


class TooManyRequests(DomainError):
    code = "too_many_requests"


class EmailResendTooSoon(TooManyRequests):
    code = "email_resend_too_soon"


class PaymentProviderUnavailable(DomainError):
    code = "payment_provider_unavailable"
