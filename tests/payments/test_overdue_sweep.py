"""The daily overdue sweep: an Open invoice whose due date has passed where the property
is becomes Overdue, recorded as done by the schedule. Time zones far from UTC on purpose."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from overdue_sweep.app import lambda_handler

from hoa_billing.core.clock import FixedClock
from hoa_billing.core.models import Property
from hoa_billing.data.directory import DynamoDirectory
from hoa_billing.data.invoices import DynamoInvoices
from hoa_billing.data.listings import DynamoDueInvoices, DynamoInvoiceListings
from hoa_billing.overdue import OverdueSweep
from hoa_local import EVENTS, stripe_fake
from hoa_local.lambdas import LambdaContext
from tests.support.payments import deliver, manager_view, published_invoice, session_for, stored_invoice
from tests.support.stories import FUTURE, create_resident

DUE = date.fromisoformat(FUTURE)


def sweep_at(stack, moment: datetime) -> dict:
    with open(EVENTS / "schedule" / "OverdueSweepFunction.Daily.json", encoding="utf-8") as handle:
        event = json.load(handle)
    table = stack.physical_name("InvoicesTable")
    open_invoices = DynamoDueInvoices(
        DynamoInvoiceListings(table), DynamoDirectory(stack.physical_name("PropertiesTable")).all_property_ids
    )
    sweep = OverdueSweep(open_invoices, DynamoInvoices(table), FixedClock(moment))
    return lambda_handler(event, LambdaContext(function_name="hoa-test-OverdueSweepFunction"), deps=sweep)


@pytest.fixture
def far_away(api, directory):
    """Two properties on either side of the date line: UTC+14 and UTC-11."""
    for prop in (
        Property(property_id="prop_kiri", name="Kiritimati Palms HOA", time_zone="Pacific/Kiritimati"),
        Property(property_id="prop_pago", name="Pago Pago Bay HOA", time_zone="Pacific/Pago_Pago"),
    ):
        directory.put_property(prop)
    api.claims["property_ids"] = "[prop_a prop_kiri prop_pago]"


def _utc(day: date, hour: int, minute: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("property_id", "last_minute_of_due_date", "first_minute_after"),
    [
        # Kiritimati is UTC+14: its due date ends at 10:00 UTC on that same date.
        ("prop_kiri", _utc(DUE, 9, 59), _utc(DUE, 10, 0)),
        # Pago Pago is UTC-11: its due date ends at 11:00 UTC the next day.
        ("prop_pago", _utc(DUE + timedelta(days=1), 10, 59), _utc(DUE + timedelta(days=1), 11, 0)),
    ],
    ids=["Pacific/Kiritimati", "Pacific/Pago_Pago"],
)
def test_an_invoice_becomes_overdue_only_once_its_due_date_has_passed_where_the_property_is(
    api, properties, far_away, stack, property_id, last_minute_of_due_date, first_minute_after
):
    invoice = published_invoice(api, resident=create_resident(api, property_id), property_id=property_id)

    on_the_due_date = sweep_at(stack, last_minute_of_due_date)

    assert on_the_due_date["moved"] == 0
    assert stored_invoice(stack, invoice["invoice_id"])["status"] == "Open"

    the_day_after = sweep_at(stack, first_minute_after)

    assert the_day_after["moved"] == 1
    shown = manager_view(api, invoice)
    assert shown["invoice"]["status"] == "Overdue"
    last = shown["history"][-1]
    assert (last["action"], last["from_status"], last["to_status"]) == ("overdue", "Open", "Overdue")
    assert last["actor"]["kind"] == "schedule"
    assert stored_invoice(stack, invoice["invoice_id"])["gsi_status_sk"].startswith("Overdue#")
    assert sweep_at(stack, first_minute_after)["moved"] == 0  # the next run finds nothing to do


def test_paid_and_voided_invoices_are_not_candidates(api, properties, stack):
    paid = published_invoice(api)
    deliver(api, stripe_fake.completed(session_for(paid)))
    voided = published_invoice(api)
    api.post(f"/properties/prop_a/invoices/{voided['invoice_id']}/void", {"reason": "Published by mistake"})

    result = sweep_at(stack, _utc(DUE + timedelta(days=5), 12, 0))

    assert result == {"moved": 0, "not_yet_due": 0, "changed_meanwhile": 0}
    assert stored_invoice(stack, paid["invoice_id"])["status"] == "Paid"
    assert stored_invoice(stack, voided["invoice_id"])["status"] == "Void"


def test_an_overdue_invoice_can_still_be_paid_in_full(api, properties, stack):
    invoice = published_invoice(api, 32500)
    sweep_at(stack, _utc(DUE + timedelta(days=2), 12, 0))
    assert stored_invoice(stack, invoice["invoice_id"])["status"] == "Overdue"

    deliver(api, stripe_fake.completed(session_for(invoice)))

    assert stored_invoice(stack, invoice["invoice_id"])["status"] == "Paid"
