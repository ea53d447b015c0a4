"""API models of the resident portal: what a resident may see of an invoice.

Separate from the manager models on purpose: no history actors, email delivery
details, internal flags or other residents' names; only the resident's own bill.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from hoa_billing.api.schemas import LineItemOut, Money, Out
from hoa_billing.core import lifecycle
from hoa_billing.core.models import Invoice, InvoiceStatus, PaymentState, ResidentInvoiceRow
from hoa_billing.payments import CheckoutSession


class PortalPaymentOut(Out):
    state: PaymentState
    amount: Money
    updated_at: datetime
    failure_message: str | None


class PortalInvoiceRow(Out):
    invoice_id: str
    number: str
    property_name: str
    status: InvoiceStatus
    amount_due: Money
    balance: Money
    due_date: date
    can_pay: bool

    @classmethod
    def of(cls, invoice: ResidentInvoiceRow) -> PortalInvoiceRow:
        return cls(
            invoice_id=invoice.invoice_id,
            number=invoice.number,
            property_name=invoice.property_name,
            status=invoice.status,
            amount_due=Money.of(invoice.amount_due, invoice.currency),
            balance=Money.of(invoice.balance, invoice.currency),
            due_date=invoice.due_date,
            can_pay=lifecycle.Action.PAY in lifecycle.resident_actions(invoice),
        )


class PortalInvoiceListOut(Out):
    items: list[PortalInvoiceRow]
    next_cursor: str | None


class PortalInvoiceOut(Out):
    invoice_id: str
    number: str
    property_name: str
    status: InvoiceStatus
    line_items: list[LineItemOut]
    amount_due: Money
    amount_paid: Money
    amount_processing: Money
    balance: Money
    payable_now: Money
    due_date: date
    memo: str | None
    published_at: datetime | None
    paid_at: datetime | None
    payments: list[PortalPaymentOut]
    actions: list[lifecycle.Action]

    @classmethod
    def of(cls, invoice: Invoice) -> PortalInvoiceOut:
        def money(amount: int) -> Money:
            return Money.of(amount, invoice.currency)

        payments = sorted(invoice.payments.values(), key=lambda p: p.updated_at)
        return cls(
            invoice_id=invoice.invoice_id,
            number=invoice.number,
            property_name=invoice.property_name,
            status=invoice.status,
            line_items=[LineItemOut(description=li.description, amount=money(li.amount)) for li in invoice.line_items],
            amount_due=money(invoice.amount_due),
            amount_paid=money(invoice.amount_paid),
            amount_processing=money(invoice.amount_processing),
            balance=money(invoice.balance),
            payable_now=money(lifecycle.payable_amount(invoice) if invoice.status in lifecycle.PAYABLE else 0),
            due_date=invoice.due_date,
            memo=invoice.memo,
            published_at=invoice.published_at,
            paid_at=invoice.paid_at,
            payments=[
                PortalPaymentOut(
                    state=p.state,
                    amount=money(p.amount),
                    updated_at=p.updated_at,
                    failure_message=(p.failure or {}).get("message"),
                )
                for p in payments
            ],
            actions=lifecycle.resident_actions(invoice),
        )


class CheckoutOut(Out):
    invoice_id: str
    checkout_url: str
    session_id: str
    amount: Money
    expires_at: datetime

    @classmethod
    def of(cls, invoice: Invoice, amount: int, session: CheckoutSession) -> CheckoutOut:
        return cls(
            invoice_id=invoice.invoice_id,
            checkout_url=session.url,
            session_id=session.session_id,
            amount=Money.of(amount, invoice.currency),
            expires_at=datetime.fromtimestamp(session.expires_at, UTC),
        )
