"""Email on publish: "If email notification was enabled, the resident receives an email
with the invoice details and a Pay Now link." The stream is the outbox; every test runs
the real stream records through the template's filters into the email sender."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import boto3
import pytest

from hoa_billing.core.clock import FixedClock
from hoa_billing.data.invoices import DynamoInvoices
from hoa_billing.data.listings import DynamoDueInvoices, DynamoInvoiceListings
from hoa_billing.overdue import OverdueSweep
from tests.support.api import table_items
from tests.support.outbox import PORTAL, SENDER, Outbox
from tests.support.stories import create_draft, create_resident, detail, publish


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 3, 2, 15, 0, tzinfo=UTC))


@pytest.fixture
def outbox(stack, properties, clock) -> Outbox:
    stack.parameters.update(SenderEmail=SENDER, PortalBaseUrl=PORTAL)
    boto3.client("ses").verify_email_identity(EmailAddress=SENDER)
    return Outbox(stack, clock)


def published_with_email(api, *amounts, **resident):
    resident_row = create_resident(api, **resident)
    draft = create_draft(api, resident_row["resident_id"], *amounts)
    response = publish(api, draft, {"send_email": True})
    assert response.status == 200, response.body
    return response.body


def email_of(api, invoice) -> dict:
    return detail(api, invoice)["invoice"]["email"]


def test_publishing_with_email_sends_the_invoice_with_a_pay_now_link(api, outbox):
    invoice = published_with_email(api, 32500, 2550, name="Pat Resident", email="pat@example.com")

    report = outbox.run()

    assert report.invocations == 1
    assert not report.discarded
    (message,) = outbox.sent()
    assert message.source == f"Maple Court HOA <{SENDER}>"
    assert message.destinations["ToAddresses"] == ["Pat Resident <pat@example.com>"]
    due = datetime.fromisoformat(invoice["due_date"]).date()
    due_text = f"{due:%B} {due.day}, {due.year}"
    assert message.subject == f"Maple Court HOA: invoice {invoice['number']} for $350.50 is due {due_text}"
    body = message.body
    for expected in ("Maple Court HOA", "Pat Resident", invoice["number"], "$350.50", due_text):
        assert expected in body
    assert "Assessment part 1" in body
    assert "$325.00" in body
    assert "Assessment part 2" in body
    assert "$25.50" in body
    pay_link = f"{PORTAL}/invoices/{invoice['invoice_id']}"
    assert f'href="{pay_link}"' in body
    assert "Pay Now" in body
    email = email_of(api, invoice)
    assert email["status"] == "sent"
    assert email["details"]["message_id"] == message.id
    assert email["details"]["to"] == "pat@example.com"
    assert email["details"]["sent_at"] == "2026-03-02T15:00:00.000Z"
    history = detail(api, invoice)["history"]
    assert history[-1]["action"] == "email_sent"
    assert history[-1]["details"] == {"to": "pat@example.com", "message_id": message.id}


def test_box_unchecked_sends_no_email(api, outbox):
    draft = create_draft(api, create_resident(api)["resident_id"])
    publish(api, draft, {"send_email": False})

    records = outbox.records()
    report = outbox.run(records)

    invoice_records = [r for r in records if "status" in r["dynamodb"]["NewImage"]]  # not the counts
    assert [r["dynamodb"]["NewImage"]["status"]["S"] for r in invoice_records if r["eventName"] == "MODIFY"] == ["Open"]
    assert report.invocations == 0
    assert outbox.sent() == []
    assert email_of(api, draft)["status"] == "not_requested"


def test_resident_without_address_gets_no_email_and_the_invoice_says_skipped(api, outbox):
    draft = create_draft(api, create_resident(api, email=None, name="Lee Noemail")["resident_id"])
    publish(api, draft)

    report = outbox.run()

    assert report.invocations == 0
    assert outbox.sent() == []
    assert email_of(api, draft)["status"] == "skipped_no_address"
    unreachable = api.get("/properties/prop_a/invoices", query={"email": "skipped_no_address"}).body["items"]
    assert [(row["invoice_id"], row["number"], row["resident_id"], row["resident_name"]) for row in unreachable] == [
        (draft["invoice_id"], draft["number"], draft["resident_id"], "Lee Noemail")
    ]


def test_residents_to_notify_another_way_are_not_those_emailed_nor_drafts(api, outbox):
    published_with_email(api)
    create_draft(api, create_resident(api, email=None)["resident_id"])
    outbox.run()
    assert api.get("/properties/prop_a/invoices", query={"email": "skipped_no_address"}).body["items"] == []


def test_the_same_stream_record_delivered_twice_sends_one_email(api, outbox):
    invoice = published_with_email(api)
    records = outbox.records()

    outbox.run(records)
    outbox.run(records)

    assert len(outbox.sent()) == 1
    assert outbox.calls == 1
    email = email_of(api, invoice)
    assert email["status"] == "sent"
    assert email["details"]["attempts"] == 1
    assert [e["action"] for e in detail(api, invoice)["history"]].count("email_sent") == 1


def test_a_crash_after_claiming_and_before_the_send_sends_exactly_once_after_the_retry(api, outbox):
    invoice = published_with_email(api)
    outbox.crash_before_send()

    report = outbox.run()

    assert report.invocations == 2
    assert not report.discarded
    assert len(outbox.sent()) == 1
    email = email_of(api, invoice)
    assert email["status"] == "sent"
    assert email["details"]["attempts"] == 2


def test_a_crash_after_the_send_and_before_recording_it_is_the_one_documented_duplicate(api, outbox):
    """SES accepted the message, the process died before writing "sent": the retry
    cannot know, so the resident gets the same email twice. Nothing else duplicates."""
    invoice = published_with_email(api)
    outbox.crash_after_send()

    report = outbox.run()

    assert report.invocations == 2
    first, second = outbox.sent()
    assert (first.subject, first.body) == (second.subject, second.body)
    email = email_of(api, invoice)
    assert email["status"] == "sent"
    assert email["details"]["message_id"] == second.id
    # Once recorded, further deliveries of the record send nothing.
    outbox.run(outbox.reader.read())
    assert len(outbox.sent()) == 2


def test_every_second_ses_call_throttled_every_email_is_eventually_sent(api, outbox):
    invoices = [published_with_email(api, 1000 * (i + 1), email=f"r{i}@example.com") for i in range(4)]
    outbox.throttle_every_second_call()

    report = outbox.run()

    assert not report.discarded
    sent = outbox.sent()
    assert sorted(m.destinations["ToAddresses"][0] for m in sent) == [
        f"Pat Resident <r{i}@example.com>" for i in range(4)
    ]
    assert outbox.calls == 7  # 4 accepted, 3 throttled
    statuses = [email_of(api, invoice) for invoice in invoices]
    assert [e["status"] for e in statuses] == ["sent"] * 4
    # The fourth is throttled on its first try and again when the batch is retried.
    assert [e["details"]["attempts"] for e in statuses] == [1, 2, 1, 3]
    assert all("last_error" not in e["details"] for e in statuses)


def test_a_throttled_email_stays_queued_with_its_error_until_the_retry(api, outbox, stack):
    invoice = published_with_email(api)
    outbox.give_up_after(1)
    outbox.throttle_always()

    report = outbox.run()

    assert len(report.discarded) == 1
    email = email_of(api, invoice)
    assert email["status"] == "queued"
    assert email["details"]["last_error"].startswith("TooManyRequestsException")
    (message,) = outbox.dead_letters_received()  # kept, to be moved back to the queue
    assert invoice["invoice_id"] in message["Body"]


def test_an_email_throttled_too_many_times_is_marked_failed_rather_than_lost(api, stack, properties, clock):
    stack.parameters.update(SenderEmail=SENDER, PortalBaseUrl=PORTAL)
    boto3.client("ses").verify_email_identity(EmailAddress=SENDER)
    outbox = Outbox(stack, clock, email_max_attempts="3")
    invoice = published_with_email(api)
    outbox.throttle_always()

    report = outbox.run()

    assert not report.discarded
    assert outbox.calls == 3
    email = email_of(api, invoice)
    assert email["status"] == "failed"
    assert email["details"]["reason"].startswith("gave_up after 3 attempts: TooManyRequestsException")
    assert detail(api, invoice)["history"][-1]["action"] == "email_failed"


def test_a_permanent_rejection_is_marked_failed_with_its_reason_and_not_retried(api, stack, properties, clock):
    stack.parameters.update(SenderEmail=SENDER, PortalBaseUrl=PORTAL)  # sender identity not verified
    outbox = Outbox(stack, clock)
    invoice = published_with_email(api)

    report = outbox.run()

    assert report.invocations == 1
    assert outbox.calls == 1
    assert outbox.sent() == []
    email = email_of(api, invoice)
    assert email["status"] == "failed"
    assert email["details"]["reason"].startswith("MessageRejected")
    assert email["details"]["attempts"] == 1
    entry = detail(api, invoice)["history"][-1]
    assert entry["action"] == "email_failed"
    assert entry["reason"].startswith("MessageRejected")


def test_an_invoice_voided_before_its_email_went_out_is_not_emailed(api, outbox):
    invoice = published_with_email(api)
    voided = api.post(f"/properties/prop_a/invoices/{invoice['invoice_id']}/void", {"reason": "Published by mistake"})
    assert voided.status == 200

    outbox.run()

    assert outbox.sent() == []
    email = email_of(api, invoice)
    assert email["status"] == "failed"
    assert email["details"]["reason"].startswith("invoice_void")


def test_an_invoice_that_changed_after_its_email_was_queued_is_emailed_as_it_stands(api, outbox, stack, clock):
    invoice = published_with_email(api)
    due = date.fromisoformat(invoice["due_date"])
    after_due = FixedClock(datetime(due.year, due.month, due.day, tzinfo=UTC) + timedelta(days=2))
    table = stack.physical_name("InvoicesTable")
    sweep = OverdueSweep(
        DynamoDueInvoices(DynamoInvoiceListings(table), lambda: ["prop_a"]), DynamoInvoices(table), after_due
    )
    assert sweep.run().moved == [invoice["invoice_id"]]
    (record,) = [r for r in outbox.records() if r["dynamodb"]["NewImage"].get("status", {}).get("S") == "Open"]

    outbox.run([record])  # the record still shows the invoice Open

    (message,) = outbox.sent()
    assert "is past due" in message.subject
    assert email_of(api, invoice)["status"] == "sent"


def test_a_claim_held_by_another_delivery_is_left_alone_until_its_lease_expires(api, outbox, clock):
    invoice = published_with_email(api)
    (record,) = [r for r in outbox.records() if r["eventName"] == "MODIFY" and "status" in r["dynamodb"]["NewImage"]]
    outbox.crash_before_send()
    outbox.give_up_after(1)
    outbox.run([record], wait=False)  # claims, then dies before sending; that message is given up

    # The same request forwarded again (a stream batch delivered twice), at once: the
    # claim is fresh, so this delivery leaves it alone and comes back later.
    report = outbox.run([record], wait=False)
    assert len(report.discarded) == 1
    assert outbox.sent() == []
    assert email_of(api, invoice)["status"] == "sending"

    clock.at = clock.at.replace(minute=clock.at.minute + 3)  # past the 120 s lease
    outbox.give_up_after(25)
    outbox.run([record])
    assert len(outbox.sent()) == 1
    assert email_of(api, invoice)["status"] == "sent"


def test_a_resident_name_with_markup_is_escaped_in_the_html(api, outbox):
    name = 'Pat <script>alert("x")</script> O\'Hara'
    published_with_email(api, name=name)

    outbox.run()

    (message,) = outbox.sent()
    assert "<script>" not in message.body
    assert "Pat &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; O&#39;Hara" in message.body


def test_publishing_writes_nothing_but_the_invoice_row(api, outbox, stack):
    """No dual write: the email request is part of the publish's one conditional write
    (the property's counts move in the same transaction)."""
    published_with_email(api)
    rows = {row["invoice_id"].split("_")[0]: row for row in table_items(stack, "InvoicesTable", counts=True)}
    assert sorted(rows) == ["counts#prop", "inv"]
    assert rows["inv"]["email_status"] == "queued"
    assert (rows["counts#prop"]["Open"], rows["counts#prop"]["Draft"]) == (1, 0)
