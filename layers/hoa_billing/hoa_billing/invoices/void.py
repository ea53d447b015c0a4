"""Voiding a mistake: Open or Overdue -> Void, only while nothing was paid or is still
processing (a bank payment takes days). A reason is required; drafts are deleted instead."""

from __future__ import annotations

from hoa_billing.core import audit, errors
from hoa_billing.core.changes import Voiding
from hoa_billing.core.clock import Clock, SystemClock
from hoa_billing.core.errors import Refused
from hoa_billing.core.lifecycle import VOIDABLE, has_payments
from hoa_billing.core.models import Actor, HistoryEntry, Invoice, InvoiceStatus
from hoa_billing.invoices.lookup import get_invoice, owned
from hoa_billing.invoices.ports import InvoiceStore

# The sweep (Open -> Overdue) may move the invoice between the read and the write; the
# write names the status it was decided on, and is decided again from what it found.
MAX_ATTEMPTS = 3


class Voider:
    def __init__(self, store: InvoiceStore, clock: Clock | None = None) -> None:
        self.store = store
        self.clock = clock or SystemClock()

    def void(self, property_id: str, invoice_id: str, reason: str, actor: Actor) -> Invoice:
        """Void the invoice from the status it is in (which the history and the log name),
        by a conditional write on that status and on nothing paid or processing."""
        current = get_invoice(self.store, property_id, invoice_id)
        for _ in range(MAX_ATTEMPTS):
            if current.status not in VOIDABLE or has_payments(current):
                raise refusal(current)
            now = self.clock.now()
            entry = HistoryEntry(
                at=now,
                action="voided",
                actor=actor,
                from_status=current.status,
                to_status=InvoiceStatus.VOID,
                reason=reason,
            )
            voiding = Voiding(at=now, reason=reason, entry=entry, from_status=current.status)
            try:
                voided = self.store.void(property_id, invoice_id, voiding)
            except Refused as refused:
                current = owned(refused.current, property_id, invoice_id)
                continue
            audit.changed(voided.invoice_id, voided.number, entry, property_id=property_id)
            return voided
        raise errors.Conflict(
            f"Invoice {current.number} kept changing while it was being voided. Try again.",
            status=current.status.value,
        )


def refusal(current: Invoice) -> errors.DomainError:
    """Why an invoice cannot be voided, in words a manager can act on."""
    if current.status not in VOIDABLE:
        hint = " Delete it instead." if current.status is InvoiceStatus.DRAFT else ""
        return errors.InvoiceNotVoidable(
            f"Invoice {current.number} is {current.status}; only Open or Overdue invoices can be voided.{hint}",
            status=current.status.value,
        )
    return errors.InvoiceHasPayments(
        f"Invoice {current.number} has a payment that succeeded or is still processing, "
        "so it cannot be voided. Contact the resident directly to resolve it.",
        status=current.status.value,
        amount_paid=current.amount_paid,
        amount_processing=current.amount_processing,
    )
