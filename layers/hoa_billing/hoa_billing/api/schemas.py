"""API models: exactly what the frontend sends and receives (not the stored item shape)."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    JsonValue,
    StrictBool,
    StrictInt,
    StringConstraints,
)
from pydantic_core import PydanticCustomError

from hoa_billing import invoices
from hoa_billing.core import lifecycle, money, text
from hoa_billing.core.models import (
    EmailState,
    EmailStatus,
    HistoryEntry,
    Invoice,
    InvoiceListing,
    InvoiceStatus,
    LineItem,
    Model,
    PaymentRecord,
    PaymentState,
    Resident,
)
from hoa_billing.core.money import CURRENCY_EXPONENTS, MAX_AMOUNT_MINOR, format_money
from hoa_billing.invoices import DraftChanges, InvoiceDetail, NewInvoice, NewResident, PropertySummary, ResidentEdit

_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


def _iso_date(value: Any) -> date:
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("must be a date written YYYY-MM-DD")
    return date.fromisoformat(value)


def _email(value: Any) -> Any:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > 254 or not _EMAIL.fullmatch(value.strip()):
        raise ValueError("must be a valid email address, like resident@example.com")
    local, domain = value.strip().rsplit("@", 1)
    return f"{local}@{domain.lower()}"


def _currency(value: Any) -> Any:
    if not isinstance(value, str) or value not in CURRENCY_EXPONENTS:
        raise ValueError(f"must be one of {', '.join(sorted(CURRENCY_EXPONENTS))}")
    return value


def _time_zone(value: Any) -> Any:
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_+/-]{0,63}", value):
        raise ValueError("must be an IANA time zone, like America/New_York")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("must be an IANA time zone, like America/New_York") from None
    return value


def _one_line(value: str) -> str:
    try:
        return text.human_text(value)
    except ValueError as refused:
        raise PydanticCustomError("human_text", str(refused)) from None


def _paragraphs(value: str) -> str:
    try:
        return text.human_text(value, multiline=True)
    except ValueError as refused:
        raise PydanticCustomError("human_text", str(refused)) from None


def _minor_units(value: Any) -> Any:
    try:
        return money.minor_units(value)
    except money.InvalidAmount as refused:
        raise PydanticCustomError("minor_units", str(refused)) from None


CURRENCY_CODES: list[JsonValue] = [*sorted(CURRENCY_EXPONENTS)]
TimeZone = Annotated[str, BeforeValidator(_time_zone)]
IsoDate = Annotated[date, BeforeValidator(_iso_date)]


# Human text (core.text). Names, units and line items are one line; memos and reasons may
# run over lines (line feeds, tabs). Control and bidi characters are refused with a 422
# naming the field.
OneLine = AfterValidator(_one_line)
MultiLine = AfterValidator(_paragraphs)
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120), OneLine]
Unit = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40), OneLine]
Description = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), OneLine]
Memo = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), MultiLine]
SearchText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120), OneLine]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=500), MultiLine]
EmailAddress = Annotated[str | None, BeforeValidator(_email)]
Currency = Annotated[str, BeforeValidator(_currency)]
Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
# Money enters as core.money says: a non-negative integer of minor units, never a bool,
# a float or a string; an invoice's line items are also more than zero.
MinorUnits = Annotated[
    StrictInt,
    Field(gt=0, le=MAX_AMOUNT_MINOR, description="Integer minor units (cents)."),
    BeforeValidator(_minor_units),
]


class Out(Model):
    """Base of the response bodies."""


class Strict(Out):
    """Base of the request bodies: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")


# -- requests ------------------------------------------------------------------------


class ResidentIn(Strict):
    name: Name
    unit: Unit
    email: EmailAddress = None

    def new(self) -> NewResident:
        return NewResident(name=self.name, unit=self.unit, email=self.email)


class ResidentPatch(Strict):
    """Only the fields sent change; ``"email": null`` removes the address."""

    name: Name | None = None
    unit: Unit | None = None
    email: EmailAddress = None

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"email": "pat.lee@example.com"}, {"unit": "2B", "email": None}]}
    )

    def edit(self) -> ResidentEdit:
        return ResidentEdit(
            name=self.name, unit=self.unit, email=self.email, email_given="email" in self.model_fields_set
        )


class LineItemIn(Strict):
    description: Description
    amount: MinorUnits


class InvoiceIn(Strict):
    resident_id: Id
    line_items: list[LineItemIn] = Field(min_length=1, max_length=100)
    currency: Currency = Field(
        description="ISO 4217 code; must be the property's currency.",
        json_schema_extra={"enum": CURRENCY_CODES},
    )
    due_date: IsoDate = Field(description="YYYY-MM-DD, today or later in the property's time zone.")
    memo: Memo | None = None

    def new(self) -> NewInvoice:
        return NewInvoice(
            resident_id=self.resident_id,
            line_items=[LineItem(description=li.description, amount=li.amount) for li in self.line_items],
            currency=self.currency,
            due_date=self.due_date,
            memo=self.memo,
        )


class InvoicePatch(Strict):
    """A Draft's changes, against the version the manager saw (``invoice.version``)."""

    version: StrictInt = Field(ge=1, description="The invoice's version when the manager opened it.")
    line_items: list[LineItemIn] | None = Field(default=None, min_length=1, max_length=100)
    due_date: IsoDate | None = Field(default=None, description="YYYY-MM-DD, today or later.")
    memo: Memo | None = Field(default=None, description="null removes the memo.")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "version": 1,
                    "line_items": [
                        {"description": "Monthly assessment", "amount": 32500},
                        {"description": "Pool key replacement", "amount": 3000},
                    ],
                    "due_date": "2027-01-31",
                }
            ]
        }
    )

    def changes(self) -> DraftChanges:
        return DraftChanges(
            version=self.version,
            line_items=[LineItem(description=li.description, amount=li.amount) for li in self.line_items]
            if self.line_items is not None
            else None,
            due_date=self.due_date,
            memo=self.memo,
            memo_given="memo" in self.model_fields_set,
        )


class PublishIn(Strict):
    send_email: StrictBool | None = Field(
        default=None,
        description="Email the resident. Defaults to true when the resident has an address.",
    )


class VoidIn(Strict):
    reason: Reason


# -- responses -----------------------------------------------------------------------


class Money(Out):
    amount: int
    currency: str
    formatted: str

    @classmethod
    def of(cls, amount: int, currency: str) -> Money:
        return cls(amount=amount, currency=currency, formatted=format_money(amount, currency))


class DeletedOut(Out):
    deleted: str = Field(description="The id of the draft that was deleted.")


class ErrorBody(Out):
    code: str
    message: str


class ErrorOut(Out):
    error: ErrorBody


class ResidentOut(Out):
    resident_id: str
    property_id: str
    name: str
    unit: str
    email: str | None
    has_email: bool = Field(description="An address that can be emailed now (on file and not bouncing).")
    email_state: EmailState = Field(description="ok, missing (no address on file) or bouncing.")
    created_at: datetime

    @classmethod
    def of(cls, resident: Resident) -> ResidentOut:
        return cls(
            resident_id=resident.resident_id,
            property_id=resident.property_id,
            name=resident.name,
            unit=resident.unit,
            email=resident.email,
            has_email=resident.can_receive_email,
            email_state=resident.email_state,
            created_at=resident.created_at,
        )


class ResidentDetailOut(ResidentOut):
    """A resident's profile with every change made to it."""

    history: list[HistoryEntry]

    @classmethod
    def of(cls, resident: Resident) -> ResidentDetailOut:
        return cls(**ResidentOut.of(resident).model_dump(), history=resident.history)


class ResidentListOut(Out):
    items: list[ResidentOut]
    next_cursor: str | None


class InvoiceRow(Out):
    """One row of the Invoices page."""

    invoice_id: str
    number: str
    status: InvoiceStatus
    resident_id: str
    resident_name: str
    amount_due: Money
    amount_paid: Money
    due_date: date
    email_status: EmailStatus

    @classmethod
    def of(cls, row: InvoiceListing) -> InvoiceRow:
        return cls(
            invoice_id=row.invoice_id,
            number=row.number,
            status=row.status,
            resident_id=row.resident_id,
            resident_name=row.resident_name,
            amount_due=Money.of(row.amount_due, row.currency),
            amount_paid=Money.of(row.amount_paid, row.currency),
            due_date=row.due_date,
            email_status=row.email_status,
        )


class InvoiceListOut(Out):
    items: list[InvoiceRow]
    next_cursor: str | None


class LineItemOut(Out):
    description: str
    amount: Money


class PaymentOut(Out):
    payment_id: str
    state: PaymentState
    amount: Money
    updated_at: datetime
    failure_message: str | None

    @classmethod
    def of(cls, payment: PaymentRecord) -> PaymentOut:
        return cls(
            payment_id=payment.payment_id,
            state=payment.state,
            amount=Money.of(payment.amount, payment.currency),
            updated_at=payment.updated_at,
            failure_message=(payment.failure or {}).get("message"),
        )


class EmailDeliveryOut(Out):
    requested: bool
    status: EmailStatus
    details: dict[str, Any]


class InvoiceOut(Out):
    invoice_id: str
    property_id: str
    number: str
    status: InvoiceStatus
    resident_id: str
    resident_name: str
    line_items: list[LineItemOut]
    amount_due: Money
    amount_paid: Money
    amount_processing: Money
    balance: Money
    due_date: date
    memo: str | None
    created_at: datetime
    published_at: datetime | None
    voided_at: datetime | None
    void_reason: str | None
    paid_at: datetime | None
    email: EmailDeliveryOut
    amount_refunded: Money
    needs_attention: bool = Field(
        description="A payment needs a person: paid on a Void or Paid invoice, overpaid, or refunded."
    )
    payments: list[PaymentOut] = Field(description="Stripe payments, oldest first.")
    version: int = Field(description="Changes with every change to the invoice; send it back to edit a draft.")

    @classmethod
    def of(cls, invoice: Invoice) -> InvoiceOut:
        def money(amount: int) -> Money:
            return Money.of(amount, invoice.currency)

        return cls(
            invoice_id=invoice.invoice_id,
            property_id=invoice.property_id,
            number=invoice.number,
            status=invoice.status,
            resident_id=invoice.resident_id,
            resident_name=invoice.resident_name,
            line_items=[LineItemOut(description=li.description, amount=money(li.amount)) for li in invoice.line_items],
            amount_due=money(invoice.amount_due),
            amount_paid=money(invoice.amount_paid),
            amount_processing=money(invoice.amount_processing),
            balance=money(invoice.balance),
            due_date=invoice.due_date,
            memo=invoice.memo,
            created_at=invoice.created_at,
            published_at=invoice.published_at,
            voided_at=invoice.voided_at,
            void_reason=invoice.void_reason,
            paid_at=invoice.paid_at,
            email=EmailDeliveryOut(
                requested=invoice.email_requested, status=invoice.email_status, details=invoice.email_details
            ),
            amount_refunded=money(invoice.amount_refunded),
            needs_attention=invoice.needs_attention,
            payments=[PaymentOut.of(p) for p in sorted(invoice.payments.values(), key=lambda p: p.updated_at)],
            version=invoice.version,
        )


class EmailCheckbox(Out):
    enabled: bool = Field(description="False when the resident has no usable email address.")
    checked_by_default: bool
    disabled_reason: str | None = Field(
        description="Why it is disabled: no_address (none on file) or address_bouncing; null when enabled.",
        json_schema_extra={"enum": ["no_address", "address_bouncing", None]},
    )


class PublishPreview(Out):
    """What the Publish confirmation dialog shows."""

    number: str
    amount: Money
    resident_name: str
    recipient_email: str | None = Field(description="Where the email will go, when it can be sent.")
    email_checkbox: EmailCheckbox

    @classmethod
    def of(cls, preview: invoices.PublishPreview) -> PublishPreview:
        return cls(
            number=preview.number,
            amount=Money.of(preview.amount_due, preview.currency),
            resident_name=preview.resident_name,
            recipient_email=preview.recipient.email if preview.recipient else None,
            email_checkbox=EmailCheckbox(
                enabled=preview.email_enabled,
                checked_by_default=preview.email_checked_by_default,
                disabled_reason=preview.email_disabled_reason,
            ),
        )


class UnavailableAction(Out):
    """An action the menu shows greyed out, and why."""

    action: lifecycle.Action
    reason: str = Field(
        description="A stable code: invoice_not_draft, invoice_not_voidable, invoice_has_payments, "
        "invoice_not_emailable, email_in_progress, resident_has_no_email or address_bouncing."
    )
    message: str


class InvoiceDetailOut(Out):
    invoice: InvoiceOut
    history: list[HistoryEntry]
    actions: list[lifecycle.Action] = Field(description="What would succeed now, in menu order.")
    unavailable_actions: list[UnavailableAction] = Field(description="The rest of the menu, greyed, with the reason.")
    publish_preview: PublishPreview | None = Field(description="The Publish dialog, for a Draft.")

    @classmethod
    def of(cls, detail: InvoiceDetail) -> InvoiceDetailOut:
        preview = detail.publish_preview
        return cls(
            invoice=InvoiceOut.of(detail.invoice),
            history=detail.invoice.history,
            actions=detail.actions,
            unavailable_actions=[
                UnavailableAction(action=u.action, reason=u.reason, message=u.message) for u in detail.unavailable
            ],
            publish_preview=PublishPreview.of(preview) if preview else None,
        )


class DraftTotal(Out):
    count: int
    total: Money


class SummaryOut(Out):
    """The counts, kept with every change of an invoice, so one small read answers however
    many invoices the property has. The invoices published without an email address are
    listed by ``GET .../invoices?email=skipped_no_address``, a page at a time."""

    counts: dict[InvoiceStatus, int]
    drafts: DraftTotal

    @classmethod
    def of(cls, summary: PropertySummary) -> SummaryOut:
        totals = summary.totals
        return cls(
            counts=totals.counts,
            drafts=DraftTotal(
                count=totals.counts[InvoiceStatus.DRAFT], total=Money.of(totals.draft_total, summary.currency)
            ),
        )
