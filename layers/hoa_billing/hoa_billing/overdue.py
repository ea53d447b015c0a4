"""The overdue sweep: Open invoices whose due date has passed become Overdue.

"Passed" is judged in each property's own time zone: an invoice due on the 10th is
overdue from midnight at the start of the 11th where the property is. The sweep reads
only the ``OpenByDueDate`` index (Open invoices, by due date), never the whole table,
and asks it for everything due before the latest "today" anywhere on Earth (UTC+14);
each candidate is then checked against its own property's date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta, timezone

from hoa_billing.clock import Clock, SystemClock, today_in
from hoa_billing.dal.invoices import ConditionFailed, InvoiceRepository, leave_open_update
from hoa_billing.models import Actor, ActorKind, HistoryEntry, InvoiceStatus

# The earliest time zone to reach a new day (Pacific/Kiritimati).
_EARLIEST_ZONE = timezone(timedelta(hours=14))
SWEEP_ACTOR = Actor(kind=ActorKind.SCHEDULE, id="overdue-sweep", name="Daily overdue check")


@dataclass
class SweepResult:
    moved: list[str] = field(default_factory=list)
    not_yet_due: int = 0
    changed_meanwhile: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"moved": len(self.moved), "not_yet_due": self.not_yet_due, "changed_meanwhile": self.changed_meanwhile}


class OverdueSweep:
    def __init__(self, invoices: InvoiceRepository, clock: Clock | None = None) -> None:
        self.invoices = invoices
        self.clock = clock or SystemClock()

    def run(self) -> SweepResult:
        result = SweepResult()
        latest_today = self.clock.now().astimezone(_EARLIEST_ZONE).date()
        for row in self.invoices.open_due_before(latest_today.isoformat()):
            due = date.fromisoformat(row["due_date"])
            if due >= today_in(self.clock, row["time_zone"]):
                result.not_yet_due += 1
                continue
            if self._mark_overdue(row["invoice_id"], row["property_id"], row["due_date"]):
                result.moved.append(row["invoice_id"])
            else:
                result.changed_meanwhile += 1
        return result

    def _mark_overdue(self, invoice_id: str, property_id: str, due_date: str) -> bool:
        """Open -> Overdue by conditional write; False if it was paid or voided meanwhile."""
        entry = HistoryEntry(
            at=self.clock.now(),
            action="overdue",
            actor=SWEEP_ACTOR,
            from_status=InvoiceStatus.OPEN,
            to_status=InvoiceStatus.OVERDUE,
            reason=f"due {due_date}, not paid in full",
        )
        update = leave_open_update(
            invoice_id=invoice_id,
            property_id=property_id,
            to_status=InvoiceStatus.OVERDUE,
            from_statuses=frozenset({InvoiceStatus.OPEN}),
            fields={},
            history=entry,
        ).require("{due_date} = :due", due=due_date)
        try:
            self.invoices.write(invoice_id, update)
        except ConditionFailed:
            return False
        return True
