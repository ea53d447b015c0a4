"""Publishing one invoice with the email box checked, with a fault on each AWS call the
publish makes. Whatever fails, once the manager's app has retried with the same
Idempotency-Key: the invoice is Open, published once, and the resident gets one email."""

from __future__ import annotations

import json

import jsonschema
import pytest

from hoa_local import ROOT
from hoa_local.faults import THROUGHPUT_EXCEEDED
from tests.support.faults import (
    EVERY_ATTEMPT,
    EmailPipe,
    Recovery,
    Row,
    Step,
    actions,
    dynamodb,
    retry_as_a_client,
    rows_for,
)
from tests.support.stories import create_draft, create_resident, detail, publish

DOCUMENT = ROOT / "docs" / "openapi.json"

STEPS = [
    Step("idempotency record saved", "dynamodb", "PutItem", "IdempotencyTable"),
    Step("invoice read", "dynamodb", "GetItem", "InvoicesTable"),
    Step("resident read", "dynamodb", "GetItem", "PropertiesTable"),
    # The write and the property's counts, one transaction; then the invoice as written.
    Step("Draft->Open conditional write", "dynamodb", "TransactWriteItems"),
    Step("published invoice read", "dynamodb", "GetItem", "InvoicesTable", call=2),
    Step("idempotency record completed", "dynamodb", "UpdateItem", "IdempotencyTable"),
]
ROWS = rows_for(STEPS)


@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
def test_a_fault_on_publish_ends_with_one_open_invoice_and_one_email(
    api, stack, properties, clock, later, outcome, row
):
    outcome(path="publish", step=row.step.name, operation=row.step.operation, fault=row.fault.name, times=row.times)
    outcome(index=ROWS.index(row))
    draft = create_draft(api, create_resident(api, email="pat@example.com")["resident_id"], 32500)
    pipe = EmailPipe(stack, clock)
    recovery = Recovery()
    timeout = int(stack.function_setting("InvoicePublishFunction", "Timeout"))

    def publish_once():
        return publish(api, draft, {"send_email": True}, headers={"Idempotency-Key": f"publish-{draft['number']}"})

    with row.inject(stack).installed(dynamodb()) as faults:
        response = retry_as_a_client(publish_once, recovery, later, lease_seconds=timeout, who="API caller")
    pipe.deliver(recovery)
    outcome(recovered_via=recovery.summary(faults), emails=len(pipe.sent()))

    assert faults.fired(), "the fault never happened"
    assert 500 not in recovery.statuses, "a busy or unreachable AWS is a retryable 503, not a 500"
    assert response.status == 200, response.body
    assert response.body["status"] == "Open"
    shown = detail(api, draft)
    assert shown["invoice"]["status"] == "Open"
    assert actions(shown["history"]) == ["created", "published", "email_sent"]
    assert shown["invoice"]["email"]["status"] == "sent"
    (message,) = pipe.sent()
    assert message.destinations["ToAddresses"] == ["Pat Resident <pat@example.com>"]


def test_aws_busy_on_every_attempt_is_a_documented_503_that_changes_nothing(api, stack, properties):
    draft = create_draft(api, create_resident(api, email="pat@example.com")["resident_id"], 32500)
    faults = Row(STEPS[3], THROUGHPUT_EXCEEDED, EVERY_ATTEMPT).inject(stack)

    with faults.installed(dynamodb()):
        response = publish(api, draft, {"send_email": True}, headers={"Idempotency-Key": "busy-1"})

    assert faults.fired()
    assert response.status == 503
    assert response.error_code == "service_busy"
    assert int(response.headers["Retry-After"]) > 0
    document = json.loads(DOCUMENT.read_text())
    answer = document["paths"]["/properties/{property_id}/invoices/{invoice_id}/publish"]["post"]["responses"]["503"]
    assert "Retry-After" in answer["headers"]
    schema = {**answer["content"]["application/json"]["schema"], "components": document["components"]}
    jsonschema.Draft202012Validator(schema).validate(response.body)
    shown = detail(api, draft)
    assert shown["invoice"]["status"] == "Draft"
    assert actions(shown["history"]) == ["created"]
