"""The Invoices page reads the summary on every load: it costs the same at 100 invoices as
at 10,000 (two requests, at most two read units, as DynamoDB charges them), and its
counts are what the invoices say, also after concurrent changes of one invoice."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime
from typing import Any

import boto3
import pytest

from bench.capacity import CapacityRecorder, table_specs
from hoa_billing.core.clock import SystemClock
from hoa_billing.core.models import Actor, ActorKind, HistoryEntry, Invoice, InvoiceStatus, LineItem
from hoa_billing.data.directory import DynamoDirectory
from hoa_billing.data.invoices import DynamoInvoices, item_of
from hoa_billing.data.items import to_item
from hoa_billing.data.listings import DynamoInvoiceListings
from hoa_billing.invoices import Invoices
from hoa_billing.overdue import SWEEP_ACTOR
from tests.support.stories import create_draft, create_resident, publish


def seed_drafts(stack: Any, property_id: str, count: int) -> None:
    """``count`` drafts written in bulk, then counted once, as a migrated stack would be."""
    client = boto3.client("dynamodb")
    now = datetime(2026, 3, 2, tzinfo=UTC)
    actor = Actor(kind=ActorKind.SYSTEM, id="seed")
    items = []
    for i in range(count):
        invoice = Invoice(
            invoice_id=f"inv_{property_id}_{i:06d}",
            property_id=property_id,
            property_name="Maple Court HOA",
            time_zone="America/New_York",
            resident_id=f"res_{i:06d}",
            resident_name=f"Resident {i}",
            number=f"INV-{i + 1:05d}",
            status=InvoiceStatus.DRAFT,
            currency="USD",
            line_items=[LineItem(description="Monthly assessment", amount=32500)],
            amount_due=32500,
            due_date=date(2030, 1, 1),
            created_at=now,
            created_by=actor,
            history=[HistoryEntry(at=now, action="created", actor=actor, to_status=InvoiceStatus.DRAFT)],
        )
        items.append({"PutRequest": {"Item": to_item(item_of(invoice))}})
    table = stack.physical_name("InvoicesTable")
    for start in range(0, len(items), 25):
        client.batch_write_item(RequestItems={table: items[start : start + 25]})
    DynamoInvoiceListings(table, client).recount(property_id)


@pytest.mark.parametrize("drafts", [100, 10_000])
def test_the_summary_is_two_small_reads_however_many_invoices(stack, properties, drafts):
    seed_drafts(stack, "prop_a", drafts)
    session = boto3.Session()
    recorder = CapacityRecorder(table_specs(stack)).attach(session)
    client = session.client("dynamodb")
    reads = Invoices.build(
        None,  # type: ignore[arg-type]  # the summary writes nothing
        DynamoInvoiceListings(stack.physical_name("InvoicesTable"), client),
        DynamoDirectory(stack.physical_name("PropertiesTable"), client),
    ).reads

    summary = reads.summary("prop_a")
    usage = recorder.take()

    assert (summary.totals.counts[InvoiceStatus.DRAFT], summary.totals.draft_total) == (drafts, drafts * 32500)
    assert usage.total("requests") == 2
    assert usage.total("rcu") <= 2


def test_concurrent_changes_of_one_invoice_count_once(api, stack, properties):
    """Twenty publishes of one draft and twenty voids of another, all at once: one of each
    wins, and the counts move once each."""
    resident = create_resident(api)["resident_id"]
    contested, to_void = create_draft(api, resident, 10000), create_draft(api, resident, 20000)
    publish(api, to_void)
    start = threading.Barrier(40)
    answers: list[int] = []

    def publish_it() -> None:
        start.wait()
        answers.append(api.post(f"/properties/prop_a/invoices/{contested['invoice_id']}/publish", {}).status)

    def void_it() -> None:
        start.wait()
        path = f"/properties/prop_a/invoices/{to_void['invoice_id']}/void"
        answers.append(api.post(path, {"reason": "Twice"}).status)

    threads = [threading.Thread(target=publish_it) for _ in range(20)] + [
        threading.Thread(target=void_it) for _ in range(20)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(answers).count(200) == 2
    summary = api.get("/properties/prop_a/invoices/summary").body
    assert summary["counts"] == {"Draft": 0, "Open": 1, "Overdue": 0, "Paid": 0, "Void": 1}
    assert summary["drafts"]["total"]["amount"] == 0


def test_a_void_racing_the_overdue_sweep_counts_the_invoice_out_of_overdue(api, stack, properties):
    """The void reads the invoice Open; before its write, the sweep moves it to Overdue:
    the void's write is refused, read again and applied to the Overdue invoice."""
    draft = create_draft(api, create_resident(api)["resident_id"], 10000)
    publish(api, draft)
    table = stack.physical_name("InvoicesTable")
    client = boto3.client("dynamodb")
    store = DynamoInvoices(table, client)
    swept: list[str] = []

    def sweep_between(**_: Any) -> None:
        if not swept:
            swept.append("moved")
            entry = HistoryEntry(at=SystemClock().now(), action="overdue", actor=SWEEP_ACTOR)
            DynamoInvoices(table, boto3.client("dynamodb")).mark_overdue(
                "prop_a", draft["invoice_id"], draft["due_date"], entry
            )

    client.meta.events.register("after-call.dynamodb.GetItem", sweep_between)
    directory = DynamoDirectory(stack.physical_name("PropertiesTable"))
    invoices = Invoices.build(store, DynamoInvoiceListings(table, client), directory)

    voided = invoices.voider.void("prop_a", draft["invoice_id"], "Waived", Actor(kind=ActorKind.API, id="mgr-1"))

    assert swept == ["moved"]
    assert voided.status is InvoiceStatus.VOID
    summary = api.get("/properties/prop_a/invoices/summary").body
    assert summary["counts"] == {"Draft": 0, "Open": 0, "Overdue": 0, "Paid": 0, "Void": 1}
