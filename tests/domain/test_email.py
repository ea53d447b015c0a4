"""The resident receives an email with the invoice details and a Pay Now link: exactly
once, never lost, and a retry or a duplicate delivery sends nothing twice."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hoa_billing.core import errors
from hoa_billing.core.models import EmailStatus, InvoiceStatus
from hoa_billing.core.settings import EmailSettings
from hoa_billing.email import BounceRecorder, EmailResends, InvoiceEmailer, Outcome, Rejected, RetryLater
from tests.domain.conftest import MANAGER, World
from tests.domain.support import published, resident
from tests.support.fakes import FakeEmailSender

SETTINGS = EmailSettings.model_validate(
    {"SENDER_EMAIL": "billing@maplecourt.example", "PORTAL_BASE_URL": "https://portal.example", "EMAIL_MAX_ATTEMPTS": 3}
)


@pytest.fixture
def mail() -> FakeEmailSender:
    return FakeEmailSender()


@pytest.fixture
def emailer(world: World, mail: FakeEmailSender) -> InvoiceEmailer:
    return InvoiceEmailer(world.store, mail, SETTINGS, world.clock)


def stream(world: World, invoice_id: str, token: str = "evt-1") -> dict:
    return world.stream_record(invoice_id, token)


def test_the_email_names_the_invoice_and_carries_a_pay_now_link(world: World, emailer, mail):
    invoice = published(world, resident(world, email="pat@example.com", name="Pat Lee"), 32500)

    _, outcome = emailer.deliver_record(stream(world, invoice.invoice_id))

    assert outcome is Outcome.SENT
    (message,) = mail.sent
    assert message.to_address == "pat@example.com"
    assert "INV-00001" in message.subject
    assert "$325.00" in message.subject
    assert f"https://portal.example/invoices/{invoice.invoice_id}" in message.html
    after = world.store.get(invoice.invoice_id)
    assert after is not None
    assert after.email_status is EmailStatus.SENT
    assert after.history[-1].action == "email_sent"


def test_a_record_delivered_twice_sends_once(world: World, emailer, mail):
    invoice = published(world)
    emailer.deliver_record(stream(world, invoice.invoice_id, "evt-1"))

    _, again = emailer.deliver_record(stream(world, invoice.invoice_id, "evt-2"))

    assert again is Outcome.ALREADY_HANDLED
    assert len(mail.sent) == 1


def test_throttling_keeps_the_email_queued_for_the_retry(world: World, emailer, mail):
    invoice = published(world)
    mail.failures.append(RetryLater("TooManyRequests"))

    with pytest.raises(RetryLater):
        emailer.deliver_record(stream(world, invoice.invoice_id))
    queued = world.store.get(invoice.invoice_id)
    assert queued is not None
    assert queued.email_status is EmailStatus.QUEUED

    _, outcome = emailer.deliver_record(stream(world, invoice.invoice_id))
    assert outcome is Outcome.SENT
    assert len(mail.sent) == 1


def test_a_refused_address_is_marked_failed_with_the_reason(world: World, emailer, mail):
    invoice = published(world)
    mail.failures.append(Rejected("MessageRejected: Address blacklisted"))

    _, outcome = emailer.deliver_record(stream(world, invoice.invoice_id))

    after = world.store.get(invoice.invoice_id)
    assert outcome is Outcome.FAILED
    assert after is not None
    assert after.email_details["reason"] == "MessageRejected: Address blacklisted"


def test_an_email_queued_for_an_invoice_voided_first_is_cancelled_not_sent(world: World, emailer, mail):
    invoice = published(world)
    world.invoices.voider.void("prop_a", invoice.invoice_id, "Mistake", MANAGER)

    _, outcome = emailer.deliver_record(stream(world, invoice.invoice_id))

    assert outcome is Outcome.CANCELLED
    assert mail.sent == []


def test_a_resend_goes_to_the_current_address_and_not_twice_in_a_minute(world: World, emailer, mail):
    invoice = published(world)
    emailer.deliver_record(stream(world, invoice.invoice_id))
    resends = EmailResends(world.store, world.directory, 60, world.clock)
    world.later(minutes=5)

    resent = resends.resend("prop_a", invoice.invoice_id, MANAGER)
    assert resent.email_status is EmailStatus.QUEUED
    with pytest.raises(errors.EmailInProgress):
        resends.resend("prop_a", invoice.invoice_id, MANAGER)
    emailer.deliver_record(stream(world, invoice.invoice_id, "evt-2"))
    with pytest.raises(errors.EmailResendTooSoon):
        resends.resend("prop_a", invoice.invoice_id, MANAGER)

    assert len(mail.sent) == 2


def test_a_resend_to_a_resident_without_an_address_is_refused(world: World):
    invoice = published(world, resident(world, email=None))
    with pytest.raises(errors.ResidentHasNoEmail):
        EmailResends(world.store, world.directory, 60, world.clock).resend("prop_a", invoice.invoice_id, MANAGER)


def test_a_bounce_marks_the_address_bouncing_and_the_next_publish_offers_no_email(world: World, emailer, mail):
    who = resident(world, email="gone@example.com")
    invoice = published(world, who)
    emailer.deliver_record(stream(world, invoice.invoice_id))

    applied = BounceRecorder(world.store, world.directory, world.clock).record(
        invoice_id=invoice.invoice_id, message_id="msg-1", kind="bounce", reason="mailbox does not exist"
    )

    assert applied
    after = world.store.get(invoice.invoice_id)
    assert after is not None
    assert after.email_status is EmailStatus.BOUNCED
    next_invoice = published(world, who)
    assert next_invoice.email_status is EmailStatus.SKIPPED_NO_ADDRESS


def test_a_claim_older_than_the_lease_is_retaken_by_the_retry(world: World, emailer, mail):
    invoice = published(world)
    mail.failures.append(RuntimeError("the process died mid-send"))
    with pytest.raises(RuntimeError):
        emailer.deliver_record(stream(world, invoice.invoice_id, "evt-1"))
    stuck = world.store.get(invoice.invoice_id)
    assert stuck is not None
    assert stuck.email_status is EmailStatus.SENDING

    world.later(seconds=SETTINGS.claim_lease_seconds + 1)
    _, outcome = emailer.deliver_record(stream(world, invoice.invoice_id, "evt-9"))

    assert outcome is Outcome.SENT
    assert len(mail.sent) == 1
    assert world.store.get(invoice.invoice_id).status is InvoiceStatus.OPEN  # type: ignore[union-attr]


def test_after_too_many_attempts_the_email_is_marked_failed_rather_than_left_waiting(world: World, emailer, mail):
    invoice = published(world)
    for _ in range(SETTINGS.max_attempts):
        mail.failures.append(RetryLater("Throttling"))
        with pytest.raises(RetryLater):
            emailer.deliver_record(stream(world, invoice.invoice_id))
        world.later(seconds=1)

    _, outcome = emailer.deliver_record(stream(world, invoice.invoice_id))

    assert outcome is Outcome.FAILED
    assert world.store.get(invoice.invoice_id).email_details["reason"].startswith("gave_up")  # type: ignore[union-attr]
    assert timedelta(0) <= world.clock.now() - invoice.published_at  # type: ignore[operator]


def test_two_deliveries_of_one_request_at_the_same_moment_send_once(world: World, mail):
    """The queue may hand one request to two senders at once (a stream batch forwarded
    twice, a message delivered twice): the claim is held per delivery, so the second
    leaves it to the first and comes back later."""
    invoice = published(world)
    record = stream(world, invoice.invoice_id, "evt-1")
    meanwhile: list[Exception] = []

    class SlowSender(FakeEmailSender):
        def send(self, message):  # while this send is in flight, the other delivery runs
            try:
                emailer.deliver_record(record, attempt="receipt-2")
            except RetryLater as later:
                meanwhile.append(later)
            return super().send(message)

    emailer = InvoiceEmailer(world.store, SlowSender(), SETTINGS, world.clock)

    _, outcome = emailer.deliver_record(record, attempt="receipt-1")

    assert outcome is Outcome.SENT
    assert len(meanwhile) == 1  # the second delivery found the claim fresh and backed off
    assert len(emailer.sender.sent) == 1  # type: ignore[attr-defined]
    world.later(minutes=10)
    _, later = emailer.deliver_record(record, attempt="receipt-3")
    assert later is Outcome.ALREADY_HANDLED


def test_a_send_whose_record_failed_is_recorded_by_the_next_delivery_of_its_request(world: World, mail):
    """SES accepted it and writing "sent" failed (DynamoDB busy past the SDK's retries):
    the next delivery of the same request, under another receipt, records that send."""
    invoice = published(world)
    record = stream(world, invoice.invoice_id, "evt-1")

    class Store:
        def __init__(self, store):
            self.store, self.failures = store, 1

        def __getattr__(self, name):
            return getattr(self.store, name)

        def record_email_outcome(self, invoice_id, outcome):
            if self.failures:
                self.failures -= 1
                raise RuntimeError("DynamoDB still busy")
            return self.store.record_email_outcome(invoice_id, outcome)

    emailer = InvoiceEmailer(Store(world.store), mail, SETTINGS, world.clock)
    with pytest.raises(RuntimeError):
        emailer.deliver_record(record, attempt="receipt-1")
    world.later(minutes=6)  # the queue's visibility timeout: the claim's lease is over

    _, outcome = emailer.deliver_record(record, attempt="receipt-2")

    assert outcome is Outcome.SENT
    assert len(mail.sent) == 1
    after = world.store.get(invoice.invoice_id)
    assert after is not None
    assert after.email_status is EmailStatus.SENT
