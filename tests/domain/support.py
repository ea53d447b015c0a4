"""Story steps of the domain suite: what a manager does, through the domain operations."""

from __future__ import annotations

from datetime import timedelta

from hoa_billing.core.models import Invoice, LineItem, Resident
from hoa_billing.invoices import NewInvoice, NewResident
from tests.domain.conftest import MANAGER, World


def resident(world: World, email: str | None = "pat@example.com", name: str = "Pat Lee") -> Resident:
    return world.invoices.residents.create("prop_a", NewResident(name=name, unit="1A", email=email))


def draft(world: World, who: Resident | None = None, *amounts: int, due_in_days: int = 30) -> Invoice:
    who = who or resident(world)
    items = [LineItem(description=f"Assessment part {n + 1}", amount=a) for n, a in enumerate(amounts or (32500,))]
    new = NewInvoice(
        resident_id=who.resident_id,
        line_items=items,
        currency="USD",
        due_date=world.today + timedelta(days=due_in_days),
    )
    return world.invoices.drafts.create("prop_a", new, MANAGER)


def published(world: World, who: Resident | None = None, *amounts: int, send_email: bool | None = None) -> Invoice:
    invoice = draft(world, who, *amounts)
    return world.invoices.publisher.publish_invoice("prop_a", invoice.invoice_id, send_email, MANAGER)
