"""The emails' words (the invoice, a receipt, a failed bank payment's notice): subject,
HTML and plain text, from the packaged templates."""

from __future__ import annotations

from datetime import UTC, date, datetime

from hoa_billing.core.models import (
    Actor,
    ActorKind,
    Invoice,
    InvoiceStatus,
    LineItem,
    Notice,
    NoticeKind,
    PaymentRecord,
    PaymentState,
    Recipient,
)
from hoa_billing.email.render import render_invoice_email, render_notice_email


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


# -- the completed invoice email, receipts and payment notices --------------------------------

UNIT_4B = Recipient(name="Pat Resident", email="pat@example.com", unit="4B")


def test_the_invoice_names_the_unit_and_the_issue_date_where_the_property_is():
    # 02:00 UTC on April 1 is still March 31 in New York.
    published = invoice(published_at=datetime(2026, 4, 1, 2, 0, tzinfo=UTC))

    rendered = render_invoice_email(published, UNIT_4B, "https://portal.example")

    for body in (rendered.html, rendered.text):
        assert "4B" in body
        assert "issued March 31, 2026" in body.replace("Issued:     ", "issued ")
        assert "issued April 1" not in body.replace("Issued:     ", "issued ")


def test_the_footer_links_the_portal_s_sign_in_page_and_names_the_office_to_write_to():
    rendered = render_invoice_email(invoice(), PAT, "https://portal.example/", "office@maple.example")

    assert (
        '<a href="https://portal.example/" style="color:#2563eb;">Sign in to the resident portal</a>' in rendered.html
    )
    assert 'href="mailto:office@maple.example"' in rendered.html
    assert "Questions? Reply to this email or write to office@maple.example." in rendered.text
    assert "https://portal.example/\n" in rendered.text


def test_without_a_reply_to_there_is_no_contact_line():
    rendered = render_invoice_email(invoice(), PAT, "https://portal.example")

    assert "Questions?" not in rendered.html
    assert "Questions?" not in rendered.text


def notice(kind: NoticeKind, amount: int, balance_after: int) -> Notice:
    return Notice(
        invoice_id="inv_01ABC",
        notice_id=f"{kind.value}#pi_1",
        kind=kind,
        property_id="prop_a",
        resident_id="res_1",
        payment_id="pi_1",
        amount=amount,
        currency="USD",
        balance_after=balance_after,
        created_at=datetime(2026, 4, 2, 3, 0, tzinfo=UTC),
    )


def test_a_partial_payment_s_receipt_says_what_is_still_owed():
    paid = invoice(amount_paid=10000)

    rendered = render_notice_email(notice(NoticeKind.RECEIPT, 10000, 25050), paid, UNIT_4B, "https://portal.example")

    assert rendered.subject == "Maple Court HOA: payment of $100.00 received for invoice INV-00042"
    for body in (rendered.html, rendered.text):
        assert "Balance still due: $250.50" in body
        assert "April 1, 2026" in body  # received 03:00 UTC on April 2: April 1 in New York
        assert "Paid in full" not in body


def test_a_failed_bank_payment_s_notice_links_the_pay_page_and_quotes_the_bank():
    failed = invoice(
        payments={
            "pi_1": PaymentRecord(
                payment_id="pi_1",
                state=PaymentState.FAILED,
                amount=35050,
                currency="USD",
                failure={"message": "Account <closed> & gone"},
                updated_at=datetime(2026, 4, 2, tzinfo=UTC),
            )
        }
    )

    rendered = render_notice_email(
        notice(NoticeKind.PAYMENT_FAILED, 35050, 35050), failed, PAT, "https://portal.example"
    )

    assert '<a href="https://portal.example/invoices/inv_01ABC"' in rendered.html
    assert "Pay again" in rendered.html
    assert "Account &lt;closed&gt; &amp; gone" in rendered.html
    assert "Account <closed> & gone" in rendered.text
    assert "Paid" not in rendered.text.replace("Pay again", "")  # nothing was paid: no Paid row


def test_names_in_notices_are_escaped_in_html():
    hostile = invoice(property_name="<b>Maple</b>")
    who = Recipient(name='<img src=x onerror="alert(1)">', email="pat@example.com", unit="<4B>")

    rendered = render_notice_email(notice(NoticeKind.RECEIPT, 35050, 0), hostile, who, "https://portal.example")

    assert "<b>Maple</b>" not in rendered.html
    assert "<img" not in rendered.html
    assert "&lt;4B&gt;" in rendered.html
