"""Publish All Drafts: the dialog, the confirmed start, the fan-out through SQS, the
workers, the job's progress, and every refusal and failure the help article implies."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta

import boto3
import pytest

from hoa_billing.core.clock import FixedClock
from hoa_billing.core.models import Actor, ActorKind, LineItem
from hoa_billing.data import aws
from hoa_billing.data.directory import DynamoDirectory
from hoa_billing.data.invoices import DynamoInvoices
from hoa_billing.data.listings import DynamoInvoiceListings
from hoa_billing.invoices import Invoices, NewInvoice, Publisher
from hoa_billing.publish_all import FanOutRequest
from hoa_local import EVENTS
from hoa_local.consumers import sqs_event
from hoa_local.faults import CRASH_BEFORE, FaultInjector
from hoa_local.lambdas import LambdaContext, handler_for
from hoa_local.streams import FunctionCrashed
from tests.support.api import manager_claims, table_items
from tests.support.bulk import NOW, BulkRun, make_publisher, mixed_drafts, use_bulk_environment
from tests.support.bulk import has_address as has_address_at
from tests.support.stories import create_resident, publish

MIXED = 25


@pytest.fixture
def run(api, stack, properties, monkeypatch) -> BulkRun:
    use_bulk_environment(stack, monkeypatch)
    return BulkRun(api, stack, make_publisher(stack))


@pytest.fixture
def drafts(api, properties) -> list[dict]:
    """25 drafts, one per resident; 9 of the residents have no email address."""
    return mixed_drafts(api, MIXED)


def has_address(draft: dict, drafts: list[dict]) -> bool:
    return has_address_at(drafts.index(draft))


def invoices_by_id(stack) -> dict[str, dict]:
    return {item["invoice_id"]: item for item in table_items(stack, "InvoicesTable")}


def publishes_of(item: dict) -> list[dict]:
    return [entry for entry in item["history"] if entry["action"] == "published"]


# -- the confirmation dialog -------------------------------------------------------


def test_the_dialog_shows_the_count_total_and_who_gets_an_email(run, drafts):
    response = run.api.get("/properties/prop_a/publish-all/preview")

    assert response.status == 200
    assert response.body["count"] == 25
    assert response.body["total"]["amount"] == sum(10000 + i for i in range(25))
    assert response.body["total"]["currency"] == "USD"
    assert response.body["emails"] == {"with_address": 16, "without_address": 9}


# -- the whole path ----------------------------------------------------------------


def test_publish_all_opens_every_draft_and_queues_email_only_for_residents_with_an_address(run, drafts, stack):
    started = run.start(25)
    assert started.status == 202
    assert started.body["count"] == 25
    assert started.body["state"] == "running"
    job_id = started.body["job_id"]

    run.enqueue()
    # While the job runs, a manager publishes three of the drafts singly, one without email.
    singles = [drafts[1], drafts[2], drafts[3]]
    assert publish(run.api, singles[0]).status == 200
    assert publish(run.api, singles[1], {"send_email": False}).status == 200
    assert publish(run.api, singles[2]).status == 200
    run.publish()

    job = run.job(job_id)
    assert (job["total"], job["enqueued"], job["published"], job["skipped"], job["failed"]) == (25, 25, 22, 3, 0)
    assert job["state"] == "completed"
    assert job["finished_at"] is not None
    assert job["actor"] == {"kind": "api", "id": "mgr-1", "name": "Dana Manager"}

    stored = invoices_by_id(stack)
    single_ids = {d["invoice_id"] for d in singles}
    for draft in drafts:
        item = stored[draft["invoice_id"]]
        assert item["status"] == "Open"
        assert len(publishes_of(item)) == 1, "published twice"
        by_job = publishes_of(item)[0]["details"].get("job_id") == job_id
        assert by_job == (draft["invoice_id"] not in single_ids)
    bulk_published = [d for d in drafts if d["invoice_id"] not in single_ids]
    expected_email = {
        d["invoice_id"]: "queued" if has_address(d, drafts) else "skipped_no_address" for d in bulk_published
    }
    expected_email[singles[0]["invoice_id"]] = "queued"
    expected_email[singles[1]["invoice_id"]] = "not_requested"
    expected_email[singles[2]["invoice_id"]] = "skipped_no_address"  # resident 3 has no address
    assert {i: stored[i]["email_status"] for i in expected_email} == expected_email
    assert all(stored[d["invoice_id"]]["recipient"]["email"] for d in bulk_published if has_address(d, drafts))


def test_progress_is_visible_while_the_job_runs(run, drafts):
    job_id = run.start(25).body["job_id"]

    queued = run.job(job_id)
    assert (queued["state"], queued["enqueued"], queued["published"], queued["finished_at"]) == ("running", 0, 0, None)
    run.enqueue()
    enqueued = run.job(job_id)
    assert (enqueued["state"], enqueued["enqueued"], enqueued["published"]) == ("running", 25, 0)
    run.publish()
    done = run.job(job_id)
    assert (done["state"], done["published"]) == ("completed", 25)
    assert done["finished_at"] is not None


def test_counters_are_written_once_per_chunk_not_per_invoice(run, drafts, stack):
    job_id = run.start(25).body["job_id"]
    run.enqueue()
    run.publish()

    markers = [i for i in table_items(stack, "PublishJobsTable") if i["sk"].startswith("MSG#")]
    assert len(markers) == 1  # 25 drafts from 8 index shards make one full chunk
    assert run.job(job_id)["published"] == 25


# -- at-least-once delivery --------------------------------------------------------


def test_the_same_message_delivered_twice_publishes_and_counts_once(run, drafts, stack):
    job_id = run.start(25).body["job_id"]
    run.enqueue()
    messages = run.workers.receive()
    run.workers.deliver(messages)
    before = invoices_by_id(stack)

    # SQS delivers the same messages again (standard queues are at least once).
    result = handler_for("bulk_worker.app.lambda_handler")(
        sqs_event(messages, run.workers.queue_arn), LambdaContext("worker"), deps=run.publisher
    )

    assert result == {"batchItemFailures": []}
    job = run.job(job_id)
    assert (job["published"], job["skipped"], job["failed"]) == (25, 0, 0)
    assert invoices_by_id(stack) == before


class FlakyService(Publisher):
    """Publishing the invoices in ``failing`` raises like DynamoDB throttling past the
    SDK's retries; ``times`` says how many attempts fail (None: every one)."""

    failing: set[str] = set()
    times: int | None = None
    attempts: Counter = Counter()

    def publish_draft(self, draft, **kwargs):
        self.attempts[draft.invoice_id] += 1
        if draft.invoice_id in self.failing and (self.times is None or self.attempts[draft.invoice_id] <= self.times):
            raise RuntimeError("ProvisionedThroughputExceededException: simulated")
        return super().publish_draft(draft, **kwargs)


@pytest.fixture
def flaky(stack) -> type[FlakyService]:
    class Flaky(FlakyService):
        failing: set[str] = set()
        attempts: Counter = Counter()

    return Flaky


def test_a_chunk_that_fails_half_way_is_delivered_again_and_counted_once(run, drafts, stack, flaky):
    flaky.failing, flaky.times = {drafts[7]["invoice_id"]}, 1
    job_id = run.start(25).body["job_id"]
    run.enqueue()

    run.publish(make_publisher(stack, flaky))

    job = run.job(job_id)
    assert (job["published"], job["skipped"], job["failed"], job["state"]) == (25, 0, 0, "completed")
    assert all(len(publishes_of(item)) == 1 for item in invoices_by_id(stack).values())


def test_a_poison_message_goes_to_the_dead_letter_queue_and_the_job_shows_why(run, drafts, stack, flaky):
    poison = drafts[4]["invoice_id"]
    flaky.failing, flaky.times = {poison}, None
    job_id = run.start(25).body["job_id"]
    run.enqueue()

    received = run.publish(make_publisher(stack, flaky))

    max_receives = int(stack.parameter("PublishMaxReceiveCount"))
    assert flaky.attempts[poison] == max_receives
    assert received >= max_receives
    assert run.queue_depth("PublishQueue") == 0
    assert run.queue_depth("PublishDeadLetterQueue") == 1
    job = run.job(job_id)
    assert (job["published"], job["skipped"], job["failed"]) == (24, 0, 1)
    assert job["state"] == "completed_with_errors"
    assert job["failures"] == [
        {"invoice_id": poison, "reason": "RuntimeError: ProvisionedThroughputExceededException: simulated"}
    ]
    assert invoices_by_id(stack)[poison]["status"] == "Draft"


def test_an_unreadable_message_goes_to_the_dead_letter_queue(run, stack):
    sqs = boto3.client("sqs")
    sqs.send_message(QueueUrl=stack.resolve({"Ref": "PublishQueue"}), MessageBody='{"job_id": "job_x"}')

    run.publish()

    assert run.queue_depth("PublishDeadLetterQueue") == 1


# -- every draft counted at the start is accounted for ---------------------------------


def test_drafts_published_or_deleted_before_the_fan_out_are_skipped_and_the_counts_add_up(run, api, stack):
    five = mixed_drafts(api, 5)
    job_id = run.start(5).body["job_id"]
    # At once, before the fan-out reads the drafts: one published singly, one deleted.
    assert publish(api, five[1], {"send_email": False}).status == 200
    assert api.delete(f"/properties/prop_a/invoices/{five[3]['invoice_id']}").status == 200
    running = run.job(job_id)

    run.enqueue()
    run.publish()

    job = run.job(job_id)
    assert running["state"] == "running"
    assert (job["total"], job["enqueued"], job["published"], job["skipped"], job["failed"]) == (5, 3, 3, 2, 0)
    assert job["published"] + job["skipped"] + job["failed"] == job["total"]
    assert job["state"] == "completed"


def test_a_draft_created_after_the_job_started_is_left_for_the_next_publish_all(run, api, stack):
    mixed_drafts(api, 3)
    job_id = run.start(3).body["job_id"]
    later = Invoices.build(
        DynamoInvoices(stack.physical_name("InvoicesTable")),
        DynamoInvoiceListings(stack.physical_name("InvoicesTable")),
        DynamoDirectory(stack.physical_name("PropertiesTable")),
        FixedClock(NOW + timedelta(seconds=1)),
    )
    new = NewInvoice(
        resident_id=create_resident(api, name="New Neighbour")["resident_id"],
        line_items=[LineItem(description="Move-in fee", amount=5000)],
        currency="USD",
        due_date=(NOW + timedelta(days=30)).date(),
    )
    late = later.drafts.create("prop_a", new, Actor(kind=ActorKind.API, id="mgr-1"))

    run.enqueue()
    run.publish()

    job = run.job(job_id)
    assert (job["total"], job["published"], job["skipped"], job["state"]) == (3, 3, 0, "completed")
    assert invoices_by_id(stack)[late.invoice_id]["status"] == "Draft"


# -- the fan-out pages and continues itself ----------------------------------------


def test_the_fan_out_hands_over_before_its_time_runs_out_and_enqueues_each_draft_once(run, drafts, stack):
    run.publisher = make_publisher(stack, page_size=2)
    run.api.use("BulkPublishApiFunction", run.publisher)
    job_id = run.start(25).body["job_id"]
    sqs = boto3.client("sqs")
    fan_out_url = stack.resolve({"Ref": "FanOutQueue"})
    first = sqs.receive_message(QueueUrl=fan_out_url)["Messages"][0]
    sqs.delete_message(QueueUrl=fan_out_url, ReceiptHandle=first["ReceiptHandle"])
    budget = iter([60_000, 60_000, 60_000])  # three pages' worth of time, then nearly out

    result = run.publisher.fan_out.run(FanOutRequest.model_validate_json(first["Body"]), lambda: next(budget, 0))

    assert (result.pages, result.continued, result.done) == (3, True, False)
    assert run.job(job_id)["state"] == "running"
    run.enqueue()  # the continuation finishes the job's fan-out
    refs = []
    for message in run.workers.receive() + run.workers.receive() + run.workers.receive():
        refs += [ref["id"] for ref in json.loads(message["Body"])["invoices"]]
    while more := run.workers.receive():
        refs += [ref["id"] for message in more for ref in json.loads(message["Body"])["invoices"]]
    assert sorted(refs) == sorted(d["invoice_id"] for d in drafts)
    assert run.job(job_id)["enqueued"] == 25


# -- refusals ----------------------------------------------------------------------


def test_a_changed_draft_count_is_refused_with_the_current_count_and_starts_nothing(run, drafts, stack):
    response = run.start(24)

    assert response.status == 409
    assert response.error_code == "draft_count_changed"
    assert response.body["error"]["current_count"] == 25
    assert table_items(stack, "PublishJobsTable") == []
    assert run.queue_depth("FanOutQueue") == 0


def test_a_property_without_drafts_has_nothing_to_publish(run, stack):
    response = run.start(1)

    assert response.status == 409
    assert response.error_code == "no_drafts"
    assert table_items(stack, "PublishJobsTable") == []


def test_a_manager_of_another_property_is_refused(run, drafts, stack):
    job_id = run.start(25).body["job_id"]
    other = manager_claims("prop_b", sub="mgr-2")

    assert run.api.get("/properties/prop_a/publish-all/preview", claims=other).status == 403
    assert run.start(25, claims=other).status == 403
    assert run.api.get(f"/properties/prop_a/publish-jobs/{job_id}", claims=other).status == 403
    assert len([i for i in table_items(stack, "PublishJobsTable") if i["sk"] == "JOB"]) == 1


def test_a_job_is_not_found_through_another_property(run, drafts):
    run.api.claims = manager_claims("prop_a", "prop_b")
    job_id = run.start(25).body["job_id"]

    response = run.api.get(f"/properties/prop_b/publish-jobs/{job_id}")

    assert response.status == 404
    assert response.error_code == "publish_job_not_found"


def test_expected_count_must_be_a_positive_integer(run, drafts, stack):
    for body in ({}, {"expected_count": 0}, {"expected_count": "25"}):
        response = run.api.post("/properties/prop_a/publish-all", body)
        assert response.status == 422, body
    assert table_items(stack, "PublishJobsTable") == []


def test_a_retried_request_with_the_same_idempotency_key_starts_one_job(run, drafts, stack):
    headers = {"Idempotency-Key": "publish-all-march"}
    first = run.start(25, headers=headers)
    again = run.start(25, headers=headers)

    assert first.status == again.status == 202
    assert again.body["job_id"] == first.body["job_id"]
    assert len([i for i in table_items(stack, "PublishJobsTable") if i["sk"] == "JOB"]) == 1
    assert run.queue_depth("FanOutQueue") == 1


# -- the schedule ------------------------------------------------------------------


def test_the_scheduled_rule_publishes_the_listed_properties_as_the_schedule(run, drafts, stack):
    event = json.loads((EVENTS / "schedule" / "ScheduledPublishFunction.MonthlyPublishAll.json").read_text())
    handler = handler_for(stack.functions()["ScheduledPublishFunction"]["Handler"])

    result = handler(event, LambdaContext("schedule"), deps=run.publisher)
    # EventBridge delivers at least once: the same event again starts nothing.
    again = handler(event, LambdaContext("schedule"), deps=run.publisher)

    runs = {r["property_id"]: r for r in result["runs"]}
    assert runs["prop_b"]["outcome"] == "no_drafts"
    assert (runs["prop_a"]["outcome"], runs["prop_a"]["count"]) == ("started", 25)
    assert {r["property_id"]: r["outcome"] for r in again["runs"]} == {
        "prop_a": "already_started",
        "prop_b": "no_drafts",
    }
    run.enqueue()
    run.publish()
    job = run.job(runs["prop_a"]["job_id"])
    assert (job["published"], job["skipped"], job["state"]) == (25, 0, "completed")
    assert job["actor"] == {"kind": "schedule", "id": "monthly-publish-all", "name": "Scheduled Publish All"}
    assert all(publishes_of(item)[0]["actor"]["kind"] == "schedule" for item in invoices_by_id(stack).values())
    assert len([i for i in table_items(stack, "PublishJobsTable") if i["sk"] == "JOB"]) == 1


def test_a_scheduled_run_that_died_before_its_fan_out_is_finished_by_the_next_delivery(run, drafts, stack):
    event = json.loads((EVENTS / "schedule" / "ScheduledPublishFunction.MonthlyPublishAll.json").read_text())
    handler = handler_for(stack.functions()["ScheduledPublishFunction"]["Handler"])
    faults = FaultInjector()
    faults.on("sqs", "SendMessage", CRASH_BEFORE)

    # The job is written, then the process dies before the fan-out request leaves it.
    with faults.installed(aws.client("sqs")), pytest.raises(FunctionCrashed):
        handler(event, LambdaContext("schedule"), deps=run.publisher)
    assert faults.fired()
    assert [i["job_id"] for i in table_items(stack, "PublishJobsTable") if i["sk"] == "JOB"] == ["job_prop_a_20990301"]
    assert run.queue_depth("FanOutQueue") == 0

    # EventBridge retries the failed invocation: the job is found and its fan-out requested.
    again = handler(event, LambdaContext("schedule"), deps=run.publisher)
    assert {r["property_id"]: r["outcome"] for r in again["runs"]}["prop_a"] == "already_started"
    run.enqueue()
    run.publish()

    job = run.job("job_prop_a_20990301")
    assert (job["total"], job["published"], job["skipped"], job["state"]) == (25, 25, 0, "completed")
    assert all(
        len(publishes_of(item)) == 1 for item in invoices_by_id(stack).values() if item["property_id"] == "prop_a"
    )
