"""Voiding a mistake: Open or Overdue -> Void, only while nothing was paid or is still
processing (a bank payment takes days). A reason is required; drafts are deleted instead."""

from __future__ import annotations

from hoa_billing.core import errors
from hoa_billing.core.changes import Voiding
from hoa_billing.core.clock import Clock, SystemClock
from hoa_billing.core.errors import Refused
from hoa_billing.core.lifecycle import VOIDABLE
from hoa_billing.core.models import Actor, HistoryEntry, Invoice, InvoiceStatus
from hoa_billing.invoices.lookup import owned
from hoa_billing.invoices.ports import InvoiceStore


class Voider:
    def __init__(self, store: InvoiceStore, clock: Clock | None = None) -> None:
        self.store = store
        self.clock = clock or SystemClock()

    def void(self, property_id: str, invoice_id: str, reason: str, actor: Actor) -> Invoice:
        now = self.clock.now()
        entry = HistoryEntry(at=now, action="voided", actor=actor, to_status=InvoiceStatus.VOID, reason=reason)
        try:
            return self.store.void(property_id, invoice_id, Voiding(at=now, reason=reason, entry=entry))
        except Refused as refused:
            raise refusal(owned(refused.current, property_id, invoice_id)) from None


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
