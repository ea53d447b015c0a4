"""State changes as the domain states them, for the data layer to write.

Each is one conditional write: the data layer decides attribute names, keys, indexes and
the condition's wording; the meaning of each condition is stated here. A refused write
raises ``errors.Refused`` carrying the invoice as it stood.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from hoa_billing.core.models import (
    EmailStatus,
    HistoryEntry,
    Invoice,
    InvoiceStatus,
    LineItem,
    NoticeKind,
    NoticeStatus,
    PaymentRecord,
    PaymentState,
    Recipient,
)


@dataclass(frozen=True)
class Publication:
    """Draft -> Open. Written only if the invoice is still a Draft of that property, for
    that resident and due date (the index entries written agree with the item).
    ``recipient`` is set when the email is requested: the row is the email's outbox."""

    publish_id: str
    at: datetime
    entry: HistoryEntry
    email_status: EmailStatus
    recipient: Recipient | None = None
    # The Publish All job whose chunk counts this publish in the property's counts (with
    # the chunk, once); None: the publish counts itself.
    job_id: str | None = None

    @property
    def email_requested(self) -> bool:
        return self.email_status is EmailStatus.QUEUED


@dataclass(frozen=True)
class DraftEdit:
    """New contents of a Draft, written only if it is still a Draft of that property at
    ``seen_version`` (the version the manager edited)."""

    seen_version: int
    line_items: list[LineItem]
    amount_due: int
    due_date: date
    memo: str | None
    entry: HistoryEntry


@dataclass(frozen=True)
class ResidentChange:
    """New values for a resident's profile (None: unchanged; ``email`` may be cleared with
    ``clear_email``). A changed address clears the bouncing mark."""

    entry: HistoryEntry
    name: str | None = None
    unit: str | None = None
    email: str | None = None
    clear_email: bool = False

    @property
    def email_changes(self) -> bool:
        return self.email is not None or self.clear_email


@dataclass(frozen=True)
class PropertyChange:
    """New settings for a property (None: unchanged; ``clear_reply_to`` removes it)."""

    name: str | None = None
    time_zone: str | None = None
    sender_name: str | None = None
    reply_to_email: str | None = None
    clear_reply_to: bool = False


@dataclass(frozen=True)
class Voiding:
    """Open/Overdue -> Void, only from ``from_status`` (the status the void was decided
    on, which its history entry names) and while nothing was paid or is processing."""

    at: datetime
    reason: str
    entry: HistoryEntry
    from_status: InvoiceStatus


@dataclass(frozen=True)
class NoticeRequest:
    """A receipt or failed-payment notice, queued by the write that applies the payment:
    it exists if and only if the payment was applied. One per payment and kind (a payment
    succeeds once and fails once), so a replayed event cannot queue a second one."""

    kind: NoticeKind
    payment_id: str
    amount: int
    currency: str
    balance_after: int  # what the resident still owes once this change is written
    at: datetime
    event_id: str


@dataclass(frozen=True)
class PaymentChange:
    """One Stripe event applied to one payment record of an invoice.

    Written only if the invoice is still at ``seen_version`` and the record is as the
    plan saw it (absent when ``record`` is new, else in ``seen_state``). ``paid_at``:
    this change pays the invoice in full (Open/Overdue -> Paid)."""

    payment_id: str
    seen_version: int
    entry: HistoryEntry
    at: datetime
    record: PaymentRecord | None = None  # a payment this invoice has not seen yet
    seen_state: PaymentState | None = None
    new_state: PaymentState | None = None
    session_id: str | None = None
    failure: dict[str, Any] | None = None
    paid: int = 0
    processing: int = 0
    attention: str | None = None
    paid_at: datetime | None = None
    notice: NoticeRequest | None = None


@dataclass(frozen=True)
class RefundChange:
    """A refund recorded and flagged; written only if the charge's refunded amount is
    still ``before`` (None: not seen yet)."""

    charge_id: str
    before: int | None
    amount_refunded: int
    entry: HistoryEntry


@dataclass(frozen=True)
class AttentionFlag:
    """An invoice flagged for a person, with the reason in its history, and nothing else
    changed (a Stripe event whose amount is not money). Written if the invoice exists."""

    entry: HistoryEntry


@dataclass(frozen=True)
class EmailClaim:
    """queued -> sending for this email request, by the holder of ``token``.

    Taken when the email is queued for this request, or already being sent under the same
    token (a retried stream record), or under a claim older than ``stale_before``."""

    request_id: str
    token: str
    at: datetime
    stale_before: datetime


@dataclass(frozen=True)
class EmailOutcome:
    """sending -> sent or failed, by the claim's holder only."""

    token: str
    status: EmailStatus
    details: dict[str, Any]
    entry: HistoryEntry
    message_id: str | None = None


@dataclass(frozen=True)
class Resend:
    """Queue an Open/Overdue invoice's email again, to the resident's current address;
    refused while one is queued or being sent, or when the last request is younger than
    ``not_since``."""

    request_id: str
    recipient: Recipient
    at: datetime
    not_since: datetime
    entry: HistoryEntry


@dataclass(frozen=True)
class EmailDelivery:
    """What one stream record asks for: send this request's email for this invoice.

    ``token`` is the stream record's event id (a retry of the same record may retake its
    own claim). ``seen`` is the invoice as the write that queued the email left it, when
    the record carries it: the claim then need not read it back."""

    invoice_id: str
    request_id: str
    token: str
    seen: Invoice | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class EventClaim:
    """The outcome of claiming a Stripe event id for one delivery."""

    won: bool
    done: bool = False  # not won: the event was fully processed before


@dataclass(frozen=True)
class NoticeDelivery:
    """What one stream record of the notices asks for: send this notice. ``token`` is the
    record's event id (and the queue receipt), as for the invoice email."""

    invoice_id: str
    notice_id: str
    token: str


@dataclass(frozen=True)
class NoticeClaim:
    """queued -> sending by the holder of ``token``; or retaken from a claim older than
    ``stale_before`` (or held under the same token)."""

    token: str
    at: datetime
    stale_before: datetime


@dataclass(frozen=True)
class NoticeOutcome:
    """sending -> sent, failed or skipped, by the claim's holder only; ``entry`` goes to the
    invoice's history in the same transaction."""

    token: str
    status: NoticeStatus
    entry: HistoryEntry
    to: str | None = None
    message_id: str | None = None
    reason: str | None = None
