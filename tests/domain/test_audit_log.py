"""The logs answer "did resident X get the email for invoice Y, and if not, why": one
line per change of an invoice (its id and number, who, from what to what) and one per
attempt to send its email (the message id, or the reason)."""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, datetime, time, timedelta

from hoa_billing.core.settings import EmailSettings
from hoa_billing.email import BounceRecorder, InvoiceEmailer, Rejected, RetryLater
from hoa_billing.overdue import OverdueSweep
from hoa_billing.payments import PaymentLedger, StripeWebhook
from hoa_local import stripe_fake
from tests.domain.conftest import MANAGER, World
from tests.domain.support import draft, published, resident
from tests.support.fakes import FakeEmailSender

SETTINGS = EmailSettings.model_validate(
    {"SENDER_EMAIL": "billing@maplecourt.example", "PORTAL_BASE_URL": "https://portal.example"}
)
MANAGER_ACTOR = {"kind": "api", "id": "mgr-1", "name": "Dana Manager"}


def story(log_lines, number: str) -> list[tuple]:
    """Each line about the invoice: what kind, what changed, from what to what."""
    return [
        (
            line["message"],
            line.get("change") or line.get("outcome"),
            line.get("from") or line.get("email_from"),
            line.get("to") or line.get("email_to"),
        )
        for line in log_lines.about(invoice_number=number)
    ]


def test_an_invoice_emailed_then_bounced_then_paid_is_told_line_by_line(world: World, log_lines):
    mail = FakeEmailSender()
    emailer = InvoiceEmailer(world.store, mail, SETTINGS, world.clock)
    pat = resident(world, email="pat@example.com", name="Pat Lee")
    invoice = draft(world, pat, 32500)
    world.invoices.publisher.publish_invoice("prop_a", invoice.invoice_id, True, MANAGER)
    mail.failures.append(RetryLater("Throttling: Maximum sending rate exceeded."))
    for token in ("evt-1", "evt-1"):  # throttled, then the stream's retry
        with contextlib.suppress(RetryLater):
            emailer.deliver_record(world.stream_record(invoice.invoice_id, token))
    BounceRecorder(world.store, world.directory, world.clock).record(
        invoice_id=invoice.invoice_id, message_id="msg-1", kind="bounce", reason="550 5.1.1 no such user"
    )
    hook = StripeWebhook(PaymentLedger(world.store, world.clock), world.events, lambda body, sig: None, world.clock)
    event = stripe_fake.completed(stripe_fake.checkout_session(invoice.invoice_id, "prop_a", 32500))
    hook.receive(json.dumps(event).encode(), "signed")

    assert story(log_lines, invoice.number) == [
        ("invoice changed", "created", None, "Draft"),
        ("invoice changed", "published", "Draft", "Open"),
        ("email delivery attempt", "retry", None, None),
        ("email delivery attempt", "sent", None, None),
        ("invoice changed", "email_sent", "sending", "sent"),
        ("invoice changed", "email_bounced", "sent", "bounced"),
        ("invoice changed", "payment_succeeded", "Open", "Paid"),
    ]
    lines = log_lines.about(invoice_number=invoice.number)
    assert all(line["invoice_id"] == invoice.invoice_id for line in lines)
    _, published_line, retry, sent, email_sent, bounced, paid = lines
    assert published_line["actor"] == MANAGER_ACTOR
    assert published_line["email"] == "queued"
    assert (retry["reason"], retry["attempt"], retry["resident_id"]) == (
        "Throttling: Maximum sending rate exceeded.",
        1,
        pat.resident_id,
    )
    assert (sent["message_id"], sent["attempt"]) == ("msg-1", 2)
    assert email_sent["message_id"] == "msg-1"
    assert email_sent["actor"]["kind"] == "system"
    assert bounced["reason"] == "bounce: 550 5.1.1 no such user"
    assert paid["actor"] == {"kind": "stripe", "id": event["id"], "name": "checkout.session.completed"}


def test_an_email_that_could_not_be_sent_says_why(world: World, log_lines):
    mail = FakeEmailSender()
    mail.failures.append(Rejected("MessageRejected: Email address is not verified."))
    invoice = published(world, resident(world, email="pat@example.com"), send_email=True)

    InvoiceEmailer(world.store, mail, SETTINGS, world.clock).deliver_record(
        world.stream_record(invoice.invoice_id, "evt-1")
    )

    *_, attempt, failed = log_lines.about(invoice_number=invoice.number)
    assert (attempt["outcome"], attempt["reason"]) == ("rejected", "MessageRejected: Email address is not verified.")
    assert (failed["change"], failed["email_to"], failed["reason"]) == (
        "email_failed",
        "failed",
        "MessageRejected: Email address is not verified.",
    )


def test_void_and_overdue_name_the_status_they_left(world: World, log_lines):
    voided = published(world, send_email=False)
    late = published(world, send_email=False)
    world.invoices.voider.void("prop_a", voided.invoice_id, "Published by mistake", MANAGER)
    world.clock.at = datetime.combine(late.due_date + timedelta(days=2), time(12, 0), tzinfo=UTC)
    OverdueSweep(world.store, world.store, world.clock).run()

    (void_line,) = log_lines.about(invoice_number=voided.number, change="voided")
    (overdue_line,) = log_lines.about(invoice_number=late.number, change="overdue")
    assert (void_line["from"], void_line["to"], void_line["reason"]) == ("Open", "Void", "Published by mistake")
    assert void_line["actor"] == MANAGER_ACTOR
    assert (overdue_line["from"], overdue_line["to"], overdue_line["actor"]["kind"]) == ("Open", "Overdue", "schedule")
    assert world.store.get(voided.invoice_id).history[-1].from_status == "Open"
