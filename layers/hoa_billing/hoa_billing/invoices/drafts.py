"""Draft invoices: created from line items, deleted (drafts are deleted, not voided)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from hoa_billing.core import audit, errors
from hoa_billing.core.clock import Clock, SystemClock, new_id, today_in
from hoa_billing.core.errors import Refused
from hoa_billing.core.models import Actor, HistoryEntry, Invoice, InvoiceStatus, LineItem
from hoa_billing.core.money import MAX_AMOUNT_MINOR
from hoa_billing.invoices.lookup import owned, require_property
from hoa_billing.invoices.ports import Directory, InvoiceStore
from hoa_billing.invoices.residents import Residents


@dataclass(frozen=True)
class NewInvoice:
    resident_id: str
    line_items: list[LineItem]
    currency: str
    due_date: date
    memo: str | None = None


class Drafts:
    def __init__(self, store: InvoiceStore, directory: Directory, clock: Clock | None = None) -> None:
        self.store = store
        self.directory = directory
        self.clock = clock or SystemClock()
        self.residents = Residents(directory, self.clock)

    def create(self, property_id: str, new: NewInvoice, actor: Actor) -> Invoice:
        resident = self.residents.require(property_id, new.resident_id)
        amount_due = sum(item.amount for item in new.line_items)
        if amount_due > MAX_AMOUNT_MINOR:
            raise errors.InvalidRequest(
                "The invoice total is larger than any assessment this system accepts.", field="line_items"
            )
        prop = require_property(self.directory, property_id)
        if new.currency != prop.currency:
            raise errors.CurrencyMismatch(
                f"This property bills in {prop.currency}; the invoice says {new.currency}.", field="currency"
            )
        today = today_in(self.clock, prop.time_zone)
        if new.due_date < today:
            raise errors.DueDateInPast(
                f"The due date {new.due_date.isoformat()} is before today ({today.isoformat()}) "
                f"in the property's time zone.",
                field="due_date",
            )
        taken = self.directory.next_invoice_number(property_id)
        if taken is None:
            raise errors.PropertyNotFound(f"Property {property_id} does not exist.", property_id=property_id)
        sequence, prop = taken
        now = self.clock.now()
        invoice = Invoice(
            invoice_id=new_id("inv", now),
            property_id=property_id,
            property_name=prop.name,
            time_zone=prop.time_zone,
            resident_id=resident.resident_id,
            resident_name=resident.name,
            number=f"INV-{sequence:05d}",
            status=InvoiceStatus.DRAFT,
            currency=new.currency,
            line_items=new.line_items,
            amount_due=amount_due,
            due_date=new.due_date,
            memo=new.memo,
            created_at=now,
            created_by=actor,
            history=[HistoryEntry(at=now, action="created", actor=actor, to_status=InvoiceStatus.DRAFT)],
        )
        self.store.add_draft(invoice)
        audit.changed(
            invoice.invoice_id,
            invoice.number,
            invoice.history[0],
            property_id=property_id,
            resident_id=resident.resident_id,
            amount_due=amount_due,
            currency=new.currency,
        )
        return invoice

    def delete(self, property_id: str, invoice_id: str) -> None:
        try:
            self.store.delete_draft(property_id, invoice_id)
        except Refused as refused:
            current = owned(refused.current, property_id, invoice_id)
            raise errors.InvoiceNotDraft(
                f"Invoice {current.number} is {current.status}; only drafts can be deleted. "
                "Void it instead if no payment has been made.",
                status=current.status.value,
            ) from None
