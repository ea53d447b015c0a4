"""The overdue sweep: Open invoices whose due date has passed become Overdue.

"Passed" is judged in each property's own time zone: an invoice due on the 10th is
overdue from midnight at the start of the 11th where the property is. The sweep reads
only Open invoices by due date, never the whole table, and asks for everything due
before the latest "today" anywhere on Earth (UTC+14); each candidate is then checked
against its own property's date.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta, timezone
from typing import Protocol

from hoa_billing.core import audit
from hoa_billing.core.clock import Clock, SystemClock, today_in
from hoa_billing.core.errors import Refused
from hoa_billing.core.models import Actor, ActorKind, DueInvoice, HistoryEntry, Invoice, InvoiceStatus

__all__ = ["SWEEP_ACTOR", "DueListing", "OverdueMarker", "OverdueSweep", "SweepResult"]

# The earliest time zone to reach a new day (Pacific/Kiritimati).
_EARLIEST_ZONE = timezone(timedelta(hours=14))
SWEEP_ACTOR = Actor(kind=ActorKind.SCHEDULE, id="overdue-sweep", name="Daily overdue check")


class DueListing(Protocol):
    def due_before(self, day_exclusive: str) -> Iterable[DueInvoice]: ...


class OverdueMarker(Protocol):
    def mark_overdue(self, property_id: str, invoice_id: str, due_date: str, entry: HistoryEntry) -> Invoice: ...


@dataclass
class SweepResult:
    moved: list[str] = field(default_factory=list)
    not_yet_due: int = 0
    changed_meanwhile: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"moved": len(self.moved), "not_yet_due": self.not_yet_due, "changed_meanwhile": self.changed_meanwhile}


class OverdueSweep:
    def __init__(self, listings: DueListing, store: OverdueMarker, clock: Clock | None = None) -> None:
        self.listings = listings
        self.store = store
        self.clock = clock or SystemClock()

    def run(self) -> SweepResult:
        result = SweepResult()
        latest_today = self.clock.now().astimezone(_EARLIEST_ZONE).date()
        for due in self.listings.due_before(latest_today.isoformat()):
            if date.fromisoformat(due.due_date) >= today_in(self.clock, due.time_zone):
                result.not_yet_due += 1
            elif self._mark_overdue(due):
                result.moved.append(due.invoice_id)
            else:
                result.changed_meanwhile += 1
        return result

    def _mark_overdue(self, due: DueInvoice) -> bool:
        """Open -> Overdue by conditional write; False if it was paid or voided meanwhile."""
        entry = HistoryEntry(
            at=self.clock.now(),
            action="overdue",
            actor=SWEEP_ACTOR,
            from_status=InvoiceStatus.OPEN,
            to_status=InvoiceStatus.OVERDUE,
            reason=f"due {due.due_date}, not paid in full",
        )
        try:
            moved = self.store.mark_overdue(due.property_id, due.invoice_id, due.due_date, entry)
        except Refused:
            return False
        audit.changed(moved.invoice_id, moved.number, entry, property_id=moved.property_id)
        return True
