"""What a printed letter says, from the invoice, its resident and its property.

Money through ``core.money.format_money``, dates in the property's time zone, the pay
page's address as the resident portal has it (``{PORTAL_BASE_URL}/invoices/{id}``).
"""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hoa_billing.core.models import Invoice, Property, Resident
from hoa_billing.core.money import format_money
from hoa_billing.letters import Charge, Letter


def pay_url(portal_base_url: str, invoice_id: str) -> str:
    """The portal's pay page for the invoice: the same address the invoice email links to."""
    return f"{portal_base_url.rstrip('/')}/invoices/{quote(invoice_id, safe='')}"


def short_url(url: str) -> str:
    """What the letter prints beside the QR code for typing by hand: no scheme."""
    return url.split("://", 1)[-1]


def long_date(day: date) -> str:
    """``March 5, 2026``."""
    return f"{day:%B} {day.day}, {day.year}"


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def moment(at: datetime, time_zone: str) -> str:
    """``March 5, 2026, 3:04 PM EST`` in the property's time zone."""
    local = at.astimezone(_zone(time_zone))
    return f"{long_date(local.date())}, {local:%I:%M %p}".replace(", 0", ", ", 1) + f" {local:%Z}"


def contact_line(prop: Property | None, invoice: Invoice) -> str:
    """Where a resident with questions turns: the property's reply-to address when it has
    one, else its management office."""
    name = prop.name if prop else invoice.property_name
    if prop and prop.reply_to_email:
        return f"Email {prop.reply_to_email} or contact the {name} management office."
    return f"Contact the {name} management office."


def file_name(invoice: Invoice) -> str:
    return f"letter-{invoice.number}.pdf"


def letter_for(
    invoice: Invoice, resident: Resident | None, prop: Property | None, portal_base_url: str, now: datetime
) -> Letter:
    time_zone = prop.time_zone if prop else invoice.time_zone

    def money(amount: int) -> str:
        return format_money(amount, invoice.currency)

    url = pay_url(portal_base_url, invoice.invoice_id)
    issued = invoice.published_at or invoice.created_at
    return Letter(
        property_name=prop.name if prop else invoice.property_name,
        contact_line=contact_line(prop, invoice),
        resident_name=resident.name if resident else invoice.resident_name,
        unit=resident.unit if resident else "\u2014",
        invoice_number=invoice.number,
        issue_date=long_date(issued.astimezone(_zone(time_zone)).date()),
        due_date=long_date(invoice.due_date),
        charges=tuple(Charge(item.description, money(item.amount)) for item in invoice.line_items),
        total=money(invoice.amount_due),
        amount_due=money(invoice.balance),
        paid=money(invoice.amount_paid) if invoice.amount_paid else None,
        pay_url=url,
        short_url=short_url(url),
        generated_at=f"Printed {moment(now, time_zone)}",
    )
