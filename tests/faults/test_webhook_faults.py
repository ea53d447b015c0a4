"""A resident pays in full by card; Stripe's webhook meets a fault on each AWS call it
makes (the secret from SSM, the event's claim, the invoice read and write, the event's
record). Stripe redelivers until it gets a 2xx: the invoice ends Paid, the payment is
counted once, and the event is recorded as done."""

from __future__ import annotations

import pytest

from hoa_billing.data import aws
from hoa_local import stripe_fake
from hoa_local.faults import READ_TIMEOUT
from tests.support.api import table_items
from tests.support.faults import Recovery, Row, Step, actions, dynamodb, retry_as_a_client, rows_for
from tests.support.payments import deliver, published_invoice, session_for
from tests.support.stories import detail

STEPS = [
    Step("webhook secret read (cold start)", "ssm", "GetParameter"),
    Step("event claimed", "dynamodb", "PutItem", "StripeEventsTable"),
    Step("invoice read", "dynamodb", "GetItem", "InvoicesTable"),
    # The payment, Open->Paid and the property's counts, one transaction; then the invoice.
    Step("payment applied (Open->Paid)", "dynamodb", "TransactWriteItems"),
    Step("paid invoice read", "dynamodb", "GetItem", "InvoicesTable", call=2),
    Step("event recorded done", "dynamodb", "UpdateItem", "StripeEventsTable"),
]
ROWS = rows_for(STEPS)


@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
def test_a_fault_on_the_webhook_ends_with_the_invoice_paid_once(
    api, stack, properties, webhook_secret, later, outcome, row
):
    outcome(path="webhook", step=row.step.name, operation=row.step.operation, fault=row.fault.name, times=row.times)
    outcome(index=ROWS.index(row))
    invoice = published_invoice(api, 32500)
    event = stripe_fake.completed(session_for(invoice))
    recovery = Recovery()

    with row.inject(stack).installed(dynamodb(), aws.client("ssm")) as faults:
        response = retry_as_a_client(lambda: deliver(api, event), recovery, later, lease_seconds=60, who="Stripe")
    outcome(recovered_via=recovery.summary(faults), emails=0)

    assert faults.fired(), "the fault never happened"
    assert response.status == 200, response.body
    shown = detail(api, invoice)
    assert shown["invoice"]["status"] == "Paid"
    (stored,) = [item for item in table_items(stack, "InvoicesTable") if item["invoice_id"] == invoice["invoice_id"]]
    assert stored["amount_paid"] == 32500
    assert stored["amount_processing"] == 0
    assert not stored.get("needs_attention")
    assert actions(shown["history"]) == ["created", "published", "payment_succeeded"]
    (record,) = table_items(stack, "StripeEventsTable")
    assert (record["event_id"], record["state"]) == (event["id"], "done")


def test_a_lost_answer_to_recording_the_event_done_is_not_a_500(api, stack, properties, webhook_secret, later):
    """The SDK repeats the 'done' write whose answer was lost; the repeat finds the
    event done and Stripe gets its 200 the first time."""
    invoice = published_invoice(api, 32500)
    event = stripe_fake.completed(session_for(invoice))
    faults = Row(STEPS[-1], READ_TIMEOUT).inject(stack)

    with faults.installed(dynamodb()):
        response = deliver(api, event)

    assert faults.fired()
    assert (response.status, response.body["outcome"]) == (200, "applied")
    assert detail(api, invoice)["invoice"]["status"] == "Paid"
