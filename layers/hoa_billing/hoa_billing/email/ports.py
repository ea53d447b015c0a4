"""What the email feature asks of storage and of the mail service."""

from __future__ import annotations

from typing import Any, Protocol

from hoa_billing.core.changes import EmailClaim, EmailDelivery, EmailOutcome, Resend
from hoa_billing.core.models import HistoryEntry, Invoice, Resident
from hoa_billing.email.message import EmailMessage


class EmailOutbox(Protocol):
    """The invoice row as the email's outbox. Writes are conditional and raise
    ``errors.Refused`` (carrying the invoice as it stood) when their condition fails."""

    def get(self, invoice_id: str) -> Invoice | None: ...

    def delivery_of(self, stream_record: dict[str, Any]) -> EmailDelivery:
        """What one stream record of the outbox (as Lambda delivers it) asks for."""
        ...

    def claim_email(self, invoice_id: str, claim: EmailClaim, seen: Invoice | None = None) -> Invoice: ...

    def release_email(self, invoice_id: str, token: str, details: dict[str, Any]) -> None: ...

    def record_email_outcome(self, invoice_id: str, outcome: EmailOutcome) -> None: ...

    def cancel_email(self, invoice_id: str, request_id: str, details: dict[str, Any], entry: HistoryEntry) -> None: ...

    def queue_resend(self, property_id: str, invoice_id: str, resend: Resend) -> Invoice: ...

    def record_bounce(self, invoice_id: str, message_id: str, details: dict[str, Any], entry: HistoryEntry) -> None: ...


class AddressBook(Protocol):
    def get_resident(self, property_id: str, resident_id: str) -> Resident | None: ...

    def mark_address_bouncing(self, property_id: str, resident_id: str, address: str) -> bool: ...


class EmailSender(Protocol):
    def send(self, message: EmailMessage) -> str:
        """Hand the message to the mail service; return its message id. Raises
        ``RetryLater`` or ``Rejected``."""
        ...
