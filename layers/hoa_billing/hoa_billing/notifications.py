"""The invoice email: delivering a queued email exactly once, resending, and bounces.

The invoice row is the outbox. Publishing (or a resend) writes ``email_status =
queued`` in the same conditional write that changes the invoice; the table's stream
carries that change to the email sender, which calls ``InvoiceEmailer.deliver``.

Delivery claims the request (``queued -> sending``, a conditional write), sends, then
records ``sent`` or ``failed``. So a retried or duplicated stream record finds the
request already claimed or finished and sends nothing. The one duplicate left is the
window between SES accepting a message and ``sent`` being recorded: if the process dies
there, the retry cannot know SES accepted it and sends again.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from hoa_billing import errors
from hoa_billing.clock import Clock, SystemClock, iso, new_id
from hoa_billing.config import EmailSettings
from hoa_billing.dal.directory import DirectoryRepository
from hoa_billing.dal.email import (
    bounce_update,
    cancel_update,
    claim_update,
    mark_address_bouncing,
    outcome_update,
    release_update,
    resend_update,
)
from hoa_billing.dal.invoices import ConditionFailed, InvoiceRepository
from hoa_billing.email.message import EmailMessage, EmailSender, Rejected, RetryLater
from hoa_billing.email.render import render_invoice_email
from hoa_billing.lifecycle import EMAILABLE
from hoa_billing.models import Actor, ActorKind, EmailStatus, HistoryEntry, Invoice
from hoa_billing.observability import logger
from hoa_billing.service import recipient_of

SYSTEM = Actor(kind=ActorKind.SYSTEM, id="email-sender", name="Email sender")
FINISHED = frozenset({EmailStatus.SENT, EmailStatus.FAILED, EmailStatus.BOUNCED})
BUSY = frozenset({EmailStatus.QUEUED, EmailStatus.SENDING})
UNRECORDED_KEPT = 1000


class EmailInProgress(errors.Conflict):
    code = "email_in_progress"


class EmailResendTooSoon(errors.TooManyRequests):
    code = "email_resend_too_soon"


@dataclass(frozen=True)
class Delivery:
    """What one stream record asks for: send this request's email for this invoice."""

    invoice_id: str
    request_id: str
    # The stream record's event id: a retry of the same record may retake its own claim.
    token: str
    # The invoice as the write that queued the email left it (the record's new image,
    # plain values), when the record carries it: the claim then need not read it back.
    image: dict[str, Any] | None = field(default=None, compare=False, repr=False)


class Outcome(StrEnum):
    SENT = "sent"
    FAILED = "failed"
    ALREADY_HANDLED = "already_handled"
    SUPERSEDED = "superseded"
    CANCELLED = "cancelled"


class InvoiceEmailer:
    def __init__(
        self,
        invoices: InvoiceRepository,
        sender: EmailSender,
        settings: EmailSettings,
        clock: Clock | None = None,
    ) -> None:
        self.invoices = invoices
        self.sender = sender
        self.settings = settings
        self.clock = clock or SystemClock()
        # Sends SES accepted whose outcome could not be written (DynamoDB still throttled
        # or unreachable after the SDK's retries), by claim token. Lambda retries a
        # shard's batch in order and usually in the same warm environment: the retry
        # records this send instead of sending the email a second time.
        self._unrecorded: OrderedDict[str, str] = OrderedDict()

    def deliver(self, delivery: Delivery) -> Outcome:
        """Send the email once. Raises ``RetryLater`` when the stream must try again."""
        now = self.clock.now()
        stale_before = now - timedelta(seconds=self.settings.claim_lease_seconds)
        try:
            invoice = self._claim(delivery, now, stale_before)
        except ConditionFailed as refused:
            return self._not_claimed(refused.current, delivery)

        details: dict[str, Any] = {
            **invoice.email_details,
            "request_id": delivery.request_id,
            "attempts": invoice.email_attempts,
        }
        recipient = invoice.recipient
        if recipient is None:
            return self._fail(invoice, delivery, details, "no_recipient: the request named no address")
        sent_earlier = self._unrecorded.get(delivery.token)
        if sent_earlier is not None:
            return self._record_sent(invoice, delivery, details, recipient.email, sent_earlier)
        if invoice.email_attempts > self.settings.max_attempts:
            last = invoice.email_details.get("last_error", "unknown")
            return self._fail(
                invoice, delivery, details, f"gave_up after {invoice.email_attempts - 1} attempts: {last}"
            )

        rendered = render_invoice_email(invoice, recipient, self.settings.portal_base_url)
        message = EmailMessage(
            to_name=recipient.name,
            to_address=recipient.email,
            subject=rendered.subject,
            html=rendered.html,
            text=rendered.text,
            tags={"invoice_id": invoice.invoice_id, "request_id": delivery.request_id},
        )
        details["to"] = recipient.email
        try:
            message_id = self.sender.send(message)
        except Rejected as rejected:
            return self._fail(invoice, delivery, details, rejected.reason)
        except RetryLater as later:
            details["last_error"] = later.reason
            try:
                self.invoices.write(invoice.invoice_id, release_update(token=delivery.token, details=details))
            except ConditionFailed:
                logger.warning("claim lost before release", invoice_id=invoice.invoice_id)
            raise

        return self._record_sent(invoice, delivery, details, recipient.email, message_id)

    def _claim(self, delivery: Delivery, now: datetime, stale_before: datetime) -> Invoice:
        """Take the claim; the invoice as it stands, claimed.

        The record's image is the invoice as the write that queued the email left it.
        If the claim finds the invoice still at that version (every change but a claim
        and its release counts one) and it is this request's first claim since (so no
        release has rewritten its details), the image is the invoice: DynamoDB need only
        answer with what the claim wrote. Otherwise the invoice is read back, as it
        stands: a changed invoice is claimed without the version, answered in full; a
        claim taken before (released after a failed send, or gone stale) is read."""
        image = delivery.image
        version = image.get("version") if image else None
        if image is not None and isinstance(version, int):
            claim = claim_update(
                request_id=delivery.request_id,
                token=delivery.token,
                now=now,
                stale_before=stale_before,
                version=version,
            )
            try:
                claimed = self.invoices.apply_updated(delivery.invoice_id, claim)
            except ConditionFailed as refused:
                current = refused.current
                if current is None or current.version == version or current.email_status not in BUSY:
                    raise  # refused for what it claims, not for the version
            else:
                if claimed.get("email_attempts") == int(image.get("email_attempts", 0)) + 1:
                    return Invoice.model_validate({**image, **claimed})
                current = self.invoices.get(delivery.invoice_id)  # consistent: our claim is in it
                if current is None:
                    raise ConditionFailed(None)
                return current
        claim = claim_update(request_id=delivery.request_id, token=delivery.token, now=now, stale_before=stale_before)
        return self.invoices.apply(delivery.invoice_id, claim)

    def _record_sent(
        self, invoice: Invoice, delivery: Delivery, details: dict[str, Any], address: str, message_id: str
    ) -> Outcome:
        sent_at = self.clock.now()
        details.update({"message_id": message_id, "sent_at": iso(sent_at)})
        details.pop("last_error", None)
        entry = HistoryEntry(
            at=sent_at, action="email_sent", actor=SYSTEM, details={"to": address, "message_id": message_id}
        )
        update = outcome_update(
            token=delivery.token, status=EmailStatus.SENT, details=details, history=entry, message_id=message_id
        )
        try:
            self.invoices.write(invoice.invoice_id, update)
        except ConditionFailed:
            # Our claim went stale and was retaken: the other holder records its own send.
            logger.warning("sent, but the claim was retaken", invoice_id=invoice.invoice_id, message_id=message_id)
        except Exception:
            # The claim stays ours; the stream retries this record and records the send.
            self._unrecorded[delivery.token] = message_id
            while len(self._unrecorded) > UNRECORDED_KEPT:
                self._unrecorded.popitem(last=False)
            logger.warning("sent, but not yet recorded", invoice_id=invoice.invoice_id, message_id=message_id)
            raise
        self._unrecorded.pop(delivery.token, None)
        return Outcome.SENT

    def _fail(self, invoice: Invoice, delivery: Delivery, details: dict[str, Any], reason: str) -> Outcome:
        now = self.clock.now()
        details = {**details, "reason": reason, "failed_at": iso(now)}
        details.pop("last_error", None)
        entry = HistoryEntry(at=now, action="email_failed", actor=SYSTEM, reason=reason)
        update = outcome_update(token=delivery.token, status=EmailStatus.FAILED, details=details, history=entry)
        try:
            self.invoices.write(invoice.invoice_id, update)
        except ConditionFailed:
            logger.warning("failure not recorded: the claim was retaken", invoice_id=invoice.invoice_id)
        return Outcome.FAILED

    def _not_claimed(self, current: Invoice | None, delivery: Delivery) -> Outcome:
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
                self.invoices.write(
                    current.invoice_id, cancel_update(request_id=delivery.request_id, details=details, history=entry)
                )
            except ConditionFailed:
                return Outcome.ALREADY_HANDLED
            return Outcome.CANCELLED
        if current.email_status is EmailStatus.SENDING:
            # Another delivery holds a fresh claim and may be sending right now.
            raise RetryLater("another delivery of this email holds the claim")
        return Outcome.ALREADY_HANDLED


class EmailResends:
    """``POST .../resend-email``: queue the invoice's email again, to the current address."""

    def __init__(
        self,
        invoices: InvoiceRepository,
        directory: DirectoryRepository,
        resend_interval_seconds: int,
        clock: Clock | None = None,
    ) -> None:
        self.invoices = invoices
        self.directory = directory
        self.interval = timedelta(seconds=resend_interval_seconds)
        self.clock = clock or SystemClock()

    def resend(self, property_id: str, invoice_id: str, actor: Actor) -> Invoice:
        invoice = self.invoices.get(invoice_id)
        if invoice is None or invoice.property_id != property_id:
            raise errors.InvoiceNotFound(f"Invoice {invoice_id} was not found.", invoice_id=invoice_id)
        recipient = recipient_of(self.directory.get_resident(property_id, invoice.resident_id))
        if recipient is None:
            raise errors.ResidentHasNoEmail(
                f"{invoice.resident_name} has no usable email address on file. "
                "Add or correct it on their profile, or notify them another way.",
                resident_id=invoice.resident_id,
            )
        now = self.clock.now()
        request_id = new_id("eml")
        entry = HistoryEntry(
            at=now,
            action="email_resend_requested",
            actor=actor,
            details={"to": recipient.email, "request_id": request_id},
        )
        update = resend_update(
            property_id=property_id,
            request_id=request_id,
            recipient=recipient,
            now=now,
            not_since=now - self.interval,
            history=entry,
        )
        try:
            return self.invoices.apply(invoice_id, update)
        except ConditionFailed as refused:
            raise self._refusal(refused.current, property_id, invoice_id) from None

    def _refusal(self, current: Invoice | None, property_id: str, invoice_id: str) -> errors.DomainError:
        if current is None or current.property_id != property_id:
            return errors.InvoiceNotFound(f"Invoice {invoice_id} was not found.", invoice_id=invoice_id)
        if current.status not in EMAILABLE:
            return errors.EmailNotResendable(
                f"Invoice {current.number} is {current.status}; only Open or Overdue invoices can be emailed.",
                status=current.status.value,
            )
        if current.email_status in (EmailStatus.QUEUED, EmailStatus.SENDING):
            return EmailInProgress(
                f"The email for invoice {current.number} is already on its way; it is retried until it is sent.",
                status=current.status.value,
                email_status=current.email_status.value,
            )
        wait = self.interval
        if current.email_requested_at is not None:
            wait = current.email_requested_at + self.interval - self.clock.now()
        return EmailResendTooSoon(
            f"The email for invoice {current.number} was requested moments ago. Try again in a minute.",
            retry_after_seconds=max(1, int(wait.total_seconds()) + 1),
        )


class BounceRecorder:
    """SES bounce and complaint notifications: the address is marked bouncing (no more
    emails to it until it is corrected) and the invoice's email marked bounced."""

    def __init__(self, invoices: InvoiceRepository, directory: DirectoryRepository, clock: Clock | None = None) -> None:
        self.invoices = invoices
        self.directory = directory
        self.clock = clock or SystemClock()

    def record(self, *, invoice_id: str, message_id: str, kind: str, reason: str) -> bool:
        now = self.clock.now()
        current = self.invoices.get(invoice_id)
        if current is None:
            return False
        if current.recipient is not None:
            mark_address_bouncing(self.directory, current.property_id, current.resident_id, current.recipient.email)
        details = {**current.email_details, "bounced_at": iso(now), "bounce": kind, "reason": reason}
        entry = HistoryEntry(at=now, action="email_bounced", actor=SYSTEM, reason=f"{kind}: {reason}")
        try:
            self.invoices.write(invoice_id, bounce_update(message_id=message_id, details=details, history=entry))
        except ConditionFailed:
            return False
        return True
