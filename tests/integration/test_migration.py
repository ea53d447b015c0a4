"""A stack deployed before the counts and the compact shape: its invoices read the same,
and the migration gives them their listing email state and their property's counts."""

from __future__ import annotations

from datetime import UTC, date, datetime

import boto3

from hoa_billing.core.models import Actor, ActorKind, HistoryEntry, Invoice, InvoiceStatus, LineItem, Recipient
from hoa_billing.data.invoices import status_keys
from hoa_billing.data.items import to_item
from hoa_billing.data.listings import DynamoInvoiceListings
from scripts.migrate_invoices import listing_email_states
from tests.support.stories import detail


def old_item(invoice_id: str, status: InvoiceStatus, email_status: str, amount: int) -> dict:
    """An invoice as the previous data layer stored it: long names, ISO times, every default."""
    at = datetime(2026, 2, 1, 12, 0, tzinfo=UTC)
    actor = Actor(kind=ActorKind.API, id="mgr-1", name="Dana Manager")
    invoice = Invoice(
        invoice_id=invoice_id,
        property_id="prop_a",
        property_name="Maple Court HOA",
        time_zone="America/New_York",
        resident_id="res_old",
        resident_name="Old Resident",
        number=f"INV-{invoice_id[-5:]}",
        status=status,
        currency="USD",
        line_items=[LineItem(description="Monthly assessment", amount=amount)],
        amount_due=amount,
        due_date=date(2030, 1, 31),
        created_at=at,
        created_by=actor,
        email_status=email_status,
        recipient=Recipient(name="Old Resident", email="old@example.com") if email_status == "sent" else None,
        history=[HistoryEntry(at=at, action="created", actor=actor, to_status=InvoiceStatus.DRAFT)],
    )
    values = invoice.model_dump(mode="json", exclude_none=True)
    values.update(status_keys("prop_a", invoice_id, status))
    if status is not InvoiceStatus.DRAFT:
        values.update(gsi_portal_pk="res_old", gsi_portal_sk=invoice_id)
    return to_item(values)


def test_invoices_of_a_stack_before_the_migration_read_the_same_and_are_counted_after_it(api, stack, properties):
    table = stack.physical_name("InvoicesTable")
    client = boto3.client("dynamodb")
    for item in (
        old_item("inv_old_00001", InvoiceStatus.OPEN, "sent", 10000),
        old_item("inv_old_00002", InvoiceStatus.OPEN, "skipped_no_address", 20000),
        old_item("inv_old_00003", InvoiceStatus.DRAFT, "not_requested", 30000),
    ):
        client.put_item(TableName=table, Item=item)

    shown = detail(api, {"property_id": "prop_a", "invoice_id": "inv_old_00001"})
    assert (shown["invoice"]["status"], shown["invoice"]["email"]["status"]) == ("Open", "sent")
    assert [entry["action"] for entry in shown["history"]] == ["created"]

    assert listing_email_states(client, table) == 2
    assert listing_email_states(client, table) == 0  # safe to run again
    DynamoInvoiceListings(table, client).recount("prop_a")

    summary = api.get("/properties/prop_a/invoices/summary").body
    assert summary["counts"] == {"Draft": 1, "Open": 2, "Overdue": 0, "Paid": 0, "Void": 0}
    assert summary["drafts"]["total"]["amount"] == 30000
    listed = api.get("/properties/prop_a/invoices", query={"status": "Open"}).body["items"]
    assert {row["invoice_id"]: row["email_status"] for row in listed} == {
        "inv_old_00001": "sent",
        "inv_old_00002": "skipped_no_address",
    }
    # An old invoice changes as a new one does: a void moves its counts.
    assert api.post("/properties/prop_a/invoices/inv_old_00002/void", {"reason": "Duplicate"}).status == 200
    after = api.get("/properties/prop_a/invoices/summary").body["counts"]
    assert (after["Open"], after["Void"]) == (1, 1)
    assert [e["action"] for e in detail(api, {"property_id": "prop_a", "invoice_id": "inv_old_00002"})["history"]] == [
        "created",
        "voided",
    ]
