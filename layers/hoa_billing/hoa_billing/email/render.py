"""Renders the emails (the invoice, a receipt, a failed bank payment's notice: subject,
HTML, plain text) from templates packaged here, around one layout.

Jinja2 autoescapes the HTML template, so a resident or property name can never inject
markup; the text template is not escaped (it is not HTML).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hoa_billing.core.models import Invoice, InvoiceStatus, Notice, NoticeKind, Recipient
from hoa_billing.core.money import format_money

if TYPE_CHECKING:
    from jinja2 import Environment


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    html: str
    text: str


@cache
def _environment() -> Environment:
    # Imported on first render: functions that share this package but never render an
    # email (bounces, resend requests) do not load Jinja2 at cold start.
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    return Environment(
        loader=PackageLoader("hoa_billing.email", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def long_date(day: date) -> str:
    """``March 5, 2026``: unambiguous in every English-speaking locale."""
    return f"{day:%B} {day.day}, {day.year}"


def local_date(at: datetime, time_zone: str) -> str:
    """The long date of ``at`` where the property is (its time zone as the invoice keeps it)."""
    try:
        zone = ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return long_date(at.astimezone(zone).date())


def pay_url(portal_base_url: str, invoice_id: str) -> str:
    return f"{portal_base_url.rstrip('/')}/invoices/{quote(invoice_id, safe='')}"


def portal_url(portal_base_url: str) -> str:
    """The resident portal's front page, where a resident signs in."""
    return f"{portal_base_url.rstrip('/')}/"


@dataclass(frozen=True)
class Letterhead:
    """What every email says around its content: who it is from and how to reach them."""

    portal_base_url: str
    reply_to: str | None = None


def _common(invoice: Invoice, recipient: Recipient, head: Letterhead) -> dict[str, Any]:
    def money(amount: int) -> str:
        return format_money(amount, invoice.currency)

    return {
        "property_name": invoice.property_name,
        "resident_name": recipient.name,
        "unit": recipient.unit,
        "number": invoice.number,
        "total": money(invoice.amount_due),
        "due_date": long_date(invoice.due_date),
        "overdue": invoice.status is InvoiceStatus.OVERDUE,
        "line_items": [{"description": item.description, "amount": money(item.amount)} for item in invoice.line_items],
        "pay_url": pay_url(head.portal_base_url, invoice.invoice_id),
        "portal_url": portal_url(head.portal_base_url),
        "reply_to": head.reply_to,
    }


def _render(name: str, context: dict[str, Any]) -> RenderedEmail:
    env = _environment()
    subject = " ".join(env.get_template(f"{name}_subject.txt").render(context).split())
    return RenderedEmail(
        subject=subject,
        html=env.get_template(f"{name}.html").render(context, subject=subject),
        text=env.get_template(f"{name}.txt").render(context),
    )


def render_invoice_email(
    invoice: Invoice, recipient: Recipient, portal_base_url: str, reply_to: str | None = None
) -> RenderedEmail:
    head = Letterhead(portal_base_url, reply_to)
    context = _common(invoice, recipient, head)
    context.update(
        amount_due=format_money(invoice.balance, invoice.currency),
        balance=format_money(invoice.balance, invoice.currency),
        paid=format_money(invoice.amount_paid, invoice.currency) if invoice.amount_paid else None,
        issued=local_date(invoice.published_at, invoice.time_zone) if invoice.published_at else None,
        memo=invoice.memo,
        button_label="Pay Now",
    )
    return _render("invoice", context)


def render_notice_email(
    notice: Notice, invoice: Invoice, recipient: Recipient, portal_base_url: str, reply_to: str | None = None
) -> RenderedEmail:
    """A receipt (the payment, the date, what is still owed) or a failed bank payment's
    notice (the amount still due and a Pay again link)."""

    def money(amount: int) -> str:
        return format_money(amount, notice.currency)

    head = Letterhead(portal_base_url, reply_to)
    context = _common(invoice, recipient, head)
    context.update(
        amount=money(notice.amount),
        balance=money(notice.balance_after),
        paid=money(invoice.amount_due - notice.balance_after) if invoice.amount_due > notice.balance_after else None,
        received=local_date(notice.created_at, invoice.time_zone),
        paid_in_full=notice.balance_after == 0,
        reference=notice.payment_id,
    )
    if notice.kind is NoticeKind.RECEIPT:
        context["button_label"] = "View invoice"
        return _render("receipt", context)
    record = invoice.payments.get(notice.payment_id)
    failure = (record.failure or {}) if record else {}
    context.update(button_label="Pay again", failure=str(failure.get("message") or "") or None)
    return _render("payment_failed", context)
