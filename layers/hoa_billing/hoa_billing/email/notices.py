"""Receipts and failed-payment notices, delivered exactly once through the invoice
email's pipeline.

The write that applies a payment also queues its notice (``payments`` decides which:
a receipt for money applied, a notice when a bank payment failed and the invoice is
payable again). The notices table's stream carries it to the email outbox function and
the email queue, like an invoice email; the sender hands it here.

Delivery is the invoice email's protocol: claim (``queued -> sending``, conditional),
send, record ``sent`` or ``failed`` (or ``skipped_no_address``), so a duplicated or
retried delivery finds the notice claimed or finished and sends nothing. The outcome is
written with a history entry on the invoice (``notice_sent``, ``notice_failed``,
``notice_skipped``), which is how a manager sees it on the invoice.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import replace
from datetime import timedelta
from typing import Any, Protocol

from hoa_billing.core import audit
from hoa_billing.core.changes import NoticeClaim, NoticeDelivery, NoticeOutcome
from hoa_billing.core.clock import Clock, SystemClock
from hoa_billing.core.errors import Refused
from hoa_billing.core.models import HistoryEntry, Invoice, Notice, NoticeStatus, Resident
from hoa_billing.core.observability import logger
from hoa_billing.core.settings import EmailSettings
from hoa_billing.email.delivery import SYSTEM, UNRECORDED_KEPT, Outcome
from hoa_billing.email.message import EmailMessage, Rejected, RetryLater
from hoa_billing.email.ports import EmailSender
from hoa_billing.email.render import render_notice_email
from hoa_billing.email.senders import NamedOnly, Senders

FINISHED = frozenset({NoticeStatus.SENT, NoticeStatus.FAILED, NoticeStatus.SKIPPED_NO_ADDRESS})


class NoticeOutbox(Protocol):
    """The notices as their email's outbox. Claims and outcomes are conditional and raise
    ``errors.Refused`` (carrying the notice as it stood) when their condition fails."""

    def is_notice(self, stream_record: dict[str, Any]) -> bool: ...

    def delivery_of(self, stream_record: dict[str, Any]) -> NoticeDelivery: ...

    def claim(self, delivery: NoticeDelivery, claim: NoticeClaim) -> Notice: ...

    def release(self, delivery: NoticeDelivery, token: str, last_error: str) -> None: ...

    def record_outcome(self, delivery: NoticeDelivery, outcome: NoticeOutcome) -> None: ...


class NoticeReads(Protocol):
    def get(self, invoice_id: str) -> Invoice | None: ...


class Residents(Protocol):
    def get_resident(self, property_id: str, resident_id: str) -> Resident | None: ...


class NoticeEmailer:
    def __init__(
        self,
        notices: NoticeOutbox,
        invoices: NoticeReads,
        residents: Residents,
        sender: EmailSender,
        settings: EmailSettings,
        clock: Clock | None = None,
        senders: Senders | None = None,
    ) -> None:
        self.notices = notices
        self.invoices = invoices
        self.residents = residents
        self.sender = sender
        self.settings = settings
        self.clock = clock or SystemClock()
        self.senders: Senders = senders or NamedOnly()
        # As the invoice email: sends SES accepted whose outcome could not be written yet.
        self._unrecorded: OrderedDict[str, tuple[str, str]] = OrderedDict()

    def handles(self, stream_record: dict[str, Any]) -> bool:
        return self.notices.is_notice(stream_record)

    def deliver_record(
        self, stream_record: dict[str, Any], attempt: str | None = None
    ) -> tuple[NoticeDelivery, Outcome]:
        delivery = self.notices.delivery_of(stream_record)
        if attempt is not None:
            delivery = replace(delivery, token=f"{delivery.token}/{attempt}")
        outcome = self.deliver(delivery)
        if outcome is Outcome.ALREADY_HANDLED:
            logger.info("notice delivery not needed", invoice_id=delivery.invoice_id, notice_id=delivery.notice_id)
        return delivery, outcome

    def deliver(self, delivery: NoticeDelivery) -> Outcome:
        """Send the notice once. Raises ``RetryLater`` when the queue must try again."""
        now = self.clock.now()
        claim = NoticeClaim(
            token=delivery.token,
            at=now,
            stale_before=now - timedelta(seconds=self.settings.claim_lease_seconds),
        )
        try:
            notice = self.notices.claim(delivery, claim)
        except Refused as refused:
            current: Notice | None = refused.current
            if current is not None and current.status is NoticeStatus.SENDING:
                raise RetryLater("another delivery of this notice holds the claim") from None
            return Outcome.ALREADY_HANDLED

        invoice = self.invoices.get(notice.invoice_id)
        if invoice is None:
            return self._finish(delivery, notice, None, NoticeStatus.FAILED, reason="the invoice was not found")
        sent_earlier = self._unrecorded.get(_key(delivery))
        if sent_earlier is not None:
            address, message_id = sent_earlier
            return self._finish(delivery, notice, invoice, NoticeStatus.SENT, to=address, message_id=message_id)
        resident = self.residents.get_resident(invoice.property_id, notice.resident_id)
        recipient = resident.recipient() if resident else None
        if recipient is None:
            return self._finish(
                delivery, notice, invoice, NoticeStatus.SKIPPED_NO_ADDRESS, reason="no usable email address on file"
            )
        if notice.attempts > self.settings.max_attempts:
            last = notice.last_error or "unknown"
            reason = f"gave_up after {notice.attempts - 1} attempts: {last}"
            return self._finish(delivery, notice, invoice, NoticeStatus.FAILED, to=recipient.email, reason=reason)

        identity = self.senders.identity(invoice.property_id, invoice.property_name)
        rendered = render_notice_email(notice, invoice, recipient, self.settings.portal_base_url, identity.reply_to)
        message = EmailMessage(
            to_name=recipient.name,
            to_address=recipient.email,
            subject=rendered.subject,
            html=rendered.html,
            text=rendered.text,
            tags={"invoice_id": invoice.invoice_id, "notice": notice.kind.value},
            from_name=identity.display_name,
            reply_to=identity.reply_to,
        )
        try:
            message_id = self.sender.send(message)
        except Rejected as rejected:
            self._attempted(invoice, notice, "rejected", reason=rejected.reason)
            return self._finish(
                delivery, notice, invoice, NoticeStatus.FAILED, to=recipient.email, reason=rejected.reason
            )
        except RetryLater as later:
            self._attempted(invoice, notice, "retry", reason=later.reason)
            try:
                self.notices.release(delivery, delivery.token, later.reason)
            except Refused:
                logger.warning("notice claim lost before release", notice_id=notice.notice_id)
            raise
        self._attempted(invoice, notice, "sent", message_id=message_id)
        try:
            return self._finish(delivery, notice, invoice, NoticeStatus.SENT, to=recipient.email, message_id=message_id)
        except Exception:
            # The claim stays ours; the queue delivers the request again and records this send.
            self._unrecorded[_key(delivery)] = (recipient.email, message_id)
            while len(self._unrecorded) > UNRECORDED_KEPT:
                self._unrecorded.popitem(last=False)
            logger.warning("notice sent, but not yet recorded", notice_id=notice.notice_id, message_id=message_id)
            raise

    @staticmethod
    def _attempted(invoice: Invoice, notice: Notice, outcome: str, **result: str) -> None:
        audit.delivery_attempt(
            invoice.invoice_id,
            invoice.number,
            request_id=notice.notice_id,
            attempt=notice.attempts,
            outcome=outcome,
            resident_id=notice.resident_id,
            **result,
        )

    def _finish(
        self,
        delivery: NoticeDelivery,
        notice: Notice,
        invoice: Invoice | None,
        status: NoticeStatus,
        *,
        to: str | None = None,
        message_id: str | None = None,
        reason: str | None = None,
    ) -> Outcome:
        action = {
            NoticeStatus.SENT: "notice_sent",
            NoticeStatus.SKIPPED_NO_ADDRESS: "notice_skipped",
        }.get(status, "notice_failed")
        details: dict[str, Any] = {"kind": notice.kind.value, "payment_id": notice.payment_id}
        if to:
            details["to"] = to
        if message_id:
            details["message_id"] = message_id
        entry = HistoryEntry(at=self.clock.now(), action=action, actor=SYSTEM, reason=reason, details=details)
        outcome = NoticeOutcome(
            token=delivery.token, status=status, entry=entry, to=to, message_id=message_id, reason=reason
        )
        try:
            self.notices.record_outcome(delivery, outcome)
        except Refused:
            # Our claim went stale and was retaken: the other holder records its own outcome.
            logger.warning("notice outcome not recorded: the claim was retaken", notice_id=notice.notice_id)
            return Outcome.FAILED if status is not NoticeStatus.SENT else Outcome.SENT
        self._unrecorded.pop(_key(delivery), None)
        audit.changed(
            notice.invoice_id,
            invoice.number if invoice else None,
            entry,
            email_from=NoticeStatus.SENDING.value,
            email_to=status.value,
            notice_id=notice.notice_id,
            message_id=message_id,
            resident_id=notice.resident_id,
        )
        return {
            NoticeStatus.SENT: Outcome.SENT,
            NoticeStatus.SKIPPED_NO_ADDRESS: Outcome.SKIPPED,
        }.get(status, Outcome.FAILED)


def _key(delivery: NoticeDelivery) -> str:
    return f"{delivery.invoice_id}|{delivery.notice_id}"


class Mailroom:
    """The email sender's one entry point: each queued request to the emailer that owns
    it (a notice, or an invoice's email)."""

    def __init__(self, invoices: Any, notices: NoticeEmailer) -> None:
        self.invoices = invoices
        self.notices = notices

    def deliver_record(self, stream_record: dict[str, Any], attempt: str | None = None) -> tuple[Any, Outcome]:
        if self.notices.handles(stream_record):
            return self.notices.deliver_record(stream_record, attempt)
        result: tuple[Any, Outcome] = self.invoices.deliver_record(stream_record, attempt)
        return result
