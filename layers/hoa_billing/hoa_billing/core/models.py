"""Domain models: what an invoice, a resident and a property are, independent of storage."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Model(BaseModel):
    """Base of the package's models (domain, request and response bodies, settings).
    Validators are built on first use, not at import: each function uses a few of these,
    and cold start pays only for those."""

    model_config = ConfigDict(defer_build=True)


class InvoiceStatus(StrEnum):
    DRAFT = "Draft"
    OPEN = "Open"
    OVERDUE = "Overdue"
    PAID = "Paid"
    VOID = "Void"


class ActorKind(StrEnum):
    API = "api"
    SCHEDULE = "schedule"
    STRIPE = "stripe"
    SYSTEM = "system"


class Actor(Model):
    """Who caused a change, and through which door it came in."""

    model_config = ConfigDict(frozen=True)

    kind: ActorKind
    id: str
    name: str | None = None


class EmailStatus(StrEnum):
    NOT_REQUESTED = "not_requested"
    SKIPPED_NO_ADDRESS = "skipped_no_address"
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    BOUNCED = "bounced"


class NoticeKind(StrEnum):
    """A message about a payment, sent through the same outbox as the invoice email."""

    RECEIPT = "receipt"  # a payment succeeded (a card, or a bank payment that settled)
    PAYMENT_FAILED = "payment_failed"  # a bank payment failed; the invoice is payable again


class NoticeStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED_NO_ADDRESS = "skipped_no_address"


class HistoryEntry(Model):
    model_config = ConfigDict(frozen=True)

    at: datetime
    action: str
    actor: Actor
    from_status: InvoiceStatus | None = None
    to_status: InvoiceStatus | None = None
    reason: str | None = None
    details: dict[str, Any] = Field(default_factory=dict)


class LineItem(Model):
    model_config = ConfigDict(frozen=True)

    description: str
    amount: int


class Recipient(Model):
    """Where the publish email goes: captured when the invoice is published."""

    model_config = ConfigDict(frozen=True)

    name: str
    email: str
    # The resident's unit, shown in the email (invoices published before it was kept: none).
    unit: str | None = None


class Property(Model):
    property_id: str
    name: str
    time_zone: str = "America/New_York"
    currency: str = "USD"
    # Who the emails are from, as residents see it: the display name (default: the
    # property's name) and where replies go (the management office).
    sender_name: str | None = None
    reply_to_email: str | None = None

    @property
    def sender_display_name(self) -> str:
        return self.sender_name or self.name


class EmailState(StrEnum):
    """Whether a resident can be emailed now: an address on file that is not bouncing."""

    OK = "ok"
    MISSING = "missing"
    BOUNCING = "bouncing"


class Resident(Model):
    resident_id: str
    property_id: str
    name: str
    unit: str
    email: str | None = None
    email_bouncing: bool = False
    created_at: datetime
    history: list[HistoryEntry] = Field(default_factory=list)
    version: int = 1

    @property
    def can_receive_email(self) -> bool:
        return bool(self.email) and not self.email_bouncing

    @property
    def email_state(self) -> EmailState:
        if not self.email:
            return EmailState.MISSING
        return EmailState.BOUNCING if self.email_bouncing else EmailState.OK

    def recipient(self) -> Recipient | None:
        """Where an email to this resident goes now; None without a usable address."""
        if not self.can_receive_email or self.email is None:
            return None
        return Recipient(name=self.name, email=self.email, unit=self.unit)


class PaymentState(StrEnum):
    """One Stripe payment (keyed by its PaymentIntent) as far as this invoice knows.

    ``attempt_failed``: a card was declined inside Checkout; the resident may still pay.
    ``processing``: a bank debit (ACH) was submitted and takes days; the money is not in yet.
    ``succeeded`` and ``failed`` are final.
    """

    ATTEMPT_FAILED = "attempt_failed"
    PROCESSING = "processing"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class PaymentRecord(Model):
    payment_id: str
    state: PaymentState
    amount: int
    currency: str
    session_id: str | None = None
    failure: dict[str, Any] | None = None
    updated_at: datetime


class Invoice(Model):
    invoice_id: str
    property_id: str
    property_name: str
    time_zone: str
    resident_id: str
    resident_name: str
    number: str
    status: InvoiceStatus
    currency: str
    line_items: list[LineItem]
    amount_due: int
    amount_paid: int = 0
    amount_processing: int = 0
    due_date: date
    memo: str | None = None
    created_at: datetime
    created_by: Actor
    published_at: datetime | None = None
    published_by: Actor | None = None
    email_requested: bool = False
    email_status: EmailStatus = EmailStatus.NOT_REQUESTED
    email_details: dict[str, Any] = Field(default_factory=dict)
    recipient: Recipient | None = None
    publish_id: str | None = None
    # The email request the stream is delivering: the publish, or a later resend.
    email_request_id: str | None = None
    email_requested_at: datetime | None = None
    email_attempts: int = 0
    email_claim_token: str | None = None
    email_claim_at: datetime | None = None
    voided_at: datetime | None = None
    void_reason: str | None = None
    paid_at: datetime | None = None
    needs_attention: bool = False
    # Stripe payments by PaymentIntent id and refunded amounts by charge id. Created empty
    # with the invoice so conditional updates can address ``payments.<id>`` directly.
    payments: dict[str, PaymentRecord] = Field(default_factory=dict)
    refunds: dict[str, int] = Field(default_factory=dict)
    amount_refunded: int = 0
    history: list[HistoryEntry] = Field(default_factory=list)
    version: int = 1

    @property
    def balance(self) -> int:
        return self.amount_due - self.amount_paid


@dataclass(frozen=True)
class DraftRef:
    """What the publish transition needs to know about a draft, however it was found
    (the invoice page, or a Publish All listing): it is part of the write's condition.
    ``amount_due``, when known, is too: the drafts' total moves by exactly that amount."""

    invoice_id: str
    property_id: str
    resident_id: str
    due_date: str
    number: str | None = None  # not part of the condition: what a log line names it by
    amount_due: int | None = field(default=None, kw_only=True)


class InvoiceListing(Model):
    """One row of a property's invoice list: what the Invoices page shows."""

    invoice_id: str
    number: str
    status: InvoiceStatus
    resident_id: str
    resident_name: str
    amount_due: int
    amount_paid: int = 0
    currency: str
    due_date: date
    email_status: EmailStatus = EmailStatus.NOT_REQUESTED


class ResidentInvoiceRow(Model):
    """One row of a resident's invoice list (the portal): the bill at a glance."""

    invoice_id: str
    number: str
    property_name: str
    status: InvoiceStatus
    currency: str
    amount_due: int
    amount_paid: int = 0
    amount_processing: int = 0
    due_date: date

    @property
    def balance(self) -> int:
        return self.amount_due - self.amount_paid


@dataclass(frozen=True)
class DraftAmount:
    """A draft as the Publish All dialog counts it."""

    resident_id: str
    amount_due: int


@dataclass
class StatusTotals:
    """What the Invoices page's counts and "Publish All (N)" button show. (The invoices
    published without an address are a listing of their own: ``InvoiceListings.page``
    with ``email=skipped_no_address``.)"""

    counts: dict[InvoiceStatus, int]
    draft_total: int


@dataclass(frozen=True)
class DueInvoice:
    """An Open invoice the overdue sweep may move: where it is and when it was due."""

    invoice_id: str
    property_id: str
    due_date: str
    time_zone: str


class Notice(Model):
    """A receipt or failed-payment notice and its delivery: queued with the payment,
    claimed, then sent, failed or skipped (no usable address)."""

    invoice_id: str
    notice_id: str
    kind: NoticeKind
    property_id: str
    resident_id: str
    payment_id: str
    amount: int
    currency: str
    balance_after: int
    created_at: datetime
    status: NoticeStatus = NoticeStatus.QUEUED
    attempts: int = 0
    claim_token: str | None = None
    claim_at: datetime | None = None
    to: str | None = None
    message_id: str | None = None
    sent_at: datetime | None = None
    reason: str | None = None
    last_error: str | None = None
