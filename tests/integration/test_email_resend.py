"""Resend the invoice email: Open or Overdue only, to the resident's current address,
at most once a minute per invoice, recorded in history."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from hoa_billing.core.clock import FixedClock
from hoa_billing.data.directory import DynamoDirectory
from hoa_billing.data.outbox import DynamoEmailOutbox
from hoa_billing.email import BounceRecorder, EmailResends
from hoa_local.lambdas import function_invoker
from tests.support.api import table_items
from tests.support.outbox import PORTAL, SENDER, Outbox
from tests.support.stories import create_draft, create_resident, detail, publish


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 3, 2, 15, 0, tzinfo=UTC))


@pytest.fixture
def outbox(stack, properties, clock, api) -> Outbox:
    stack.parameters.update(SenderEmail=SENDER, PortalBaseUrl=PORTAL)
    boto3.client("ses").verify_email_identity(EmailAddress=SENDER)
    api.use(
        "EmailResendFunction",
        EmailResends(
            DynamoEmailOutbox(stack.physical_name("InvoicesTable")),
            DynamoDirectory(stack.physical_name("PropertiesTable")),
            60,
            clock,
        ),
    )
    return Outbox(stack, clock)


def sent_invoice(api, outbox, **resident):
    draft = create_draft(api, create_resident(api, **resident)["resident_id"])
    assert publish(api, draft, {"send_email": True}).status == 200
    outbox.run()
    return draft


def resend(api, invoice, **kwargs):
    return api.post(f"/properties/{invoice['property_id']}/invoices/{invoice['invoice_id']}/resend-email", **kwargs)


def change_address(stack, invoice, email):
    boto3.client("dynamodb").update_item(
        TableName=stack.physical_name("PropertiesTable"),
        Key={"pk": {"S": invoice["property_id"]}, "sk": {"S": f"RESIDENT#{invoice['resident_id']}"}},
        UpdateExpression="SET email = :e",
        ExpressionAttributeValues={":e": {"S": email}},
    )


def test_resend_goes_to_the_residents_current_address_and_is_recorded(api, outbox, stack, clock):
    invoice = sent_invoice(api, outbox, email="old@example.com")
    change_address(stack, invoice, "new@example.com")
    clock.at += timedelta(minutes=5)

    response = resend(api, invoice)

    assert response.status == 202
    assert response.body["email"]["status"] == "queued"
    assert response.body["email"]["details"]["to"] == "new@example.com"
    entry = detail(api, invoice)["history"][-1]
    assert entry["action"] == "email_resend_requested"
    assert entry["actor"]["id"] == "mgr-1"
    assert entry["details"]["to"] == "new@example.com"

    outbox.run()

    first, second = outbox.sent()
    assert first.destinations["ToAddresses"] == ["Pat Resident <old@example.com>"]
    assert second.destinations["ToAddresses"] == ["Pat Resident <new@example.com>"]
    email = detail(api, invoice)["invoice"]["email"]
    assert email["status"] == "sent"
    assert email["details"]["message_id"] == second.id


def test_a_second_resend_within_a_minute_is_refused_and_changes_nothing(api, outbox, stack, clock):
    invoice = sent_invoice(api, outbox)
    assert resend(api, invoice).status == 202
    outbox.run()
    clock.at += timedelta(seconds=30)
    before = table_items(stack, "InvoicesTable")

    response = resend(api, invoice)

    assert response.status == 429
    assert response.error_code == "email_resend_too_soon"
    assert response.body["error"]["retry_after_seconds"] == 31
    assert table_items(stack, "InvoicesTable") == before
    clock.at += timedelta(seconds=30)
    assert resend(api, invoice).status == 202


def test_resend_while_the_email_is_still_queued_is_refused(api, outbox):
    draft = create_draft(api, create_resident(api)["resident_id"])
    publish(api, draft, {"send_email": True})

    response = resend(api, draft)

    assert response.status == 409
    assert response.error_code == "email_in_progress"
    assert response.body["error"]["email_status"] == "queued"


def test_resend_of_a_draft_or_a_void_invoice_is_refused_with_its_status(api, outbox):
    draft = create_draft(api, create_resident(api)["resident_id"])
    response = resend(api, draft)
    assert (response.status, response.error_code, response.body["error"]["status"]) == (
        409,
        "invoice_not_emailable",
        "Draft",
    )

    voided = sent_invoice(api, outbox)
    api.post(f"/properties/prop_a/invoices/{voided['invoice_id']}/void", {"reason": "Sent in error"})
    response = resend(api, voided)
    assert (response.status, response.error_code, response.body["error"]["status"]) == (
        409,
        "invoice_not_emailable",
        "Void",
    )


def test_resend_to_a_resident_without_an_address_is_refused(api, outbox, stack):
    draft = create_draft(api, create_resident(api, email=None)["resident_id"])
    publish(api, draft)
    before = table_items(stack, "InvoicesTable")

    response = resend(api, draft)

    assert response.status == 422
    assert response.error_code == "resident_has_no_email"
    assert table_items(stack, "InvoicesTable") == before


def test_resend_after_an_address_was_added_emails_a_resident_who_was_skipped(api, outbox, stack):
    draft = create_draft(api, create_resident(api, email=None)["resident_id"])
    publish(api, draft)
    change_address(stack, draft, "found@example.com")

    assert resend(api, draft).status == 202
    outbox.run()

    (message,) = outbox.sent()
    assert message.destinations["ToAddresses"] == ["Pat Resident <found@example.com>"]
    assert api.get("/properties/prop_a/invoices", query={"email": "skipped_no_address"}).body["items"] == []


def test_a_retried_resend_with_the_same_idempotency_key_queues_one_email(api, outbox, clock):
    invoice = sent_invoice(api, outbox)
    headers = {"Idempotency-Key": "resend-1"}

    first = resend(api, invoice, headers=headers)
    retry = resend(api, invoice, headers=headers)

    assert first.status == retry.status == 202
    assert retry.body == first.body
    outbox.run()
    assert len(outbox.sent()) == 2
    actions = [e["action"] for e in detail(api, invoice)["history"]]
    assert actions.count("email_resend_requested") == 1


def test_a_manager_of_another_property_cannot_resend(api, outbox):
    invoice = sent_invoice(api, outbox)
    api.claims["property_ids"] = "[prop_b]"
    assert resend(api, invoice).status == 403


def test_the_retry_release_of_a_throttled_email_is_not_taken_for_a_new_request(api, outbox):
    """sending -> queued after throttling must not pass the resend filter."""
    draft = create_draft(api, create_resident(api)["resident_id"])
    publish(api, draft, {"send_email": True})
    outbox.give_up_after(1)
    outbox.throttle_always()
    outbox.run()

    records = outbox.records()

    assert [r["dynamodb"]["NewImage"]["email_status"]["S"] for r in records] == ["sending", "queued"]
    assert outbox.run(records).forwarded == 0


# -- bounces and complaints ------------------------------------------------------------


def ses_notification(kind: str, invoice_id: str, message_id: str) -> dict:
    body = {
        "eventType": kind,
        "mail": {"messageId": message_id, "tags": {"invoice_id": [invoice_id]}},
        "bounce": {
            "bounceType": "Permanent",
            "bounceSubType": "General",
            "bouncedRecipients": [
                {"emailAddress": "pat@example.com", "diagnosticCode": "smtp; 550 5.1.1 no such user"}
            ],
        },
        "complaint": {"complaintFeedbackType": "abuse"},
    }
    return {"Records": [{"EventSource": "aws:sns", "Sns": {"Message": json.dumps(body)}}]}


@pytest.mark.parametrize("kind", ["Bounce", "Complaint"])
def test_a_bounce_or_complaint_marks_the_address_bouncing_and_the_email_bounced(api, outbox, stack, clock, kind):
    invoice = sent_invoice(api, outbox)
    message_id = detail(api, invoice)["invoice"]["email"]["details"]["message_id"]
    recorder = BounceRecorder(
        DynamoEmailOutbox(stack.physical_name("InvoicesTable")),
        DynamoDirectory(stack.physical_name("PropertiesTable")),
        clock,
    )

    function_invoker(stack, "EmailEventsFunction", deps=recorder)(
        ses_notification(kind, invoice["invoice_id"], message_id)
    )

    shown = detail(api, invoice)
    assert shown["invoice"]["email"]["status"] == "bounced"
    assert shown["history"][-1]["action"] == "email_bounced"
    residents = api.get("/properties/prop_a/residents").body["items"]
    assert residents[0]["has_email"] is False
    next_draft = create_draft(api, invoice["resident_id"])
    assert detail(api, next_draft)["publish_preview"]["email_checkbox"] == {
        "enabled": False,
        "checked_by_default": False,
        "disabled_reason": "address_bouncing",
    }
    assert resend(api, invoice).error_code == "resident_has_no_email"


def test_a_bounce_for_an_older_message_leaves_a_later_email_alone(api, outbox, stack, clock):
    invoice = sent_invoice(api, outbox)
    recorder = BounceRecorder(
        DynamoEmailOutbox(stack.physical_name("InvoicesTable")),
        DynamoDirectory(stack.physical_name("PropertiesTable")),
        clock,
    )
    function_invoker(stack, "EmailEventsFunction", deps=recorder)(
        ses_notification("Bounce", invoice["invoice_id"], "an-older-message-id")
    )
    assert detail(api, invoice)["invoice"]["email"]["status"] == "sent"
