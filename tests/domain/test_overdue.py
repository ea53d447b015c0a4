"""The daily overdue sweep: judged in each property's own time zone."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from hoa_billing.core.models import InvoiceStatus, Property
from hoa_billing.overdue import OverdueSweep
from tests.domain.conftest import MANAGER, World
from tests.domain.support import draft, published, resident


def test_an_open_invoice_is_overdue_only_after_its_due_date_where_the_property_is(world: World):
    invoice = published(world, send_email=False)  # due in 30 days, Maple Court is in New York
    due = invoice.due_date
    sweep = OverdueSweep(world.store, world.store, world.clock)

    # 03:00 UTC the day after the due date is still the due date in New York.
    world.clock.at = datetime.combine(due + timedelta(days=1), time(3, 0), tzinfo=UTC)
    assert sweep.run().as_dict() == {"moved": 0, "not_yet_due": 1, "changed_meanwhile": 0}

    world.later(hours=3)  # 06:00 UTC: 01:00 the next day in New York
    assert sweep.run().moved == [invoice.invoice_id]
    after = world.store.get(invoice.invoice_id)
    assert after is not None
    assert after.status is InvoiceStatus.OVERDUE
    assert after.history[-1].action == "overdue"


def test_drafts_paid_and_void_invoices_are_never_made_overdue(world: World):
    kept = [draft(world), published(world, send_email=False), published(world, send_email=False)]
    world.invoices.voider.void("prop_a", kept[1].invoice_id, "Mistake", MANAGER)
    world.force(kept[2], status=InvoiceStatus.PAID)
    world.later(days=60)

    assert OverdueSweep(world.store, world.store, world.clock).run().moved == []


def test_a_property_east_of_utc_sees_its_new_day_first(world: World):
    world.directory.put_property(Property(property_id="prop_a", name="Kiribati HOA", time_zone="Pacific/Kiritimati"))
    invoice = published(world, resident(world), send_email=False)
    assert invoice.time_zone == "Pacific/Kiritimati"
    due = invoice.due_date
    # 10:30 UTC on the due date is 00:30 the next day in Kiritimati (UTC+14).
    world.clock.at = datetime(due.year, due.month, due.day, 10, 30, tzinfo=UTC)

    assert OverdueSweep(world.store, world.store, world.clock).run().moved == [invoice.invoice_id]
