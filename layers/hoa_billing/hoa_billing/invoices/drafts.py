"""Draft invoices: created from line items, deleted (drafts are deleted, not voided)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from hoa_billing.core import audit, errors
from hoa_billing.core.changes import DraftEdit
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


@dataclass(frozen=True)
class DraftChanges:
    """What a manager changes on a draft, against the version they saw: only the fields
    given change (``memo_given`` with ``memo`` None removes the memo)."""

    version: int
    line_items: list[LineItem] | None = None
    due_date: date | None = None
    memo: str | None = None
    memo_given: bool = False


class Drafts:
    def __init__(self, store: InvoiceStore, directory: Directory, clock: Clock | None = None) -> None:
        self.store = store
        self.directory = directory
        self.clock = clock or SystemClock()
        self.residents = Residents(directory, self.clock)

    def create(self, property_id: str, new: NewInvoice, actor: Actor) -> Invoice:
        resident = self.residents.require(property_id, new.resident_id)
        amount_due = _total(new.line_items)
        prop = require_property(self.directory, property_id)
        if new.currency != prop.currency:
            raise errors.CurrencyMismatch(
                f"This property bills in {prop.currency}; the invoice says {new.currency}.", field="currency"
            )
        self._check_due_date(new.due_date, prop.time_zone)
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

    def edit(self, property_id: str, invoice_id: str, changes: DraftChanges, actor: Actor) -> Invoice:
        """Change a draft's line items, due date or memo, if nobody changed it since the
        manager read it (409 ``version_conflict`` otherwise) and it is still a Draft."""
        current = owned(self.store.get(invoice_id), property_id, invoice_id)
        if current.status is not InvoiceStatus.DRAFT:
            raise _not_editable(current)
        line_items = changes.line_items if changes.line_items is not None else current.line_items
        due_date = changes.due_date if changes.due_date is not None else current.due_date
        memo = changes.memo if changes.memo_given else current.memo
        if changes.due_date is not None and changes.due_date != current.due_date:
            self._check_due_date(changes.due_date, current.time_zone)
        edited = {
            name: True
            for name, changed in (
                ("line_items", line_items != current.line_items),
                ("due_date", due_date != current.due_date),
                ("memo", memo != current.memo),
            )
            if changed
        }
        if not edited and changes.version == current.version:
            return current
        entry = HistoryEntry(
            at=self.clock.now(),
            action="edited",
            actor=actor,
            details={"fields": sorted(edited), "amount_due": _total(line_items)},
        )
        edit = DraftEdit(
            seen_version=changes.version,
            line_items=line_items,
            amount_due=_total(line_items),
            due_date=due_date,
            memo=memo,
            entry=entry,
        )
        try:
            edited_invoice = self.store.edit_draft(property_id, invoice_id, edit)
        except Refused as refused:
            now = owned(refused.current, property_id, invoice_id)
            if now.status is not InvoiceStatus.DRAFT:
                raise _not_editable(now) from None
            raise errors.VersionConflict(
                f"Invoice {now.number} was changed by someone else since you opened it. "
                "Reload it and make your change again.",
                current_version=now.version,
                status=now.status.value,
            ) from None
        audit.changed(invoice_id, current.number, entry, fields=sorted(edited), amount_due=edit.amount_due)
        return edited_invoice

    def _check_due_date(self, due_date: date, time_zone: str) -> None:
        today = today_in(self.clock, time_zone)
        if due_date < today:
            raise errors.DueDateInPast(
                f"The due date {due_date.isoformat()} is before today ({today.isoformat()}) "
                f"in the property's time zone.",
                field="due_date",
            )

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


def _total(line_items: list[LineItem]) -> int:
    total = sum(item.amount for item in line_items)
    if total > MAX_AMOUNT_MINOR:
        raise errors.InvalidRequest(
            "The invoice total is larger than any assessment this system accepts.", field="line_items"
        )
    return total


def _not_editable(invoice: Invoice) -> errors.InvoiceNotDraft:
    return errors.InvoiceNotDraft(
        f"Invoice {invoice.number} is {invoice.status}; only drafts can be edited. Void it and create a new one.",
        status=invoice.status.value,
    )
