"""API models: exactly what the frontend sends and receives (not the stored item shape)."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

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
    EmailStatus,
    HistoryEntry,
    Invoice,
    InvoiceListing,
    InvoiceStatus,
    LineItem,
    Model,
    Resident,
)
from hoa_billing.core.money import CURRENCY_EXPONENTS, MAX_AMOUNT_MINOR, format_money
from hoa_billing.invoices import InvoiceDetail, NewInvoice, NewResident, PropertySummary

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
    has_email: bool
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
            created_at=resident.created_at,
        )


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
        )


class EmailCheckbox(Out):
    enabled: bool = Field(description="False when the resident has no email address on file.")
    checked_by_default: bool


class PublishPreview(Out):
    """What the Publish confirmation dialog shows."""

    number: str
    amount: Money
    resident_name: str
    email_checkbox: EmailCheckbox

    @classmethod
    def of(cls, preview: invoices.PublishPreview) -> PublishPreview:
        return cls(
            number=preview.number,
            amount=Money.of(preview.amount_due, preview.currency),
            resident_name=preview.resident_name,
            email_checkbox=EmailCheckbox(
                enabled=preview.email_enabled, checked_by_default=preview.email_checked_by_default
            ),
        )


class InvoiceDetailOut(Out):
    invoice: InvoiceOut
    history: list[HistoryEntry]
    actions: list[lifecycle.Action]
    publish_preview: PublishPreview | None

    @classmethod
    def of(cls, detail: InvoiceDetail) -> InvoiceDetailOut:
        preview = detail.publish_preview
        return cls(
            invoice=InvoiceOut.of(detail.invoice),
            history=detail.invoice.history,
            actions=detail.actions,
            publish_preview=PublishPreview.of(preview) if preview else None,
        )


class DraftTotal(Out):
    count: int
    total: Money


class SummaryOut(Out):
    counts: dict[InvoiceStatus, int]
    drafts: DraftTotal
    published_without_email_address: list[dict[str, str]] = Field(
        description="Open or Overdue invoices whose resident had no address: tell them another way."
    )

    @classmethod
    def of(cls, summary: PropertySummary) -> SummaryOut:
        totals = summary.totals
        return cls(
            counts=totals.counts,
            drafts=DraftTotal(
                count=totals.counts[InvoiceStatus.DRAFT], total=Money.of(totals.draft_total, summary.currency)
            ),
            published_without_email_address=[
                {
                    "invoice_id": row.invoice_id,
                    "number": row.number,
                    "resident_id": row.resident_id,
                    "resident_name": row.resident_name,
                }
                for row in totals.published_without_address
            ],
        )
