"""The invoice email's words: subject, HTML and plain text, from the packaged templates."""

from __future__ import annotations

from datetime import UTC, date, datetime

from hoa_billing.core.models import Actor, ActorKind, Invoice, InvoiceStatus, LineItem, Recipient
from hoa_billing.email.render import render_invoice_email


def invoice(**changes) -> Invoice:
    values = {
        "invoice_id": "inv_01ABC",
        "property_id": "prop_a",
        "property_name": "Maple Court HOA",
        "time_zone": "America/New_York",
        "resident_id": "res_1",
        "resident_name": "Pat Resident",
        "number": "INV-00042",
        "status": InvoiceStatus.OPEN,
        "currency": "USD",
        "line_items": [
            LineItem(description="Monthly assessment", amount=32500),
            LineItem(description="Pool", amount=2550),
        ],
        "amount_due": 35050,
        "due_date": date(2026, 4, 1),
        "created_at": datetime(2026, 3, 1, tzinfo=UTC),
        "created_by": Actor(kind=ActorKind.API, id="mgr"),
    }
    return Invoice(**(values | changes))


PAT = Recipient(name="Pat Resident", email="pat@example.com")


def test_subject_names_property_number_amount_and_due_date():
    rendered = render_invoice_email(invoice(), PAT, "https://portal.example/")
    assert rendered.subject == "Maple Court HOA: invoice INV-00042 for $350.50 is due April 1, 2026"


def test_plain_text_carries_the_details_and_the_link():
    text = render_invoice_email(invoice(memo="Thanks & welcome"), PAT, "https://portal.example/").text
    for expected in (
        "Hello Pat Resident,",
        "Amount due: $350.50",
        "Due date:   April 1, 2026",
        "Monthly assessment ... $325.00",
        "Pool ... $25.50",
        "Total ... $350.50",
        "https://portal.example/invoices/inv_01ABC",
        "Thanks & welcome",  # plain text is not HTML-escaped
    ):
        assert expected in text


def test_amounts_follow_the_currency():
    yen = invoice(currency="JPY", line_items=[LineItem(description="Dues", amount=12000)], amount_due=12000)
    rendered = render_invoice_email(yen, PAT, "https://portal.example")
    assert "¥12,000" in rendered.subject
    assert "¥12,000" in rendered.html


def test_a_partly_paid_overdue_invoice_asks_for_the_balance():
    rendered = render_invoice_email(
        invoice(status=InvoiceStatus.OVERDUE, amount_paid=10000), PAT, "https://portal.example"
    )
    assert rendered.subject == ("Maple Court HOA: invoice INV-00042 for $250.50 is past due (was due April 1, 2026)")
    assert "Balance ... $250.50" in rendered.text
    assert "-$100.00" in rendered.html


def test_names_and_memo_are_escaped_in_html():
    rendered = render_invoice_email(
        invoice(property_name="A&B <Homes>", memo='"quoted" <b>'),
        Recipient(name="<img src=x onerror=alert(1)>", email="x@example.com"),
        "https://portal.example",
    )
    assert "<img" not in rendered.html
    assert "<b>" not in rendered.html
    assert "A&amp;B &lt;Homes&gt;" in rendered.html
    assert "&#34;quoted&#34; &lt;b&gt;" in rendered.html
