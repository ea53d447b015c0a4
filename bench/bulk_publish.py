"""Benchmark: Publish All Drafts in-process against moto, next to a naive baseline.

Run by hand (not a test):  make bench  or  make bench N=2000

Seeds two identical properties of N drafts each (one resident per draft, half of them
with an email address), then:

1. bulk path: the API call (POST publish-all), the fan-out function, the workers, each
   invoked as template.yaml names them, with the queues driven as Lambda's SQS event
   source mapping does;
2. email stage: the invoice table's stream (the outbox) delivered to the email sender
   function template.yaml names, with its FilterCriteria, batch size and partial batch
   failures, by the same driver the local runtime uses (``hoa_local.streams``): per
   email one claim UpdateItem, one SES SendEmail, one UpdateItem recording it sent;
3. naive baseline, same data, same process: for each draft in turn, GetItem invoice,
   GetItem resident, conditional UpdateItem, SES SendEmail if emailed, UpdateItem
   delivery status, UpdateItem job counter.

AWS requests are counted per operation with a botocore ``before-call`` hook. The polling
Lambda does for us (SQS ReceiveMessage and DeleteMessageBatch, stream GetRecords) is
counted separately: it is not a request our functions make. No sleeps anywhere.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
for path in ("layers/hoa_billing", "functions", "local"):
    sys.path.insert(0, str(ROOT / path))

os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": "ERROR",
    }
)

import boto3  # noqa: E402
from moto import mock_aws  # noqa: E402
from moto.core import DEFAULT_ACCOUNT_ID as ACCOUNT  # noqa: E402
from moto.ses.models import ses_backends  # noqa: E402

from hoa_billing import aws  # noqa: E402
from hoa_billing.dal.invoices import status_keys  # noqa: E402
from hoa_billing.dal.items import to_attr, to_item  # noqa: E402
from hoa_billing.models import Actor, ActorKind, HistoryEntry, Invoice, InvoiceStatus, LineItem, Recipient  # noqa: E402
from hoa_local.apigw import Router, http_event  # noqa: E402
from hoa_local.consumers import SqsConsumer  # noqa: E402
from hoa_local.lambdas import Functions, function_invoker  # noqa: E402
from hoa_local.moto_fixes import make_dynamodb_requests_atomic  # noqa: E402
from hoa_local.provision import provision  # noqa: E402
from hoa_local.streams import EventSourceMapping, StreamReader  # noqa: E402
from hoa_local.template import Stack  # noqa: E402

SENDER = "billing@example.com"
MANAGER = {"sub": "bench-manager", "role": "manager", "property_ids": "[prop_bulk prop_naive]", "name": "Bench"}


class RequestCounter:
    """Counts AWS requests by operation through botocore's ``before-call`` event, and the
    wall time spent inside each operation (moto's work included).

    Some reads run shards in parallel threads: the time inside an operation is the union
    of its calls' intervals, so concurrent calls are not counted twice."""

    def __init__(self, session: boto3.Session) -> None:
        self.counts: Counter[str] = Counter()
        self.intervals: dict[str, list[tuple[float, float]]] = {}
        self._started: dict[int, float] = {}
        session.events.register("before-call", self._count)
        session.events.register("after-call", self._timed)

    @staticmethod
    def _op(event_name: str) -> str:
        _, service, operation = event_name.split(".", 2)
        return f"{service}.{operation}"

    def _count(self, event_name: str, context: dict[str, Any], **_: Any) -> None:
        self.counts[self._op(event_name)] += 1
        self._started[id(context)] = time.perf_counter()

    def _timed(self, event_name: str, context: dict[str, Any], **_: Any) -> None:
        started = self._started.pop(id(context), None)
        if started is not None:
            self.intervals.setdefault(self._op(event_name), []).append((started, time.perf_counter()))

    def take(self) -> tuple[Counter[str], Counter[str]]:
        seconds: Counter[str] = Counter({op: _covered(spans) for op, spans in self.intervals.items()})
        taken = self.counts, seconds
        self.counts, self.intervals = Counter(), {}
        return taken


def _covered(spans: list[tuple[float, float]]) -> float:
    """The length of the union of the intervals."""
    total, reach = 0.0, float("-inf")
    for start, end in sorted(spans):
        if end > reach:
            total += end - max(start, reach)
            reach = end
    return total


class SharedOperationTimer:
    """Wall time inside ``InvoiceService.publish_draft``: the one Draft -> Open write both
    paths make for every invoice (the bulk worker through the API's domain operation, the
    naive loop by calling it). No ratio of the two paths can beat what that write
    leaves: the figures below show how much of each path's time it is."""

    def __init__(self) -> None:
        from hoa_billing.service import InvoiceService

        self.seconds = 0.0
        original = InvoiceService.publish_draft

        def timed(service: Any, *args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(service, *args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - started

        InvoiceService.publish_draft = timed  # type: ignore[method-assign, assignment]

    def take(self) -> float:
        taken, self.seconds = self.seconds, 0.0
        return taken


# -- seeding (not measured) ----------------------------------------------------------


def seed(stack: Stack, property_id: str, n: int) -> None:
    from hoa_billing.dal.directory import DirectoryRepository
    from hoa_billing.models import Property

    client = boto3.client("dynamodb")
    directory = DirectoryRepository(stack.physical_name("PropertiesTable"), client)
    directory.put_property(Property(property_id=property_id, name=f"Bench {property_id}"))
    now = datetime.now(UTC)
    due = date.today() + timedelta(days=30)
    creator = Actor(kind=ActorKind.SYSTEM, id="bench")
    residents, invoices = [], []
    for i in range(n):
        resident_id = f"res_{property_id}_{i:06d}"
        resident = {
            "pk": property_id,
            "sk": f"RESIDENT#{resident_id}",
            "resident_id": resident_id,
            "property_id": property_id,
            "name": f"Resident {i}",
            "unit": str(i),
            "email_bouncing": False,
            "created_at": now.isoformat(),
        }
        if i % 2 == 0:
            resident["email"] = f"resident{i}@example.com"
        residents.append(to_item(resident))
        invoice = Invoice(
            invoice_id=f"inv_{property_id}_{i:06d}",
            property_id=property_id,
            property_name=f"Bench {property_id}",
            time_zone="America/New_York",
            resident_id=resident_id,
            resident_name=f"Resident {i}",
            number=f"INV-{i + 1:05d}",
            status=InvoiceStatus.DRAFT,
            currency="USD",
            line_items=[LineItem(description="Monthly assessment", amount=32500)],
            amount_due=32500,
            due_date=due,
            created_at=now,
            created_by=creator,
            history=[HistoryEntry(at=now, action="created", actor=creator, to_status=InvoiceStatus.DRAFT)],
        )
        values = invoice.model_dump(mode="json", exclude_none=True)
        values.update(status_keys(property_id, invoice.invoice_id, InvoiceStatus.DRAFT))
        invoices.append(to_item(values))
    for table, items in (("PropertiesTable", residents), ("InvoicesTable", invoices)):
        for start in range(0, len(items), 25):
            requests = [{"PutRequest": {"Item": item}} for item in items[start : start + 25]]
            client.batch_write_item(RequestItems={stack.physical_name(table): requests})


# -- the bulk path -------------------------------------------------------------------


def run_bulk(stack: Stack, n: int, esm_sqs: Any) -> tuple[str, dict[str, int]]:

    route, params = Router(stack).find("POST", "/properties/prop_bulk/publish-all")  # type: ignore[misc]
    event = http_event(
        route, "/properties/prop_bulk/publish-all", params, body=json.dumps({"expected_count": n}), claims=MANAGER
    )
    response = Functions(stack).invoke(route.function, event)
    assert response["statusCode"] == 202, response
    job_id = json.loads(response["body"])["job_id"]
    received = {}
    for function in ("BulkFanOutFunction", "BulkPublishWorkerFunction"):
        consumer = SqsConsumer.for_function(stack, function, esm_sqs)
        received[function] = consumer.drain()
    return job_id, received


def job_status(stack: Stack, job_id: str) -> dict[str, Any]:
    path = f"/properties/prop_bulk/publish-jobs/{job_id}"
    route, params = Router(stack).find("GET", path)  # type: ignore[misc]
    event = http_event(route, path, params, claims=MANAGER)
    result: dict[str, Any] = json.loads(Functions(stack).invoke(route.function, event)["body"])
    return result


# -- the email stage (the table's stream is the outbox) ------------------------------


def naive_sender(ses: Any, dynamodb: Any, table: str) -> Callable[[Invoice, Recipient], None]:
    """The baseline's email, sent inline: one SendEmail and one delivery-status write."""

    def send(invoice: Invoice, recipient: Recipient) -> None:
        ses.send_email(
            FromEmailAddress=SENDER,
            Destination={"ToAddresses": [recipient.email]},
            Content={
                "Simple": {
                    "Subject": {"Data": f"Invoice {invoice.number}"},
                    "Body": {"Text": {"Data": f"Invoice {invoice.number} is ready. Pay now in the portal."}},
                }
            },
        )
        dynamodb.update_item(
            TableName=table,
            Key={"invoice_id": to_attr(invoice.invoice_id)},
            UpdateExpression="SET email_status = :sent",
            ConditionExpression="email_status = :queued",
            ExpressionAttributeValues={":sent": to_attr("sent"), ":queued": to_attr("queued")},
        )

    return send


def email_stage(stack: Stack, streams: Any, sqs: Any) -> tuple[StreamReader, Callable[[], int]]:
    """The email sender function over the table's stream, read from its current end."""
    props = stack.functions()["EmailSenderFunction"]
    (event_name,) = [name for name, event in props["Events"].items() if event["Type"] == "DynamoDB"]
    reader = StreamReader(streams, stack.resolve(props["Events"][event_name]["Properties"]["Stream"]))
    reader.read()  # start at LATEST: only what the bulk run writes
    mapping = EventSourceMapping.from_template(stack, "EmailSenderFunction", event_name, sqs)
    invoke = function_invoker(stack, "EmailSenderFunction")

    def run() -> int:
        report = mapping.deliver(reader.read(), invoke)
        assert not report.discarded, f"{len(report.discarded)} email batches given up on"
        return report.invocations

    return reader, run


# -- the naive baseline --------------------------------------------------------------


def run_naive(stack: Stack, property_id: str, ses: Any, dynamodb: Any) -> int:
    """One invoice at a time, every lookup and every counter its own request."""
    from hoa_billing.dal.directory import DirectoryRepository
    from hoa_billing.dal.invoices import InvoiceRepository
    from hoa_billing.service import DraftToPublish, InvoiceService, recipient_of

    invoices_table, jobs_table = stack.physical_name("InvoicesTable"), stack.physical_name("PublishJobsTable")
    service = InvoiceService(
        InvoiceRepository(invoices_table, dynamodb),
        DirectoryRepository(stack.physical_name("PropertiesTable"), dynamodb),
    )
    actor = Actor(kind=ActorKind.API, id="bench-manager")
    job_key = {"pk": to_attr("naive-job"), "sk": to_attr("JOB")}
    sender = naive_sender(ses, dynamodb, invoices_table)
    drafts = service.invoices.scan_property(property_id, ["invoice_id"], InvoiceStatus.DRAFT)
    ids = [row["invoice_id"] for row in drafts]
    for invoice_id in ids:
        invoice = service.invoices.get(invoice_id)
        assert invoice is not None
        resident = service.directory.get_resident(property_id, invoice.resident_id)
        recipient = recipient_of(resident)
        draft = DraftToPublish(invoice_id, property_id, invoice.resident_id, invoice.due_date.isoformat())
        # The loop has the invoice from its own read: like the bulk worker, it does not
        # ask for the written item back (in moto that alone costs ~5 ms per invoice).
        service.publish_draft(draft, recipient=recipient, send_email=True, actor=actor, read_back=False)
        if recipient is not None:
            sender(invoice, recipient)
        dynamodb.update_item(
            TableName=jobs_table,
            Key=job_key,
            UpdateExpression="ADD published :one",
            ExpressionAttributeValues={":one": to_attr(1)},
        )
    return len(ids)


# -- report --------------------------------------------------------------------------


def show(title: str, taken: tuple[Counter[str], Counter[str]], n: int, seconds: float) -> float:
    counts, spent = taken
    total = sum(counts.values())
    print(f"\n{title}")
    print(f"  wall time {seconds:.2f} s, {n / seconds:.1f} invoices/s, {total} requests, {total / n:.3f} per invoice")
    print(f"    {'operation':32s} {'requests':>8s}   {'per invoice':>11s}   {'s inside':>9s}   {'ms/call':>7s}")
    for op, count in sorted(counts.items(), key=lambda kv: -kv[1]):
        ms = 1000 * spent[op] / count
        print(f"    {op:32s} {count:8d}   {count / n:11.4f}   {spent[op]:9.2f}   {ms:7.2f}")
    return total / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--drafts", type=int, default=10_000)
    args = parser.parse_args()
    n = args.drafts

    with mock_aws():
        make_dynamodb_requests_atomic()
        parameters = {"SenderEmail": SENDER, "PortalBaseUrl": "https://portal.example.com"}
        stack = provision(Stack(name="hoa-bench", parameters=parameters), boto3.client)
        env = stack.function_environment("BulkPublishWorkerFunction")
        os.environ.update(env | {"POWERTOOLS_METRICS_DISABLED": "true", "POWERTOOLS_LOG_LEVEL": "ERROR"})
        boto3.client("ses").verify_email_identity(EmailAddress=SENDER)
        print(f"seeding 2 x {n} drafts ({n // 2 + n % 2} residents of each property with an address) ...")
        seeded = time.perf_counter()
        seed(stack, "prop_bulk", n)
        seed(stack, "prop_naive", n)
        print(f"  seeded in {time.perf_counter() - seeded:.1f} s (not measured)")

        # Every client our code creates from here on is counted; the event source
        # mapping's polling client comes from its own session and is counted apart.
        boto3.setup_default_session()
        counter = RequestCounter(boto3.DEFAULT_SESSION)
        aws.reset()
        esm_session = boto3.Session()
        esm_counter = RequestCounter(esm_session)
        esm_sqs = esm_session.client("sqs")
        dynamodb, ses = boto3.client("dynamodb"), boto3.client("sesv2")
        os.environ.update(stack.function_environment("EmailSenderFunction"))
        os.environ["POWERTOOLS_METRICS_DISABLED"] = "true"  # the template's value is for AWS
        os.environ["POWERTOOLS_LOG_LEVEL"] = "ERROR"  # a log line per email would swamp the figures
        _, send_emails = email_stage(stack, esm_session.client("dynamodbstreams"), esm_sqs)
        counter.take()
        esm_counter.take()
        shared = SharedOperationTimer()

        started = time.perf_counter()
        job_id, received = run_bulk(stack, n, esm_sqs)
        bulk_seconds = time.perf_counter() - started
        bulk_counts, esm_counts = counter.take(), esm_counter.take()
        bulk_shared = shared.take()
        job = job_status(stack, job_id)
        counter.take()
        assert (job["published"], job["state"]) == (n, "completed"), job

        started = time.perf_counter()
        invocations = send_emails()
        email_seconds = time.perf_counter() - started
        email_counts, email_esm_counts = counter.take(), esm_counter.take()
        emailed = sum(1 for message in ses_backends[ACCOUNT]["us-east-1"].sent_messages)

        started = time.perf_counter()
        naive_n = run_naive(stack, "prop_naive", ses, dynamodb)
        naive_seconds = time.perf_counter() - started
        naive_counts = counter.take()
        naive_shared = shared.take()
        assert naive_n == n

    print(f"\nPublish All Drafts, N = {n} (job {job['state']}: {job['published']} published, {emailed} emails sent)")
    bulk_rpi = show(
        "bulk publish path (API + fan-out + workers), requests our functions make", bulk_counts, n, bulk_seconds
    )
    show("  + SQS polling done by Lambda's event source mapping (not our requests)", esm_counts, n, bulk_seconds)
    print(f"    messages received: {received}")
    email_rpi = show(
        f"email stage: stream -> EmailSenderFunction ({invocations} invocations; claim, SendEmail, record sent)",
        email_counts,
        n,
        email_seconds,
    )
    show(
        "  + stream polling done by Lambda's event source mapping (not our requests)",
        email_esm_counts,
        n,
        email_seconds,
    )
    naive_rpi = show("naive baseline (one invoice at a time)", naive_counts, n, naive_seconds)

    end_to_end = bulk_seconds + email_seconds
    naive_rate = n / naive_seconds
    print("\nsummary")
    print(f"  requests per invoice, publish path:            {bulk_rpi:.3f}   (target <= 1.2)")
    print(f"  requests per invoice, with email and status:   {bulk_rpi + email_rpi:.3f}   (target <= 3.5)")
    print(f"  requests per invoice, naive baseline:          {naive_rpi:.3f}")
    print(f"  invoices/s publish path:      {n / bulk_seconds:9.1f}   {n / bulk_seconds / naive_rate:5.2f}x naive")
    print(
        f"  invoices/s end to end:        {n / end_to_end:9.1f}   {n / end_to_end / naive_rate:5.2f}x naive",
        "(target >= 2x)",
    )
    print(f"  invoices/s naive baseline:    {naive_rate:9.1f}")
    print(f"  requests ratio naive / bulk publish path: {naive_rpi / bulk_rpi:.2f}x fewer")

    # moto answers an index Query by scanning the whole table and GetRecords by
    # serialising every record slowly; DynamoDB reads only the page. The same figures
    # without the time spent inside those two operations, for both sides:
    # (GetRecords is the event source mapping's request, so it is in its counts.)
    def without_scans(seconds: float, *taken: tuple[Counter[str], Counter[str]]) -> float:
        scans = ("dynamodb.Query", "dynamodb-streams.GetRecords")
        return seconds - sum(s for counts in taken for op, s in counts[1].items() if op in scans)

    bulk_adj = without_scans(bulk_seconds, bulk_counts, esm_counts)
    e2e_adj = bulk_adj + without_scans(email_seconds, email_counts, email_esm_counts)
    naive_adj_rate = n / without_scans(naive_seconds, naive_counts)
    print("  without time inside moto's Query / GetRecords:")
    print(f"    publish path {n / bulk_adj:9.1f}/s {n / bulk_adj / naive_adj_rate:5.2f}x naive")
    print(f"    end to end   {n / e2e_adj:9.1f}/s {n / e2e_adj / naive_adj_rate:5.2f}x naive")
    print(f"    naive        {naive_adj_rate:9.1f}/s")

    def scans(*taken: tuple[Counter[str], Counter[str]]) -> float:
        return sum(
            s
            for counts in taken
            for op, s in counts[1].items()
            if op in ("dynamodb.Query", "dynamodb-streams.GetRecords")
        )

    ms = 1000 / n
    ours_scans = scans(bulk_counts, esm_counts, email_counts, email_esm_counts)
    naive_scans = scans(naive_counts)
    print("\nwhere the time goes, ms per invoice            bulk + email    naive")
    print(f"  publish_draft (the same write on both sides)   {bulk_shared * ms:10.2f} {naive_shared * ms:8.2f}")
    print(f"  moto's Query / GetRecords                      {ours_scans * ms:10.2f} {naive_scans * ms:8.2f}")
    rest_ours = end_to_end - bulk_shared - ours_scans
    rest_naive = naive_seconds - naive_shared - naive_scans
    print(f"  everything else                                {rest_ours * ms:10.2f} {rest_naive * ms:8.2f}")
    print(f"  total                                          {end_to_end * ms:10.2f} {naive_seconds * ms:8.2f}")
    print(
        f"  2x the naive rate needs <= {naive_seconds * ms / 2:.2f} ms per invoice in all; "
        f"publish_draft alone takes {bulk_shared * ms:.2f} of it"
    )


if __name__ == "__main__":
    main()
