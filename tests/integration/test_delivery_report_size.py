"""What a delivery report costs as the job grows: the read units of one report (counted
as DynamoDB charges them) at 1,000 and 10,000 invoices, the CSV of a 10,000-invoice job
inside one Lambda response (6 MB, counted as the response travels), and what listing a
chunk's invoices on its marker adds to the publish (nothing: the marker stays < 1 KB)."""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import UTC, date, datetime
from typing import Any

import boto3
import pytest

from bench.capacity import CapacityRecorder, table_specs
from hoa_billing.core.jobs import ChunkTally, PublishJob
from hoa_billing.core.models import Actor, ActorKind, HistoryEntry, Invoice, InvoiceStatus, LineItem, Recipient
from hoa_billing.data.deliveries import BATCH_ATTEMPTS, DynamoJobDeliveries, StillUnprocessed
from hoa_billing.data.directory import DynamoDirectory
from hoa_billing.data.invoices import item_of
from hoa_billing.data.items import to_item
from hoa_billing.data.jobs import DynamoPublishJobs
from hoa_billing.publish_all import DeliveryReports
from tests.support.bulk import use_bulk_environment

JOB = "job_01JFSIZE0000000000000000AA"
LAMBDA_RESPONSE_BYTES = 6 * 1024 * 1024
CHUNK = 25  # CHUNK_SIZE: the invoices of one worker message
STATES = ["sent"] * 6 + ["skipped_no_address", "failed", "bounced", "queued"]


def seed_job(stack: Any, count: int) -> None:
    """A finished job of ``count`` invoices as its publishes and emails left them."""
    now = datetime(2026, 3, 2, tzinfo=UTC)
    actor = Actor(kind=ActorKind.SCHEDULE, id="monthly")
    items = []
    for i in range(count):
        state = STATES[i % len(STATES)]
        invoice = Invoice(
            invoice_id=f"inv_01JFSIZE{i:018d}",
            property_id="prop_a",
            property_name="Maple Court HOA",
            time_zone="America/New_York",
            resident_id=f"res_01JFSIZE{i:018d}",
            resident_name=f"Resident Number {i}",
            number=f"INV-{i + 1:05d}",
            status=InvoiceStatus.OPEN,
            currency="USD",
            line_items=[LineItem(description="Monthly assessment", amount=32500)],
            amount_due=32500,
            due_date=date(2030, 1, 1),
            created_at=now,
            created_by=actor,
            published_at=now,
            published_by=actor,
            email_requested=state != "skipped_no_address",
            email_status=state,
            email_details={"reason": "MessageRejected: Email address is not verified"} if state == "failed" else {},
            recipient=None
            if state == "skipped_no_address"
            else Recipient(name=f"Resident Number {i}", email=f"resident.number{i}@example.com"),
            history=[HistoryEntry(at=now, action="published", actor=actor, to_status=InvoiceStatus.OPEN)],
        )
        item = item_of(invoice) | {"gsi_portal_pk": invoice.resident_id}
        items.append({"PutRequest": {"Item": to_item(item)}})
    client = boto3.client("dynamodb")
    table = stack.physical_name("InvoicesTable")
    for start in range(0, len(items), 25):
        client.batch_write_item(RequestItems={table: items[start : start + 25]})
    jobs = DynamoPublishJobs(stack.physical_name("PublishJobsTable"))
    jobs.create(
        PublishJob(
            job_id=JOB, property_id="prop_a", actor=actor, total=count, enumerated=count, started_at=now, updated_at=now
        )
    )
    # Its workers' markers, one a chunk of 25, as they count their messages.
    for start in range(0, count, CHUNK):
        ids = [f"inv_01JFSIZE{i:018d}" for i in range(start, min(start + CHUNK, count))]
        jobs.record_chunk(JOB, f"{uuid.UUID(int=start)}", ChunkTally(len(ids), 0, published_ids=ids), now)


@pytest.mark.parametrize(("invoices", "most_read_units"), [(1_000, 520), (10_000, 5_150)])
def test_a_report_reads_its_manifest_then_each_invoice_at_half_a_unit(stack, properties, invoices, most_read_units):
    seed_job(stack, invoices)
    session = boto3.Session()
    recorder = CapacityRecorder(table_specs(stack)).attach(session)
    client = session.client("dynamodb")
    reports = DeliveryReports(
        DynamoPublishJobs(stack.physical_name("PublishJobsTable"), client),
        DynamoJobDeliveries(
            stack.physical_name("InvoicesTable"), client, jobs_table=stack.physical_name("PublishJobsTable")
        ),
        DynamoDirectory(stack.physical_name("PropertiesTable"), client),
    )

    report = reports.report("prop_a", JOB, None, 50, None)
    usage = recorder.take()

    assert report.counts is not None
    assert report.counts.invoices == invoices == reports.jobs.get(JOB).published
    assert report.counts.sent + report.counts.queued + report.counts.failed + report.counts.bounced == (
        report.counts.emailed
    )
    assert report.counts.emailed + report.counts.no_address == invoices
    assert [line.delivery.number for line in report.lines] == [f"INV-{i:05d}" for i in range(1, 51)]
    rcu = usage.total("rcu")
    print(f"\ndelivery report of {invoices:,} invoices: {rcu:.1f} read units, {usage.total('requests'):.0f} requests")
    # Every invoice is read whole (0.5 units, eventually consistent), plus the markers.
    assert 0.5 * invoices < rcu <= most_read_units
    assert usage.total("requests") >= 1 + invoices / 100  # the markers, then 100 keys a request


def test_the_csv_of_a_10000_invoice_job_fits_one_lambda_response(api, stack, properties, monkeypatch):
    use_bulk_environment(stack, monkeypatch)
    seed_job(stack, 10_000)

    response = api.get(f"/properties/prop_a/publish-jobs/{JOB}/deliveries.csv")

    assert response.status == 200
    assert "X-Next-Cursor" not in response.headers
    travelling = len(json.dumps({"statusCode": 200, "headers": response.headers, "body": response.body}))
    print(f"\nCSV of 10,000 invoices: {len(response.body.encode()):,} bytes; as the response travels {travelling:,}")
    assert travelling < LAMBDA_RESPONSE_BYTES / 3  # typical rows: ~0.85 MB, room to spare
    rows = list(csv.reader(io.StringIO(response.body.removeprefix("\ufeff"))))
    assert len(rows) == 1 + 10_000
    assert len({row[0] for row in rows[1:]}) == 10_000


def test_listing_a_chunks_invoices_on_its_marker_costs_the_publish_nothing(stack, properties):
    """A marker of 25 invoice ids stays under 1 KB: its transaction write costs what the
    bare marker did (2 units), so the manifest adds no write unit to a published invoice."""
    now = datetime(2026, 3, 2, tzinfo=UTC)
    session = boto3.Session()
    recorder = CapacityRecorder(table_specs(stack)).attach(session)
    jobs = DynamoPublishJobs(stack.physical_name("PublishJobsTable"), session.client("dynamodb"))
    actor = Actor(kind=ActorKind.SCHEDULE, id="monthly")
    jobs.create(PublishJob(job_id=JOB, property_id="prop_a", actor=actor, total=50, started_at=now, updated_at=now))
    recorder.take()

    def chunk_cost(message: str, ids: list[str]) -> float:
        assert jobs.record_chunk(JOB, message, ChunkTally(len(ids), 0, published_ids=ids), now)
        return recorder.take().total("wcu")

    # The longest ids the project issues (a prefix and a ULID) and an SQS message id.
    listing = chunk_cost(str(uuid.uuid4()), [f"inv_01JFSIZE{i:018d}" for i in range(CHUNK)])
    bare = chunk_cost(str(uuid.uuid4()), [])

    assert listing == bare


class Unprocessing:
    """A DynamoDB client whose BatchGetItem leaves all but the first ``served`` keys of a
    request unprocessed, ``times`` times over (None: always), as DynamoDB does when throttled."""

    def __init__(self, client: Any, served: int, times: int | None) -> None:
        self.client, self.served, self.times, self.calls = client, served, times, 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)

    def batch_get_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:
        self.calls += 1
        ((table, request),) = RequestItems.items()
        if self.times is not None and self.times <= 0:
            return self.client.batch_get_item(RequestItems=RequestItems)
        if self.times is not None:
            self.times -= 1
        keys, left = request["Keys"][: self.served], request["Keys"][self.served :]
        response = self.client.batch_get_item(RequestItems={table: {**request, "Keys": keys}})
        if left:
            response["UnprocessedKeys"] = {table: {**request, "Keys": left}}
        return response


def deliveries_over(stack: Any, client: Any) -> DynamoJobDeliveries:
    return DynamoJobDeliveries(
        stack.physical_name("InvoicesTable"), client, jobs_table=stack.physical_name("PublishJobsTable")
    )


def test_keys_left_unprocessed_are_asked_again_until_every_invoice_is_read(stack, properties, monkeypatch):
    monkeypatch.setattr("hoa_billing.data.deliveries.BACKOFF_SECONDS", 0)
    seed_job(stack, 250)
    client = Unprocessing(boto3.client("dynamodb"), served=40, times=4)

    rows = deliveries_over(stack, client).all(JOB)

    assert [row.number for row in rows] == [f"INV-{i:05d}" for i in range(1, 251)]
    assert client.calls > 3  # three batches, and their retries


def test_keys_still_unprocessed_after_every_attempt_answer_service_busy(api, stack, properties, monkeypatch):
    monkeypatch.setattr("hoa_billing.data.deliveries.BACKOFF_SECONDS", 0)
    seed_job(stack, 100)
    client = Unprocessing(boto3.client("dynamodb"), served=10, times=None)
    with pytest.raises(StillUnprocessed):
        deliveries_over(stack, client).all(JOB)
    assert client.calls == BATCH_ATTEMPTS  # one batch, 60 of its 100 read: given up, not looping

    # Through the API: nothing decided, a 503 to retry, not a report that counts too few.
    use_bulk_environment(stack, monkeypatch)
    monkeypatch.setattr("hoa_billing.data.deliveries.DynamoJobDeliveries.client", client)
    response = api.get(f"/properties/prop_a/publish-jobs/{JOB}/deliveries")
    assert response.status == 503
    assert response.body["error"]["code"] == "service_busy"
