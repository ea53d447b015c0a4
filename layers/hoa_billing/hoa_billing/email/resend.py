"""``POST .../resend-email``: queue an Open or Overdue invoice's email again, to the
resident's current address."""

from __future__ import annotations

from datetime import timedelta

from hoa_billing.core import audit, errors
from hoa_billing.core.changes import Resend
from hoa_billing.core.clock import Clock, SystemClock, new_id
from hoa_billing.core.errors import Refused
from hoa_billing.core.lifecycle import EMAILABLE
from hoa_billing.core.models import Actor, EmailStatus, HistoryEntry, Invoice
from hoa_billing.email.ports import AddressBook, EmailOutbox


class EmailResends:
    def __init__(
        self,
        outbox: EmailOutbox,
        directory: AddressBook,
        resend_interval_seconds: int,
        clock: Clock | None = None,
    ) -> None:
        self.outbox = outbox
        self.directory = directory
        self.interval = timedelta(seconds=resend_interval_seconds)
        self.clock = clock or SystemClock()

    def resend(self, property_id: str, invoice_id: str, actor: Actor) -> Invoice:
        invoice = self.outbox.get(invoice_id)
        if invoice is None or invoice.property_id != property_id:
            raise errors.InvoiceNotFound(f"Invoice {invoice_id} was not found.", invoice_id=invoice_id)
        resident = self.directory.get_resident(property_id, invoice.resident_id)
        recipient = resident.recipient() if resident else None
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
        resend = Resend(request_id=request_id, recipient=recipient, at=now, not_since=now - self.interval, entry=entry)
        try:
            queued = self.outbox.queue_resend(property_id, invoice_id, resend)
        except Refused as refused:
            raise self._refusal(refused.current, property_id, invoice_id) from None
        audit.changed(
            queued.invoice_id,
            queued.number,
            entry,
            email_from=invoice.email_status.value,
            email_to=queued.email_status.value,
            request_id=request_id,
            resident_id=queued.resident_id,
        )
        return queued

    def _refusal(self, current: Invoice | None, property_id: str, invoice_id: str) -> errors.DomainError:
        if current is None or current.property_id != property_id:
            return errors.InvoiceNotFound(f"Invoice {invoice_id} was not found.", invoice_id=invoice_id)
        if current.status not in EMAILABLE:
            return errors.EmailNotResendable(
                f"Invoice {current.number} is {current.status}; only Open or Overdue invoices can be emailed.",
                status=current.status.value,
            )
        if current.email_status in (EmailStatus.QUEUED, EmailStatus.SENDING):
            return errors.EmailInProgress(
                f"The email for invoice {current.number} is already on its way; it is retried until it is sent.",
                status=current.status.value,
                email_status=current.email_status.value,
            )
        wait = self.interval
        if current.email_requested_at is not None:
            wait = current.email_requested_at + self.interval - self.clock.now()
        return errors.EmailResendTooSoon(
            f"The email for invoice {current.number} was requested moments ago. Try again in a minute.",
            retry_after_seconds=max(1, int(wait.total_seconds()) + 1),
        )
