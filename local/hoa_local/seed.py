"""Demo data: a property with residents (two without an email address) and a dozen drafts,
created through the domain service as a manager would through the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from hoa_billing.core.clock import Clock, SystemClock, today_in
from hoa_billing.core.models import Actor, ActorKind, LineItem, Property
from hoa_billing.invoices import Invoices, NewInvoice, NewResident

DEMO_PROPERTY = Property(property_id="prop_demo", name="Maple Court HOA", time_zone="America/New_York")
# (name, unit, email): two residents have no address on file, as in real buildings.
DEMO_RESIDENTS = [
    ("Pat Lee", "1A", "pat.lee@example.com"),
    ("Sam Ortiz", "1B", "sam.ortiz@example.com"),
    ("Robin Chen", "2A", None),
    ("Alex Kim", "2B", "alex.kim@example.com"),
    ("Jordan Diaz", "3A", None),
    ("Casey Patel", "3B", "casey.patel@example.com"),
]


@dataclass(frozen=True)
class DemoData:
    property_id: str
    resident_ids: list[str]
    residents_with_email: list[str]
    draft_ids: list[str]


class PropertyWriter(Protocol):
    def put_property(self, prop: Property) -> None: ...


def seed_demo(invoices: Invoices, directory: PropertyWriter, drafts: int = 12, clock: Clock | None = None) -> DemoData:
    directory.put_property(DEMO_PROPERTY)
    pid = DEMO_PROPERTY.property_id
    residents = [invoices.residents.create(pid, NewResident(name=n, unit=u, email=e)) for n, u, e in DEMO_RESIDENTS]
    seeder = Actor(kind=ActorKind.SYSTEM, id="demo-seed", name="Demo data")
    due = today_in(clock or SystemClock(), DEMO_PROPERTY.time_zone) + timedelta(days=30)
    draft_ids = []
    for index in range(drafts):
        resident = residents[index % len(residents)]
        items = [LineItem(description="Monthly assessment", amount=32500)]
        if index % 3 == 0:
            items.append(LineItem(description="Pool key replacement", amount=2500 + 500 * index))
        new = NewInvoice(resident_id=resident.resident_id, line_items=items, currency="USD", due_date=due, memo=None)
        draft_ids.append(invoices.drafts.create(pid, new, seeder).invoice_id)
    return DemoData(
        property_id=pid,
        resident_ids=[r.resident_id for r in residents],
        residents_with_email=[r.resident_id for r in residents if r.email],
        draft_ids=draft_ids,
    )
