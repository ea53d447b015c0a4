"""Publish All Drafts with a fault on each AWS call of the bulk path: the API starting
the job, the fan-out enqueuing the drafts, the workers publishing them. Recovery is only
what production has: the manager's app retrying with the same Idempotency-Key, the SDK's
retries, and SQS delivering again what a function did not finish (a crashed function's
messages come back when their visibility timeout passes). Whatever failed: every draft
is published once by the job, the job counts each once and completes, and an email is
requested exactly for the residents with an address."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from hoa_billing.data import aws
from hoa_local.consumers import SqsConsumer
from hoa_local.faults import CRASH_AFTER, CRASH_BEFORE, READ_TIMEOUT, SERVICE_UNAVAILABLE, THROTTLING, Fault
from hoa_local.streams import FunctionCrashed
from tests.support.api import table_items
from tests.support.bulk import (
    BulkRun,
    has_address,
    make_publisher,
    mixed_drafts,
    use_bulk_environment,
)
from tests.support.faults import EVERY_ATTEMPT, Recovery, Row, Step, dynamodb, retry_as_a_client

DRAFTS = 30  # two worker chunks (25 + 5)


@dataclass(frozen=True)
class BulkStep(Step):
    phase: str = "api"  # which function makes the call: api, fanout, worker


STEPS = [
    # The job, its listing and the property's latest job, one transaction.
    BulkStep("job created", "dynamodb", "TransactWriteItems", phase="api"),
    BulkStep("drafts counted", "dynamodb", "Query", "InvoicesTable", phase="api"),
    BulkStep("fan-out requested", "sqs", "SendMessage", phase="api"),
    BulkStep("job read", "dynamodb", "GetItem", "PublishJobsTable", phase="fanout"),
    BulkStep("drafts page read", "dynamodb", "Query", "InvoicesTable", phase="fanout"),
    BulkStep("residents read", "dynamodb", "Query", "PropertiesTable", phase="fanout"),
    BulkStep("chunks sent", "sqs", "SendMessageBatch", phase="fanout"),
    BulkStep("fan-out position recorded", "dynamodb", "UpdateItem", "PublishJobsTable", phase="fanout"),
    BulkStep("Draft->Open conditional write", "dynamodb", "UpdateItem", "InvoicesTable", phase="worker"),
    BulkStep("chunk counted (marker + counters)", "dynamodb", "TransactWriteItems", phase="worker"),
]


def faults_for(step: Step) -> list[Row]:
    throttle: Fault = THROTTLING
    return [
        Row(step, throttle),
        Row(step, throttle, EVERY_ATTEMPT),
        Row(step, SERVICE_UNAVAILABLE, EVERY_ATTEMPT),
        Row(step, READ_TIMEOUT),
        Row(step, CRASH_BEFORE),
        Row(step, CRASH_AFTER),
    ]


ROWS = [row for step in STEPS for row in faults_for(step)]


def run_queue(consumer: SqsConsumer, recovery: Recovery, who: str, max_polls: int = 50, **overrides: Any) -> None:
    """Lambda's event source mapping over one queue until it is empty. A function that
    dies leaves its messages in flight; they come back when the visibility timeout passes."""
    for _ in range(max_polls):
        messages = consumer.receive()
        if not messages:
            return
        try:
            delivery = consumer.deliver(messages, consumer.invoker(**overrides))
        except FunctionCrashed:
            recovery.note(f"SQS redelivery after the {who} died")
            consumer.make_visible(messages)
            continue
        if delivery.failed:
            recovery.note(f"SQS redelivery of the {who}'s failed messages")
    raise AssertionError(f"{consumer.queue_url} still had messages after {max_polls} polls")


@pytest.fixture
def drafts(api, properties) -> list[dict]:
    return mixed_drafts(api, DRAFTS)


@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
def test_a_fault_on_publish_all_ends_with_every_draft_published_and_counted_once(
    api, stack, drafts, monkeypatch, later, outcome, row
):
    outcome(path="bulk", step=row.step.name, operation=row.step.operation, fault=row.fault.name, times=row.times)
    outcome(index=ROWS.index(row))
    use_bulk_environment(stack, monkeypatch)
    run = BulkRun(api, stack, make_publisher(stack))
    recovery = Recovery()
    timeout = int(stack.function_setting("BulkPublishApiFunction", "Timeout"))
    faults = row.inject(stack)
    clients = (dynamodb(), aws.client("sqs"))

    def phase(name: str):
        return faults.installed(*clients) if row.step.phase == name else _nothing()

    with phase("api"):
        started = retry_as_a_client(
            lambda: run.start(DRAFTS, headers={"Idempotency-Key": "publish-all-march"}),
            recovery,
            later,
            lease_seconds=timeout,
            who="API caller",
        )
    with phase("fanout"):
        run_queue(run.fan_out, recovery, "fan-out", deps=run.publisher)
    with phase("worker"):
        run_queue(run.workers, recovery, "worker", deps=run.publisher)
    outcome(recovered_via=recovery.summary(faults), emails=sum(has_address(i) for i in range(DRAFTS)))

    assert faults.fired(), "the fault never happened"
    assert 500 not in recovery.statuses, "a busy or unreachable AWS is a retryable 503, not a 500"
    assert started.status == 202, started.body
    job_id = started.body["job_id"]
    job = run.job(job_id)
    assert (job["total"], job["enqueued"]) == (DRAFTS, DRAFTS)
    assert (job["published"], job["skipped"], job["failed"]) == (DRAFTS, 0, 0), "each draft counted once"
    assert job["state"] == "completed"
    heads = [item for item in table_items(stack, "PublishJobsTable") if item["sk"] == "JOB"]
    assert [head["job_id"] for head in heads] == [job_id], "one job for one confirmed Publish All"

    stored = {item["invoice_id"]: item for item in table_items(stack, "InvoicesTable")}
    for i, draft in enumerate(drafts):
        item = stored[draft["invoice_id"]]
        assert item["status"] == "Open"
        published = [entry for entry in item["history"] if entry["action"] == "published"]
        assert len(published) == 1, "published twice"
        assert published[0]["details"]["job_id"] == job_id
        assert item["email_requested"] is has_address(i)
        assert item["email_status"] == ("queued" if has_address(i) else "skipped_no_address")
    for queue in ("FanOutQueue", "PublishQueue", "FanOutDeadLetterQueue", "PublishDeadLetterQueue"):
        assert run.queue_depth(queue) == 0, f"{queue} is not empty"


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *_: Any) -> None:
        return None
