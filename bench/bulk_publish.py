"""Benchmark: Publish All Drafts in-process against moto, next to a naive baseline,
measured as AWS charges for it.

Run by hand (not a test):  make bench  or  make bench N=2000

Seeds two identical properties of N drafts each (one resident per draft, half of them
with an email address), then:

1. bulk path: the API call (POST publish-all), the fan-out function, the workers, each
   invoked as template.yaml names them, with the queues driven as Lambda's SQS event
   source mapping does;
2. email stage: the invoice table's stream (the outbox) delivered to the email outbox
   function template.yaml names, with its FilterCriteria, batch size and partial batch
   failures, by the same driver the local runtime uses (``hoa_local.streams``), which
   puts the requests on the email queue, ten to a message; then the queue drained into
   the email sender as Lambda's SQS event source does: per email one claim UpdateItem,
   one SES SendEmail, one UpdateItem recording it sent;
3. naive baseline, same data, same process: for each draft in turn, GetItem invoice,
   GetItem resident, conditional UpdateItem, SES SendEmail if emailed, UpdateItem
   delivery status, UpdateItem job counter.

What it prints is exact, not timed: per invoice and per operation the AWS requests, the
DynamoDB write and read units as DynamoDB charges them, SQS requests as SQS bills them,
SES sends, Lambda invocations and the functions' own CPU (``bench/capacity.py``); then
the model of AWS built from those figures, with its assumptions (``bench/aws_model.py``).
The polling Lambda does for us (SQS ReceiveMessage and DeleteMessageBatch, stream reads)
is recorded apart: our functions do not make it, but SQS bills it. Wall time in moto is
printed for what it is, moto's time, not a measure of AWS. No sleeps anywhere.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
for path in ("", "layers/hoa_billing", "functions", "local"):
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

from bench import aws_model  # noqa: E402
from bench.capacity import CapacityRecorder, LambdaMeter, table_specs  # noqa: E402
from hoa_billing.core.models import (  # noqa: E402
    Actor,
    ActorKind,
    HistoryEntry,
    Invoice,
    InvoiceStatus,
    LineItem,
    Recipient,
)
from hoa_billing.data import aws  # noqa: E402
from hoa_billing.data.invoices import item_of  # noqa: E402
from hoa_billing.data.items import to_attr, to_item  # noqa: E402
from hoa_local.apigw import Router, http_event  # noqa: E402
from hoa_local.consumers import SqsConsumer  # noqa: E402
from hoa_local.lambdas import Functions, function_invoker, handler_for  # noqa: E402
from hoa_local.moto_fixes import make_dynamodb_requests_atomic  # noqa: E402
from hoa_local.provision import provision  # noqa: E402
from hoa_local.streams import EventSourceMapping, StreamReader  # noqa: E402
from hoa_local.template import Stack  # noqa: E402

SENDER = "billing@example.com"
MANAGER = {"sub": "bench-manager", "role": "manager", "property_ids": "[prop_bulk prop_naive]", "name": "Bench"}
NAIVE_LOOP = "naive loop"  # what the meter calls the baseline's one process


# -- seeding (not measured) ----------------------------------------------------------


def seed(stack: Stack, property_id: str, n: int) -> None:
    from hoa_billing.core.models import Property
    from hoa_billing.data.directory import DynamoDirectory
    from hoa_billing.data.listings import DynamoInvoiceListings

    client = boto3.client("dynamodb")
    directory = DynamoDirectory(stack.physical_name("PropertiesTable"), client)
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
        invoices.append(to_item(item_of(invoice)))
    for table, items in (("PropertiesTable", residents), ("InvoicesTable", invoices)):
        for start in range(0, len(items), 25):
            requests = [{"PutRequest": {"Item": item}} for item in items[start : start + 25]]
            client.batch_write_item(RequestItems={stack.physical_name(table): requests})
    # The drafts were written in bulk, not created one by one: count them as a stack that
    # predates the counts would be.
    DynamoInvoiceListings(stack.physical_name("InvoicesTable"), client).recount(property_id)


# -- the bulk path -------------------------------------------------------------------


def run_bulk(stack: Stack, n: int, esm_sqs: Any, meter: LambdaMeter) -> tuple[str, dict[str, int]]:
    route, params = Router(stack).find("POST", "/properties/prop_bulk/publish-all")  # type: ignore[misc]
    event = http_event(
        route, "/properties/prop_bulk/publish-all", params, body=json.dumps({"expected_count": n}), claims=MANAGER
    )
    handler_for(route.handler)  # imported outside the measured call, as the queue functions are
    with meter.measure(route.function):
        response = Functions(stack).invoke(route.function, event)
    assert response["statusCode"] == 202, response
    job_id = json.loads(response["body"])["job_id"]
    received = {}
    for function in ("BulkFanOutFunction", "BulkPublishWorkerFunction"):
        consumer = SqsConsumer.for_function(stack, function, esm_sqs)
        received[function] = consumer.drain(invoke=meter.wrap(function, consumer.invoke))
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


def email_stage(stack: Stack, streams: Any, sqs: Any, meter: LambdaMeter) -> tuple[StreamReader, Callable[[], int]]:
    """The email outbox function over the table's stream, read from its current end, and
    the email sender over the queue it fills."""
    props = stack.functions()["EmailOutboxFunction"]
    # The invoices table's stream (the notices table's stream is the function's other source).
    (event_name,) = [
        name
        for name, event in props["Events"].items()
        if event["Type"] == "DynamoDB" and "InvoicesTable" in str(event["Properties"]["Stream"])
    ]
    reader = StreamReader(streams, stack.resolve(props["Events"][event_name]["Properties"]["Stream"]))
    reader.read()  # start at LATEST: only what the bulk run writes
    mapping = EventSourceMapping.from_template(stack, "EmailOutboxFunction", event_name, sqs)
    forward = meter.wrap("EmailOutboxFunction", function_invoker(stack, "EmailOutboxFunction"))
    sender = SqsConsumer.for_function(stack, "EmailSenderFunction", sqs)
    send = meter.wrap("EmailSenderFunction", sender.invoke)

    def run() -> int:
        report = mapping.deliver(reader.read(), forward)
        assert not report.discarded, f"{len(report.discarded)} email batches given up on"
        return report.invocations + sender.drain(invoke=send)

    return reader, run


# -- the naive baseline --------------------------------------------------------------


def run_naive(stack: Stack, property_id: str, ses: Any, dynamodb: Any) -> int:
    """One invoice at a time, every lookup and every counter its own request."""
    from hoa_billing.core.models import DraftRef
    from hoa_billing.data.directory import DynamoDirectory
    from hoa_billing.data.invoices import DynamoInvoices
    from hoa_billing.data.listings import DynamoInvoiceListings
    from hoa_billing.invoices import Publisher

    invoices_table, jobs_table = stack.physical_name("InvoicesTable"), stack.physical_name("PublishJobsTable")
    store = DynamoInvoices(invoices_table, dynamodb)
    directory = DynamoDirectory(stack.physical_name("PropertiesTable"), dynamodb)
    listings = DynamoInvoiceListings(invoices_table, dynamodb)
    publisher = Publisher(store, directory)
    actor = Actor(kind=ActorKind.API, id="bench-manager")
    job_key = {"pk": to_attr("naive-job"), "sk": to_attr("JOB")}
    sender = naive_sender(ses, dynamodb, invoices_table)
    ids: list[str] = []
    position: str | None = None
    while True:
        refs, position = listings.draft_refs(property_id, position, 10_000)
        ids += [ref.invoice_id for ref in refs]
        if position is None:
            break
    for invoice_id in ids:
        invoice = store.get(invoice_id)
        assert invoice is not None
        resident = directory.get_resident(property_id, invoice.resident_id)
        recipient = resident.recipient() if resident else None
        draft = DraftRef(
            invoice_id, property_id, invoice.resident_id, invoice.due_date.isoformat(), amount_due=invoice.amount_due
        )
        # The loop has the invoice from its own read: like the bulk worker, it does not
        # ask for the written item back (in moto that alone costs ~5 ms per invoice).
        publisher.publish_draft(draft, recipient=recipient, send_email=True, actor=actor, read_back=False)
        if recipient is not None:
            sender(invoice, recipient)
        dynamodb.update_item(
            TableName=jobs_table,
            Key=job_key,
            UpdateExpression="ADD published :one",
            ExpressionAttributeValues={":one": to_attr(1)},
        )
    return len(ids)


# -- what AWS would charge: recorders around the run -----------------------------------


@dataclass
class Recorders:
    """Our functions' clients (the default session, which the layer's clients use) and
    Lambda's polling clients (a session of their own), each with a capacity recorder;
    and the meter of the functions' invocations and CPU."""

    functions: CapacityRecorder
    pollers: CapacityRecorder
    meter: LambdaMeter
    poller_session: boto3.Session

    @classmethod
    def attach(cls, stack: Stack) -> Recorders:
        specs = table_specs(stack)
        boto3.setup_default_session()
        functions = CapacityRecorder(specs).attach(boto3.DEFAULT_SESSION)
        aws.reset()  # clients made from here on come from the recorded session
        poller_session = boto3.Session()
        pollers = CapacityRecorder(specs, free_reads=True).attach(poller_session)
        return cls(functions, pollers, LambdaMeter(), poller_session)

    def take(self, stack: Stack, invoices: int) -> aws_model.Measured:
        invocations, cpu = self.meter.take()
        memory = {fn: int(stack.function_setting(fn, "MemorySize") or 128) for fn in stack.functions()}
        return aws_model.Measured(invoices, self.functions.take(), self.pollers.take(), invocations, cpu, memory)

    def discard(self) -> None:
        self.functions.take()
        self.pollers.take()
        self.meter.take()


@contextmanager
def moto_wall_time(into: dict[str, float], stage: str) -> Iterator[None]:
    """Time in moto (not a measure of AWS), with the functions' metric lines held back:
    Powertools prints its buffered metrics every 100 values even when disabled, which
    in one long process means one line per 100 emails."""
    started = time.perf_counter()
    printed = io.StringIO()
    try:
        with redirect_stdout(printed):
            yield
    finally:
        into[stage] = time.perf_counter() - started
        for line in printed.getvalue().splitlines():
            if not line.startswith('{"_aws"'):
                print(line)


# -- report: exact figures per invoice ------------------------------------------------------


def per_invoice_rows(measured: aws_model.Measured) -> dict[str, float]:
    n = measured.invoices
    usage, pollers = measured.usage, measured.pollers
    sqs = sum(count for op, count in (usage + pollers).billed.items() if op.startswith("sqs."))
    return {
        "AWS requests our code makes": usage.total("requests") / n,
        "+ Lambda's polling requests": pollers.total("requests") / n,
        "DynamoDB write units (WCU)": (usage + pollers).total("wcu") / n,
        "DynamoDB read units (RCU)": (usage + pollers).total("rcu") / n,
        "SQS requests billed (64 KB chunks)": sqs / n,
        "SES emails": usage.total("emails") / n,
        "Lambda invocations": sum(measured.invocations.values()) / n,
        "function CPU ms (thread CPU, here)": 1000 * sum(measured.cpu_seconds.values()) / n,
    }


def report_figures(n: int, stages: dict[str, aws_model.Measured]) -> None:
    columns = {name: per_invoice_rows(measured) for name, measured in stages.items()}
    print(f"\nper invoice, as AWS charges (N = {n:,})")
    print(f"  {'':38s}" + "".join(f"{name:>16s}" for name in columns))
    for row in next(iter(columns.values())):
        print(f"  {row:38s}" + "".join(f"{values[row]:16.3f}" for values in columns.values()))
    publish, email = stages["Publish All"], stages["email stage"]
    emails = max(1.0, email.emails)
    published, per_email = publish.write_units() / n, email.write_units() / emails
    print(
        f"  WCU per published invoice {published:.2f}; per published and emailed invoice "
        f"{published + per_email:.2f} (the email's own {per_email:.2f})"
    )
    by_target = {key: units / n for key, units in publish.usage.wcu_by_target().items()}
    for key, units in email.usage.wcu_by_target().items():
        by_target[key] = by_target.get(key, 0.0) + units / emails
    shares = ", ".join(f"{table} {target} {units:.2f}" for (table, target), units in _largest(by_target))
    print(f"  of which, by item and index: {shares}")
    for name, measured in stages.items():
        report_operations(name, measured)
    for name in ("Publish All", "email stage"):
        report_write_units(name, stages[name])
    report_functions(stages)


def _largest(amounts: dict[tuple[str, str], float]) -> list[tuple[tuple[str, str], float]]:
    return sorted(amounts.items(), key=lambda kv: -kv[1])


def report_operations(name: str, measured: aws_model.Measured) -> None:
    n = measured.invoices
    print(f"\n{name}: per operation, per invoice")
    print(f"    {'operation':34s} {'requests':>9s} {'WCU':>8s} {'RCU':>8s} {'billed':>8s}")
    for label, usage in (("", measured.usage), ("(Lambda's polling) ", measured.pollers)):
        for op, count in sorted(usage.requests.items(), key=lambda kv: -kv[1]):
            print(
                f"    {label + op:34s} {count / n:9.4f} {usage.wcu[op] / n:8.3f} {usage.rcu[op] / n:8.3f} "
                f"{usage.billed[op] / n:8.4f}"
            )


def report_write_units(name: str, measured: aws_model.Measured) -> None:
    """Where the write units go: by table, target (base or index), kind, and the code
    that made the write, largest first."""
    n = measured.invoices
    print(f"\n{name}: write units by item and index (per invoice; largest first)")
    print(f"    {'table':18s} {'target':17s} {'kind':8s} {'caller':40s} {'WCU':>6s} {'writes':>7s} {'avg B':>6s}")
    writes = sorted(measured.usage.writes.items(), key=lambda kv: -kv[1].units)
    for (table, target, kind, caller), stat in writes:
        print(
            f"    {table:18s} {target:17s} {kind:8s} {caller[-40:]:40s} {stat.units / n:6.3f} "
            f"{stat.count / n:7.3f} {stat.size / max(1, stat.count):6.0f}"
        )


def report_functions(stages: dict[str, aws_model.Measured]) -> None:
    print("\nfunctions: invocations and their own CPU (this machine, moto's work left out)")
    print(f"    {'function':30s} {'invocations':>11s} {'CPU ms/inv':>11s} {'CPU ms/invoice':>15s} {'MB':>6s}")
    for measured in stages.values():
        for function, count in sorted(measured.invocations.items()):
            cpu = 1000 * measured.cpu_seconds[function]
            memory = measured.memory_mb.get(function, 0)
            print(
                f"    {function:30s} {count:11d} {cpu / count:11.2f} {cpu / measured.invoices:15.3f} {memory or '':>6}"
            )


def report_model(stack: Stack, stages: dict[str, aws_model.Measured], ses_per_s: float) -> None:
    settings = aws_model.Settings.from_template(
        stack, worker="BulkPublishWorkerFunction", email="EmailSenderFunction", ses_per_s=ses_per_s
    )
    print("\nthe model of AWS (bench/aws_model.py), from the figures above")
    lines = aws_model.report(
        stages["Publish All"], stages["email stage"], stages["naive"], settings, naive_loop=NAIVE_LOOP
    )
    print("\n".join(lines))


# -- the run ---------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--drafts", type=int, default=10_000)
    parser.add_argument("--ses-rate", type=float, default=aws_model.SES_EMAILS_PER_S, help="SES emails per second")
    args = parser.parse_args()
    n = args.drafts
    wall: dict[str, float] = {}

    with mock_aws():
        make_dynamodb_requests_atomic()
        parameters = {"SenderEmail": SENDER, "PortalBaseUrl": "https://portal.example.com"}
        stack = provision(Stack(name="hoa-bench", parameters=parameters), boto3.client)
        env = stack.function_environment("BulkPublishWorkerFunction")
        os.environ.update(env | {"POWERTOOLS_METRICS_DISABLED": "true", "POWERTOOLS_LOG_LEVEL": "ERROR"})
        boto3.client("ses").verify_email_identity(EmailAddress=SENDER)
        print(f"seeding 2 x {n} drafts ({n // 2 + n % 2} residents of each property with an address) ...")
        with moto_wall_time(wall, "seed"):
            seed(stack, "prop_bulk", n)
            seed(stack, "prop_naive", n)

        recorders = Recorders.attach(stack)
        esm_sqs = recorders.poller_session.client("sqs")
        dynamodb, ses = boto3.client("dynamodb"), boto3.client("sesv2")
        os.environ.update(stack.function_environment("EmailSenderFunction"))
        os.environ.update(stack.function_environment("EmailOutboxFunction"))
        # The senders' pace is the model's business (aws_model): here they send at once.
        os.environ["EMAIL_SENDS_PER_SECOND"] = ""
        os.environ["POWERTOOLS_METRICS_DISABLED"] = "true"  # the template's value is for AWS
        os.environ["POWERTOOLS_LOG_LEVEL"] = "ERROR"  # a log line per email would swamp the figures
        streams = recorders.poller_session.client("dynamodbstreams")
        _, send_emails = email_stage(stack, streams, esm_sqs, recorders.meter)
        recorders.discard()
        stages: dict[str, aws_model.Measured] = {}

        with moto_wall_time(wall, "Publish All"):
            job_id, received = run_bulk(stack, n, esm_sqs, recorders.meter)
        stages["Publish All"] = recorders.take(stack, n)
        job = job_status(stack, job_id)
        recorders.discard()
        assert (job["published"], job["state"]) == (n, "completed"), job

        with moto_wall_time(wall, "email stage"):
            send_emails()
        stages["email stage"] = recorders.take(stack, n)
        emailed = len(ses_backends[ACCOUNT]["us-east-1"].sent_messages)

        with moto_wall_time(wall, "naive"), recorders.meter.measure(NAIVE_LOOP):
            naive_n = run_naive(stack, "prop_naive", ses, dynamodb)
        stages["naive"] = recorders.take(stack, n)
        assert naive_n == n

    print(f"\nPublish All Drafts, N = {n:,} (job {job['state']}: {job['published']} published, {emailed} emails sent)")
    print(f"  messages received: {received}")
    times = ", ".join(f"{stage} {seconds:.1f} s" for stage, seconds in wall.items())
    print(f"  moto wall time, not a measure of AWS: {times}")
    report_figures(n, stages)
    report_model(stack, stages, args.ses_rate)


if __name__ == "__main__":
    main()
