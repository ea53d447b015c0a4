"""Delivering a queued invoice email exactly once.

The invoice row is the outbox. Publishing (or a resend) writes ``email_status =
queued`` in the same conditional write that changes the invoice; the table's stream
carries that change to the outbox function, which hands it to the email queue
(``EmailRequests.forward``); the email sender takes it from there and calls
``InvoiceEmailer.deliver``, never faster than the account's SES rate.

Delivery claims the request (``queued -> sending``, a conditional write), sends, then
records ``sent`` or ``failed``. So a retried or duplicated delivery finds the request
already claimed or finished and sends nothing. The one duplicate left is the window
between SES accepting a message and ``sent`` being recorded: if the process dies there,
the retry cannot know SES accepted it and sends again.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import replace
from datetime import timedelta
from enum import StrEnum
from typing import Any

from hoa_billing.core import audit
from hoa_billing.core.changes import EmailClaim, EmailDelivery, EmailOutcome
from hoa_billing.core.clock import Clock, SystemClock, iso
from hoa_billing.core.errors import Refused
from hoa_billing.core.lifecycle import EMAILABLE
from hoa_billing.core.models import Actor, ActorKind, EmailStatus, HistoryEntry, Invoice
from hoa_billing.core.observability import logger
from hoa_billing.core.settings import EmailSettings
from hoa_billing.email.message import EmailMessage, Rejected, RetryLater
from hoa_billing.email.ports import EmailOutbox, EmailSender
from hoa_billing.email.render import render_invoice_email
from hoa_billing.email.senders import NamedOnly, Senders

SYSTEM = Actor(kind=ActorKind.SYSTEM, id="email-sender", name="Email sender")
FINISHED = frozenset({EmailStatus.SENT, EmailStatus.FAILED, EmailStatus.BOUNCED})
UNRECORDED_KEPT = 1000


class Outcome(StrEnum):
    SENT = "sent"
    FAILED = "failed"
    ALREADY_HANDLED = "already_handled"
    SUPERSEDED = "superseded"
    CANCELLED = "cancelled"
    SKIPPED = "skipped"  # a notice to a resident with no usable address


class InvoiceEmailer:
    def __init__(
        self,
        outbox: EmailOutbox,
        sender: EmailSender,
        settings: EmailSettings,
        clock: Clock | None = None,
        senders: Senders | None = None,
    ) -> None:
        self.outbox = outbox
        self.sender = sender
        self.settings = settings
        self.clock = clock or SystemClock()
        self.senders: Senders = senders or NamedOnly()
        # Sends SES accepted whose outcome could not be written (DynamoDB still throttled
        # or unreachable after the SDK's retries), by email request. The queue delivers
        # the request again, usually to the same warm environment: that delivery records
        # this send instead of sending the email a second time.
        self._unrecorded: OrderedDict[str, str] = OrderedDict()

    def deliver_record(
        self, stream_record: dict[str, Any], attempt: str | None = None
    ) -> tuple[EmailDelivery, Outcome]:
        """Deliver what one stream record of the outbox asks for. ``attempt`` names this
        delivery of the record (the queue message's receipt): the claim is held under the
        record and the attempt together, so two deliveries of one record at the same
        moment never both hold it; a delivery after the lease retakes a stale claim."""
        delivery = self.outbox.delivery_of(stream_record)
        if attempt is not None:
            delivery = replace(delivery, token=f"{delivery.token}/{attempt}")
        outcome = self.deliver(delivery)
        if outcome in (Outcome.ALREADY_HANDLED, Outcome.SUPERSEDED):
            logger.info(
                "email delivery not needed",
                invoice_id=delivery.invoice_id,
                request_id=delivery.request_id,
                outcome=outcome.value,
            )
        return delivery, outcome

    def deliver(self, delivery: EmailDelivery) -> Outcome:
        """Send the email once. Raises ``RetryLater`` when the stream must try again."""
        now = self.clock.now()
        claim = EmailClaim(
            request_id=delivery.request_id,
            token=delivery.token,
            at=now,
            stale_before=now - timedelta(seconds=self.settings.claim_lease_seconds),
        )
        try:
            invoice = self.outbox.claim_email(delivery.invoice_id, claim, delivery.seen)
        except Refused as refused:
            return self._not_claimed(refused.current, delivery)

        details: dict[str, Any] = {
            **invoice.email_details,
            "request_id": delivery.request_id,
            "attempts": invoice.email_attempts,
        }
        recipient = invoice.recipient
        if recipient is None:
            return self._fail(invoice, delivery, details, "no_recipient: the request named no address")
        sent_earlier = self._unrecorded.get(_request(delivery))
        if sent_earlier is not None:
            return self._record_sent(invoice, delivery, details, recipient.email, sent_earlier)
        if invoice.email_attempts > self.settings.max_attempts:
            last = invoice.email_details.get("last_error", "unknown")
            return self._fail(
                invoice, delivery, details, f"gave_up after {invoice.email_attempts - 1} attempts: {last}"
            )

        identity = self.senders.identity(invoice.property_id, invoice.property_name)
        rendered = render_invoice_email(invoice, recipient, self.settings.portal_base_url, identity.reply_to)
        message = EmailMessage(
            to_name=recipient.name,
            to_address=recipient.email,
            subject=rendered.subject,
            html=rendered.html,
            text=rendered.text,
            tags={"invoice_id": invoice.invoice_id, "request_id": delivery.request_id},
            from_name=identity.display_name,
            reply_to=identity.reply_to,
        )
        details["to"] = recipient.email
        try:
            message_id = self.sender.send(message)
        except Rejected as rejected:
            self._attempted(invoice, delivery, "rejected", reason=rejected.reason)
            return self._fail(invoice, delivery, details, rejected.reason)
        except RetryLater as later:
            self._attempted(invoice, delivery, "retry", reason=later.reason)
            details["last_error"] = later.reason
            try:
                self.outbox.release_email(invoice.invoice_id, delivery.token, details)
            except Refused:
                logger.warning("claim lost before release", invoice_id=invoice.invoice_id)
            raise
        self._attempted(invoice, delivery, "sent", message_id=message_id)
        return self._record_sent(invoice, delivery, details, recipient.email, message_id)

    @staticmethod
    def _attempted(invoice: Invoice, delivery: EmailDelivery, outcome: str, **result: str) -> None:
        audit.delivery_attempt(
            invoice.invoice_id,
            invoice.number,
            request_id=delivery.request_id,
            attempt=invoice.email_attempts,
            outcome=outcome,
            resident_id=invoice.resident_id,
            **result,
        )

    def _record_sent(
        self, invoice: Invoice, delivery: EmailDelivery, details: dict[str, Any], address: str, message_id: str
    ) -> Outcome:
        sent_at = self.clock.now()
        details.update({"message_id": message_id, "sent_at": iso(sent_at)})
        details.pop("last_error", None)
        entry = HistoryEntry(
            at=sent_at, action="email_sent", actor=SYSTEM, details={"to": address, "message_id": message_id}
        )
        outcome = EmailOutcome(
            token=delivery.token, status=EmailStatus.SENT, details=details, entry=entry, message_id=message_id
        )
        try:
            self.outbox.record_email_outcome(invoice.invoice_id, outcome)
        except Refused:
            # Our claim went stale and was retaken: the other holder records its own send.
            logger.warning("sent, but the claim was retaken", invoice_id=invoice.invoice_id, message_id=message_id)
        except Exception:
            # The claim stays ours; the stream retries this record and records the send.
            self._unrecorded[_request(delivery)] = message_id
            while len(self._unrecorded) > UNRECORDED_KEPT:
                self._unrecorded.popitem(last=False)
            logger.warning("sent, but not yet recorded", invoice_id=invoice.invoice_id, message_id=message_id)
            raise
        self._unrecorded.pop(_request(delivery), None)
        audit.changed(
            invoice.invoice_id,
            invoice.number,
            entry,
            email_from=EmailStatus.SENDING.value,
            email_to=EmailStatus.SENT.value,
            message_id=message_id,
            request_id=delivery.request_id,
            resident_id=invoice.resident_id,
        )
        return Outcome.SENT

    def _fail(self, invoice: Invoice, delivery: EmailDelivery, details: dict[str, Any], reason: str) -> Outcome:
        now = self.clock.now()
        details = {**details, "reason": reason, "failed_at": iso(now)}
        details.pop("last_error", None)
        entry = HistoryEntry(at=now, action="email_failed", actor=SYSTEM, reason=reason)
        outcome = EmailOutcome(token=delivery.token, status=EmailStatus.FAILED, details=details, entry=entry)
        try:
            self.outbox.record_email_outcome(invoice.invoice_id, outcome)
        except Refused:
            logger.warning("failure not recorded: the claim was retaken", invoice_id=invoice.invoice_id)
            return Outcome.FAILED
        audit.changed(
            invoice.invoice_id,
            invoice.number,
            entry,
            email_from=EmailStatus.SENDING.value,
            email_to=EmailStatus.FAILED.value,
            request_id=delivery.request_id,
            resident_id=invoice.resident_id,
        )
        return Outcome.FAILED

    def _not_claimed(self, current: Invoice | None, delivery: EmailDelivery) -> Outcome:
        if current is None:
            return Outcome.ALREADY_HANDLED
        if (current.email_request_id or current.publish_id) != delivery.request_id:
            return Outcome.SUPERSEDED
        if current.email_status in FINISHED:
            return Outcome.ALREADY_HANDLED
        if current.status not in EMAILABLE and current.email_status is EmailStatus.QUEUED:
            now = self.clock.now()
            reason = (
                f"invoice_{current.status.value.lower()}: the invoice was {current.status} before the email went out"
            )
            details = {**current.email_details, "request_id": delivery.request_id, "reason": reason}
            entry = HistoryEntry(at=now, action="email_failed", actor=SYSTEM, reason=reason)
            try:
                self.outbox.cancel_email(current.invoice_id, delivery.request_id, details, entry)
            except Refused:
                return Outcome.ALREADY_HANDLED
            audit.changed(
                current.invoice_id,
                current.number,
                entry,
                email_from=EmailStatus.QUEUED.value,
                email_to=EmailStatus.FAILED.value,
                request_id=delivery.request_id,
                resident_id=current.resident_id,
            )
            return Outcome.CANCELLED
        if current.email_status is EmailStatus.SENDING:
            # Another delivery holds a fresh claim and may be sending right now.
            raise RetryLater("another delivery of this email holds the claim")
        return Outcome.ALREADY_HANDLED


def _request(delivery: EmailDelivery) -> str:
    return f"{delivery.invoice_id}|{delivery.request_id}"
