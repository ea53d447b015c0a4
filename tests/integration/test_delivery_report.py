"""A Publish All job's delivery report: "if we send out 1000 invoices and 100 bounce, it's
impossible to figure out". After a Publish All over residents with good, missing,
refused (SES rejects the address) and bouncing addresses, the report says who was
emailed, whose email failed or bounced and why, and who has no address, with counts that
match the emails SES accepted and the invoices' own states."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from hoa_billing.core.clock import FixedClock
from hoa_billing.data.directory import DynamoDirectory
from hoa_billing.data.outbox import DynamoEmailOutbox
from hoa_billing.email import BounceRecorder
from hoa_local.consumers import sqs_event
from hoa_local.lambdas import LambdaContext, function_invoker, handler_for
from hoa_local.streams import StreamReader
from tests.support import letters
from tests.support.api import manager_claims, table_items
from tests.support.bulk import BulkRun, make_publisher, use_bulk_environment
from tests.support.letters import LetterFlow
from tests.support.outbox import PORTAL, SENDER, Outbox
from tests.support.stories import create_draft, create_resident

GOOD, MISSING, REFUSED, BOUNCING = 6, 3, 2, 2
REFUSED_DOMAIN = "refused.example"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2099, 3, 1, 15, 0, tzinfo=UTC))


@pytest.fixture
def run(api, stack, properties, monkeypatch) -> BulkRun:
    use_bulk_environment(stack, monkeypatch)
    return BulkRun(api, stack, make_publisher(stack))


@pytest.fixture
def outbox(stack, properties, clock) -> Outbox:
    stack.parameters.update(SenderEmail=SENDER, PortalBaseUrl=PORTAL)
    boto3.client("ses").verify_email_identity(EmailAddress=SENDER)
    flow = Outbox(stack, clock)

    def refuse(params: dict[str, Any], **_: Any) -> None:
        # SES in the sandbox refuses an address nobody verified, for good.
        (to,) = params["Destination"]["ToAddresses"]
        if REFUSED_DOMAIN in to:
            raise ClientError(
                {
                    "Error": {"Code": "MessageRejected", "Message": f"Email address is not verified: {to}"},
                    "ResponseMetadata": {"HTTPStatusCode": 400},
                },
                "SendEmail",
            )

    flow.ses.meta.events.register("before-parameter-build.sesv2.SendEmail", refuse)
    return flow


def make_residents(api) -> dict[str, list[dict]]:
    """Drafts for residents of each kind; names say which (and one starts like a formula)."""
    kinds: dict[str, list[dict]] = {"good": [], "missing": [], "refused": [], "bouncing": []}
    plan = [("good", GOOD), ("missing", MISSING), ("refused", REFUSED), ("bouncing", BOUNCING)]
    n = 0
    for kind, count in plan:
        for i in range(count):
            n += 1
            email = {
                "good": f"good{i}@example.com",
                "missing": None,
                "refused": f"nobody{i}@{REFUSED_DOMAIN}",
                "bouncing": f"gone{i}@example.com",
            }[kind]
            name = f"=HYPERLINK(1) {kind} {i}" if (kind, i) == ("good", 0) else f"{kind.title()} Resident {i}"
            resident = create_resident(api, name=name, unit=f"{n}B", email=email)
            kinds[kind].append(create_draft(api, resident["resident_id"], 10000 + n))
    return kinds


def bounce(stack, clock, invoice_id: str) -> None:
    """SES's bounce notification for the invoice's email, through the function subscribed to it."""
    item = next(i for i in table_items(stack, "InvoicesTable") if i["invoice_id"] == invoice_id)
    message_id = item["email_details"]["message_id"]
    notification = {
        "eventType": "Bounce",
        "mail": {"messageId": message_id, "tags": {"invoice_id": [invoice_id]}},
        "bounce": {
            "bounceType": "Permanent",
            "bounceSubType": "General",
            "bouncedRecipients": [{"emailAddress": "x", "diagnosticCode": "smtp; 550 5.1.1 user unknown"}],
        },
    }
    recorder = BounceRecorder(
        DynamoEmailOutbox(stack.physical_name("InvoicesTable")),
        DynamoDirectory(stack.physical_name("PropertiesTable")),
        clock,
    )
    function_invoker(stack, "EmailEventsFunction", deps=recorder)(
        {"Records": [{"EventSource": "aws:sns", "Sns": {"Message": json.dumps(notification)}}]}
    )


def publish_all(run: BulkRun, count: int) -> str:
    started = run.start(count)
    assert started.status == 202, started.body
    run.enqueue()
    run.publish()
    return str(started.body["job_id"])


def report(run: BulkRun, job_id: str, **query: str):
    return run.api.get(f"/properties/prop_a/publish-jobs/{job_id}/deliveries", query=query or None)


def markers(stack, job_id: str) -> list[dict]:
    """The job's chunk markers, as the workers left them."""
    return [
        item
        for item in table_items(stack, "PublishJobsTable")
        if item["pk"] == job_id and item["sk"].startswith("MSG#")
    ]


def every_item(run: BulkRun, job_id: str, limit: int, **query: str) -> list[dict]:
    items, cursor, pages = [], None, 0
    while True:
        response = report(run, job_id, limit=str(limit), **query, **({"cursor": cursor} if cursor else {}))
        assert response.status == 200, response.body
        items += response.body["items"]
        pages += 1
        cursor = response.body["next_cursor"]
        if cursor is None:
            return items
        assert pages < 100


@pytest.fixture
def finished(run, outbox, stack, clock, api) -> dict[str, Any]:
    """The Publish All over the four kinds of resident, its emails sent and bounced."""
    kinds = make_residents(api)
    total = sum(len(v) for v in kinds.values())
    job_id = publish_all(run, total)
    outbox.run()
    for draft in kinds["bouncing"]:
        bounce(stack, clock, draft["invoice_id"])
    return {"job_id": job_id, "kinds": kinds, "total": total}


def test_the_report_counts_what_was_sent_failed_bounced_and_who_has_no_address(run, outbox, stack, finished):
    job_id = finished["job_id"]

    response = report(run, job_id)

    assert response.status == 200, response.body
    body = response.body
    counts = body["counts"]
    assert counts.pop("letters_ready") == 0  # the printer has not run yet
    sent_by_ses = outbox.sent()
    assert len(sent_by_ses) == GOOD + BOUNCING  # SES accepted these; the refused ones never went
    assert counts == {
        "invoices": finished["total"],
        "emailed": GOOD + REFUSED + BOUNCING,
        "sent": GOOD,
        "queued": 0,
        "failed": REFUSED,
        "bounced": BOUNCING,
        "no_address": MISSING,
        "not_requested": 0,
    }
    job = run.job(job_id)
    assert counts["invoices"] == job["published"] == finished["total"]
    assert body["available"] is True
    assert body["state"] == "completed"
    # The invoices' own states say the same.
    states = {i["invoice_id"]: i["email_status"] for i in table_items(stack, "InvoicesTable")}
    by_kind = {kind: {states[d["invoice_id"]] for d in drafts} for kind, drafts in finished["kinds"].items()}
    assert by_kind == {
        "good": {"sent"},
        "missing": {"skipped_no_address"},
        "refused": {"failed"},
        "bouncing": {"bounced"},
    }
    # Every address SES accepted is a row the report shows as sent or bounced, to that address.
    items = {item["invoice_id"]: item for item in body["items"]}
    accepted = sorted(to for message in sent_by_ses for to in message.destinations["ToAddresses"])
    shown = sorted(
        f"{item['resident_name']} <{item['email_to']}>"
        for item in items.values()
        if item["email_status"] in ("sent", "bounced")
    )
    assert [a.split("<")[1] for a in accepted] == [s.split("<")[1] for s in shown]


def test_each_row_says_who_what_where_and_why(run, finished):
    items = {item["invoice_id"]: item for item in report(run, finished["job_id"]).body["items"]}

    refused = items[finished["kinds"]["refused"][0]["invoice_id"]]
    assert refused["email_status"] == "failed"
    assert refused["email_to"] == f"nobody0@{REFUSED_DOMAIN}"
    assert refused["reason"].startswith("MessageRejected: Email address is not verified")
    bounced = items[finished["kinds"]["bouncing"][0]["invoice_id"]]
    assert bounced["email_status"] == "bounced"
    assert bounced["reason"] == "smtp; 550 5.1.1 user unknown"
    missing = items[finished["kinds"]["missing"][0]["invoice_id"]]
    assert missing["email_status"] == "skipped_no_address"
    assert missing["email_to"] is None
    assert missing["reason"] is None
    assert missing["resident_name"] == "Missing Resident 0"
    assert missing["unit"] == f"{GOOD + 1}B"
    good = items[finished["kinds"]["good"][1]["invoice_id"]]
    assert good == {
        "invoice_id": good["invoice_id"],
        "number": good["number"],
        "resident_id": good["resident_id"],
        "resident_name": "Good Resident 1",
        "unit": "2B",
        "amount_due": {"amount": 10002, "currency": "USD", "formatted": "$100.02"},
        "email_status": "sent",
        "email_to": "good1@example.com",
        "reason": None,
    }
    numbers = [item["number"] for item in report(run, finished["job_id"]).body["items"]]
    assert numbers == sorted(numbers)


@pytest.mark.parametrize("limit", [1, 4, 13, 100])
def test_pages_cover_every_invoice_exactly_once(run, finished, limit):
    items = every_item(run, finished["job_id"], limit)

    ids = [item["invoice_id"] for item in items]
    assert len(ids) == len(set(ids)) == finished["total"]
    assert set(ids) == {d["invoice_id"] for drafts in finished["kinds"].values() for d in drafts}


@pytest.mark.parametrize(
    ("state", "kind"), [("failed", "refused"), ("bounced", "bouncing"), ("skipped_no_address", "missing")]
)
def test_email_filter_keeps_one_state_and_the_counts_stay_whole(run, finished, state, kind):
    items = every_item(run, finished["job_id"], 1, email=state)

    assert {i["invoice_id"] for i in items} == {d["invoice_id"] for d in finished["kinds"][kind]}
    assert report(run, finished["job_id"], email=state).body["counts"]["invoices"] == finished["total"]


def test_an_unknown_email_state_or_cursor_is_refused(run, finished):
    job_id = finished["job_id"]

    unknown = report(run, job_id, email="lost")
    assert unknown.status == 422
    assert unknown.error_code == "validation_failed"
    forged = report(run, job_id, cursor="bm90LWEtY3Vyc29y")
    assert forged.status == 400
    assert forged.error_code == "invalid_cursor"
    first = report(run, job_id, limit="2")
    other_filter = report(run, job_id, email="failed", cursor=first.body["next_cursor"])
    assert other_filter.status == 400
    assert other_filter.error_code == "invalid_cursor"
    assert report(run, job_id, limit="0").status == 422


def test_an_unknown_job_or_another_propertys_job_is_not_found(run, finished, api):
    assert report(run, "job_nope").status == 404
    assert report(run, "job_nope").error_code == "publish_job_not_found"
    csv_missing = run.api.get("/properties/prop_a/publish-jobs/job_nope/deliveries.csv")
    assert csv_missing.status == 404
    assert csv_missing.headers["Content-Type"] == "application/json"
    assert json.loads(json.dumps(csv_missing.body))["error"]["code"] == "publish_job_not_found"
    api.claims = manager_claims("prop_a", "prop_b")
    other = api.get(f"/properties/prop_b/publish-jobs/{finished['job_id']}/deliveries")
    assert other.status == 404


def test_the_csv_has_one_safe_row_per_invoice(run, finished):
    job_id = finished["job_id"]

    response = run.api.get(f"/properties/prop_a/publish-jobs/{job_id}/deliveries.csv")

    assert response.status == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == f'attachment; filename="publish-{job_id}-deliveries.csv"'
    assert "X-Next-Cursor" not in response.headers
    rows = list(csv.reader(io.StringIO(response.body.removeprefix("\ufeff"))))
    assert rows[0] == ["Invoice", "Resident", "Unit", "Amount", "Email status", "Email address", "Reason"]
    assert len(rows) == 1 + finished["total"]
    by_name = {row[1]: row for row in rows[1:]}
    assert by_name["'=HYPERLINK(1) good 0"][4] == "Sent"  # a formula is text, with a quote first
    assert by_name["Missing Resident 0"][4:] == ["No email address", "", ""]
    assert by_name["Refused Resident 1"][4:6] == ["Failed", f"nobody1@{REFUSED_DOMAIN}"]
    assert by_name["Bouncing Resident 0"][4:] == ["Bounced", "gone0@example.com", "smtp; 550 5.1.1 user unknown"]
    assert by_name["Good Resident 1"][2:4] == ["2B", "$100.02"]
    failed_only = run.api.get(f"/properties/prop_a/publish-jobs/{job_id}/deliveries.csv", query={"email": "failed"})
    assert len(list(csv.reader(io.StringIO(failed_only.body)))) == 1 + REFUSED


def test_a_job_from_before_the_report_says_it_has_none(run, outbox, stack, api):
    kinds = make_residents(api)
    job_id = publish_all(run, sum(len(v) for v in kinds.values()))
    # As a job started before its markers listed what each message published: a head
    # without the mark, markers without the ids.
    client = boto3.client("dynamodb")
    table = stack.physical_name("PublishJobsTable")
    client.update_item(TableName=table, Key={"pk": {"S": job_id}, "sk": {"S": "JOB"}}, UpdateExpression="REMOVE dl")
    for marker in markers(stack, job_id):
        client.update_item(
            TableName=table, Key={"pk": {"S": job_id}, "sk": {"S": marker["sk"]}}, UpdateExpression="REMOVE inv"
        )

    response = report(run, job_id)

    assert response.status == 200
    assert response.body["available"] is False
    assert response.body["counts"] is None
    assert response.body["items"] == []


def test_a_resent_email_shows_queued_without_the_old_reason_then_its_new_outcome(run, outbox, stack, api, finished):
    job_id = finished["job_id"]
    refused = finished["kinds"]["refused"][0]["invoice_id"]
    resident = next(i for i in table_items(stack, "InvoicesTable") if i["invoice_id"] == refused)["resident_id"]
    api.call("PATCH", f"/properties/prop_a/residents/{resident}", {"email": "fixed@example.com"})

    resent = api.post(f"/properties/prop_a/invoices/{refused}/resend-email")
    assert resent.status == 202, resent.body

    items = {i["invoice_id"]: i for i in every_item(run, job_id, 100)}
    assert (items[refused]["email_status"], items[refused]["reason"]) == ("queued", None)
    assert items[refused]["email_to"] == "fixed@example.com"
    assert report(run, job_id).body["counts"]["failed"] == REFUSED - 1
    outbox.run()
    items = {i["invoice_id"]: i for i in every_item(run, job_id, 100)}
    assert (items[refused]["email_status"], items[refused]["reason"]) == ("sent", None)
    counts = report(run, job_id).body["counts"]
    assert (counts["sent"], counts["failed"], counts["invoices"]) == (GOOD + 1, REFUSED - 1, finished["total"])


def test_a_message_delivered_twice_or_sent_twice_lists_its_invoices_once(run, outbox, stack, api):
    kinds = make_residents(api)
    total = sum(len(v) for v in kinds.values())
    job_id = run.start(total).body["job_id"]
    run.enqueue()
    messages = run.workers.receive()
    run.workers.deliver(messages)
    worker = handler_for("bulk_worker.app.lambda_handler")

    # SQS delivers the same messages again, and the fan-out's page arrives once more as
    # another message (a lost SendMessageBatch answer): nothing is listed a second time.
    again = sqs_event(messages, run.workers.queue_arn)
    copies = sqs_event([{**m, "MessageId": f"copy-{m['MessageId']}"} for m in messages], run.workers.queue_arn)
    for event in (again, copies):
        assert worker(event, LambdaContext("worker"), deps=run.publisher) == {"batchItemFailures": []}

    listed = [invoice_id for marker in markers(stack, job_id) for invoice_id in marker.get("inv", [])]
    assert len(listed) == len(set(listed)) == total
    assert all("expires_at" not in marker for marker in markers(stack, job_id) if marker.get("inv"))
    assert all("expires_at" in marker for marker in markers(stack, job_id) if not marker.get("inv"))
    body = report(run, job_id).body
    counts = body["counts"]
    assert counts["invoices"] == run.job(job_id)["published"] == total
    assert counts["emailed"] + counts["no_address"] + counts["not_requested"] == counts["invoices"]
    assert counts["sent"] + counts["queued"] + counts["failed"] + counts["bounced"] == counts["emailed"]
    assert len({item["invoice_id"] for item in every_item(run, job_id, 5)}) == total


def test_every_resident_the_email_did_not_reach_has_one_letter_and_the_report_counts_them(run, stack, finished):
    """The issue's whole story: the report's counts match the emails SES took and the
    letters in the bucket, one per resident without a usable address, none twice."""
    job_id, kinds = finished["job_id"], finished["kinds"]
    flow = LetterFlow(stack, letters.printer(stack))

    flow.print_stream()
    flow.print_stream(flow.reader.read())  # nothing new: the stream's records are read once
    unreachable = {d["invoice_id"] for kind in ("missing", "refused", "bouncing") for d in kinds[kind]}
    assert {key.rsplit("/", 1)[-1].removesuffix(".pdf") for key in letters.letter_keys(stack)} == unreachable

    counts = report(run, job_id).body["counts"]
    assert counts["letters_ready"] == MISSING + REFUSED + BOUNCING == len(unreachable)
    assert counts["no_address"] + counts["failed"] + counts["bounced"] == counts["letters_ready"]

    # Every stream record delivered again (a retried batch): no second letter, same count.
    before = {key: letters.head(stack, key)["ETag"] for key in letters.letter_keys(stack)}
    flow.print_stream(
        StreamReader(boto3.client("dynamodbstreams"), stack.attributes["InvoicesTable"]["StreamArn"]).read()
    )
    assert {key: letters.head(stack, key)["ETag"] for key in letters.letter_keys(stack)} == before
    assert report(run, job_id).body["counts"]["letters_ready"] == len(unreachable)
