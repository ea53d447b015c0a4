"""What the resident hears about a payment: a receipt when it succeeds (a card, or a bank
payment that settled), a "pay again" notice when a bank payment fails. Both go through
the invoice email's pipeline (the notices table's stream, the outbox function, the email
queue, the sender) exactly once, from the property's sender, and show on the invoice's
history."""

from __future__ import annotations

from datetime import UTC, datetime
from email.headerregistry import Address
from email.policy import SMTP
from zoneinfo import ZoneInfo

import boto3
import pytest

from hoa_billing.core.clock import FixedClock
from hoa_billing.data.notices import DynamoNotices
from hoa_local import stripe_fake
from tests.support.api import table_items
from tests.support.outbox import PORTAL, SENDER, Outbox
from tests.support.payments import deliver, manager_view, published_invoice, session_for
from tests.support.stories import create_resident


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 3, 2, 15, 0, tzinfo=UTC))


@pytest.fixture
def outbox(stack, properties, clock) -> Outbox:
    stack.parameters.update(SenderEmail=SENDER, PortalBaseUrl=PORTAL)
    boto3.client("ses").verify_email_identity(EmailAddress=SENDER)
    return Outbox(stack, clock)


def mailboxes(value: str) -> list[tuple[str, str]]:
    header = SMTP.header_factory("To", value)
    return [(a.display_name, a.addr_spec) for a in header.addresses]


def invoice_for(api, email: str | None = "pat@example.com", *amounts: int) -> dict:
    resident = create_resident(api, name="Pat Resident", email=email, unit="4B")
    return published_invoice(api, *(amounts or (32500,)), resident=resident)


def notices_of(stack, invoice_id: str) -> list[dict]:
    return [n for n in table_items(stack, "NoticesTable") if n["invoice_id"] == invoice_id]


def test_a_card_payment_sends_one_receipt_from_the_property(api, stack, outbox):
    api.call("PATCH", "/properties/prop_a", {"reply_to_email": "office@maplecourt.example"})
    invoice = invoice_for(api)
    event = stripe_fake.completed(session_for(invoice))

    assert deliver(api, event).body["outcome"] == "applied"
    assert deliver(api, event).body["outcome"] == "duplicate"  # Stripe delivers it again
    report = outbox.run()

    assert not report.discarded
    (message,) = outbox.sent()
    assert message.subject == f"Maple Court HOA: payment of $325.00 received for invoice {invoice['number']}"
    assert mailboxes(message.source) == [("Maple Court HOA", SENDER)]
    assert mailboxes(message.destinations["ToAddresses"][0]) == [("Pat Resident", "pat@example.com")]
    (request,) = outbox.ses_requests
    assert request["ReplyToAddresses"] == ["office@maplecourt.example"]
    html = request["Content"]["Simple"]["Body"]["Html"]["Data"]
    text = request["Content"]["Simple"]["Body"]["Text"]["Data"]
    (notice,) = notices_of(stack, invoice["invoice_id"])
    applied = datetime.fromisoformat(notice["created_at"]).astimezone(ZoneInfo("America/New_York")).date()
    for body in (html, text):
        assert "$325.00" in body
        assert "Paid in full" in body
        assert "Unit" in body
        assert "4B" in body
        assert f"{applied:%B} {applied.day}, {applied.year}" in body  # the day it was paid, where the property is
        assert "office@maplecourt.example" in body
    assert f'href="{PORTAL}/"' in html  # the portal's sign-in page
    (notice,) = notices_of(stack, invoice["invoice_id"])
    assert (notice["kind"], notice["status"], notice["to"]) == ("receipt", "sent", "pat@example.com")
    assert notice["message_id"] == message.id
    last = manager_view(api, invoice)["history"][-1]
    assert last["action"] == "notice_sent"
    assert last["details"]["kind"] == "receipt"
    assert last["details"]["to"] == "pat@example.com"
    assert last["details"]["message_id"] == message.id


def test_a_notice_record_delivered_twice_sends_one_email(api, stack, outbox):
    invoice = invoice_for(api)
    deliver(api, stripe_fake.completed(session_for(invoice)))
    records = outbox.notice_records()
    assert len(records) == 1

    outbox.run(notice_records=records)
    outbox.run(notice_records=records)  # the stream hands the same record over again

    assert len(outbox.sent()) == 1
    assert outbox.calls == 1


def test_a_failed_bank_payment_sends_one_pay_again_notice(api, stack, outbox):
    invoice = invoice_for(api)
    ach = session_for(invoice, payment_status="unpaid")
    deliver(api, stripe_fake.completed(ach))
    outbox.run()
    assert outbox.sent() == []  # processing: nothing to tell yet

    deliver(api, stripe_fake.async_failed(ach))
    deliver(api, stripe_fake.payment_failed(ach))  # the bank's own failure event, same payment
    outbox.run()

    (message,) = outbox.sent()
    assert message.subject == (
        f"Maple Court HOA: your bank payment for invoice {invoice['number']} failed. Please pay again"
    )
    (request,) = outbox.ses_requests
    html = request["Content"]["Simple"]["Body"]["Html"]["Data"]
    text = request["Content"]["Simple"]["Body"]["Text"]["Data"]
    pay = f"{PORTAL}/invoices/{invoice['invoice_id']}"
    assert f'href="{pay}"' in html
    assert "Pay again" in html
    assert pay in text
    assert "$325.00" in text
    assert [n["kind"] for n in notices_of(stack, invoice["invoice_id"])] == ["payment_failed"]


def test_a_settled_bank_payment_sends_its_receipt_then(api, stack, outbox):
    invoice = invoice_for(api)
    ach = session_for(invoice, payment_status="unpaid")
    deliver(api, stripe_fake.completed(ach))
    deliver(api, stripe_fake.async_succeeded(ach))
    outbox.run()

    (message,) = outbox.sent()
    assert "payment of $325.00 received" in message.subject


def test_events_that_apply_nothing_send_nothing(api, stack, outbox):
    invoice = invoice_for(api)
    bad = stripe_fake.completed(session_for(invoice))
    bad["data"]["object"]["amount_total"] = -5
    assert deliver(api, bad).body["outcome"] == "flagged"
    stranger = stripe_fake.checkout_session("inv_unknown", "prop_a", 32500)
    assert deliver(api, stripe_fake.completed(stranger)).body["outcome"] == "unmatched"
    declined = stripe_fake.payment_failed(session_for(invoice), method="card", code="card_declined")
    deliver(api, declined)

    outbox.run()

    assert outbox.sent() == []
    assert table_items(stack, "NoticesTable") == []


def test_a_resident_without_an_address_gets_no_email_and_the_notice_says_skipped(api, stack, outbox):
    invoice = invoice_for(api, None)
    deliver(api, stripe_fake.completed(session_for(invoice)))

    outbox.run()

    assert outbox.sent() == []
    (notice,) = notices_of(stack, invoice["invoice_id"])
    assert notice["status"] == "skipped_no_address"
    last = manager_view(api, invoice)["history"][-1]
    assert (last["action"], last["reason"]) == ("notice_skipped", "no usable email address on file")


def test_a_throttled_receipt_is_sent_once_on_the_queue_s_next_delivery(api, stack, outbox):
    invoice = invoice_for(api)
    deliver(api, stripe_fake.completed(session_for(invoice)))
    outbox.throttle_every_second_call()
    outbox.calls = 1  # the first call is throttled

    report = outbox.run()

    assert report.failed_receives == 1
    assert len(outbox.sent()) == 1
    (notice,) = notices_of(stack, invoice["invoice_id"])
    assert (notice["status"], notice["attempts"]) == ("sent", 2)


def test_a_receipt_ses_refuses_is_recorded_failed_with_the_reason(api, stack, outbox):
    invoice = invoice_for(api, "pat@example.com")
    deliver(api, stripe_fake.completed(session_for(invoice)))
    boto3.client("ses").delete_identity(Identity=SENDER)  # SES now refuses the sender

    outbox.run()

    (notice,) = notices_of(stack, invoice["invoice_id"])
    assert notice["status"] == "failed"
    assert "MessageRejected" in notice["reason"]
    last = manager_view(api, invoice)["history"][-1]
    assert last["action"] == "notice_failed"


def test_the_sender_name_and_reply_to_come_from_the_property_settings(api, stack, outbox):
    changed = api.call(
        "PATCH",
        "/properties/prop_a",
        {"sender_name": 'Maple Court "Billing", Zoë', "reply_to_email": "office@maple.example"},
    )
    assert changed.status == 200, changed.body
    invoice = invoice_for(api)
    deliver(api, stripe_fake.completed(session_for(invoice)))

    outbox.run()

    (request,) = outbox.ses_requests
    assert request["FromEmailAddress"].isascii()
    assert mailboxes(request["FromEmailAddress"]) == [('Maple Court "Billing", Zoë', SENDER)]
    assert [mailboxes(v)[0] for v in request["ReplyToAddresses"]] == [("", "office@maple.example")]
    assert str(Address(addr_spec=SENDER)) in request["FromEmailAddress"]


class OutcomeNotWritten(DynamoNotices):
    """DynamoDB unreachable once, just when the sender records that SES took the receipt."""

    failures = 1

    def record_outcome(self, delivery, outcome):
        if outcome.status.value == "sent" and self.failures:
            self.failures -= 1
            raise ConnectionError("DynamoDB unreachable")
        super().record_outcome(delivery, outcome)


def test_a_receipt_sent_but_not_recorded_is_recorded_on_the_next_delivery_not_sent_again(api, stack, outbox):
    outbox.notices.notices = OutcomeNotWritten(
        stack.physical_name("NoticesTable"), stack.physical_name("InvoicesTable")
    )
    invoice = invoice_for(api)
    deliver(api, stripe_fake.completed(session_for(invoice)))

    report = outbox.run()

    assert report.failed_receives >= 1
    (message,) = outbox.sent()
    assert outbox.calls == 1
    (notice,) = notices_of(stack, invoice["invoice_id"])
    assert (notice["status"], notice["message_id"]) == ("sent", message.id)
