"""Renders the invoice email (subject, HTML, plain text) from templates packaged here.

Jinja2 autoescapes the HTML template, so a resident or property name can never inject
markup; the text template is not escaped (it is not HTML).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import TYPE_CHECKING
from urllib.parse import quote

from hoa_billing.core.models import Invoice, InvoiceStatus, Recipient
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


def pay_url(portal_base_url: str, invoice_id: str) -> str:
    return f"{portal_base_url.rstrip('/')}/invoices/{quote(invoice_id, safe='')}"


def render_invoice_email(invoice: Invoice, recipient: Recipient, portal_base_url: str) -> RenderedEmail:
    def money(amount: int) -> str:
        return format_money(amount, invoice.currency)

    context = {
        "property_name": invoice.property_name,
        "resident_name": recipient.name,
        "number": invoice.number,
        "amount_due": money(invoice.balance),
        "total": money(invoice.amount_due),
        "paid": money(invoice.amount_paid) if invoice.amount_paid else None,
        "due_date": long_date(invoice.due_date),
        "overdue": invoice.status is InvoiceStatus.OVERDUE,
        "line_items": [{"description": item.description, "amount": money(item.amount)} for item in invoice.line_items],
        "memo": invoice.memo,
        "pay_url": pay_url(portal_base_url, invoice.invoice_id),
    }
    env = _environment()
    subject = " ".join(env.get_template("invoice_subject.txt").render(context).split())
    return RenderedEmail(
        subject=subject,
        html=env.get_template("invoice.html").render(context, subject=subject),
        text=env.get_template("invoice.txt").render(context),
    )
