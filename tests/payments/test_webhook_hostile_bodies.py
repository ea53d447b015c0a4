"""Signed webhook bodies that are not what Stripe sends: JSON that is not an event object
is refused (400) and changes nothing; an event whose amount is not money (negative, a
string, a fraction) is recorded and flagged for a person, and pays nothing."""

from __future__ import annotations

import pytest

from hoa_local import stripe_fake
from tests.support.api import table_items
from tests.support.payments import published_invoice, session_for, stored_invoice


def deliver_bytes(api, body: bytes):
    return api.post(
        "/webhooks/stripe",
        raw_body=body.decode(),
        headers={"stripe-signature": stripe_fake.sign(body, stripe_fake.TEST_WEBHOOK_SECRET)},
        claims=None,
    )


NOT_EVENTS = {
    "array": b"[1,2,3]",
    "string": b'"evt"',
    "null": b"null",
    "number": b"42",
    "deep": b"[" * 30000 + b"]" * 30000,
    "deep in an event": b'{"id": "evt_1", "type": "checkout.session.completed", "created": 1, "data": '
    + b'{"a":' * 5000
    + b"1"
    + b"}" * 5000
    + b"}",
    "no id": b'{"type": "checkout.session.completed", "created": 1, "data": {}}',
}


@pytest.mark.parametrize("body", list(NOT_EVENTS.values()), ids=list(NOT_EVENTS))
def test_a_signed_body_that_is_not_a_stripe_event_is_refused_and_changes_nothing(api, properties, stack, body):
    published_invoice(api)
    before = table_items(stack, "InvoicesTable")

    response = deliver_bytes(api, body)

    assert response.status == 400, response.body
    assert response.error_code in ("invalid_json", "invalid_event")
    assert table_items(stack, "InvoicesTable") == before
    assert table_items(stack, "StripeEventsTable") == []


NOT_MONEY = {"negative": -5000, "a string": "5000", "a fraction": 50.5, "missing": None, "true": True}


@pytest.mark.parametrize("amount", list(NOT_MONEY.values()), ids=list(NOT_MONEY))
def test_an_amount_that_is_not_money_pays_nothing_and_is_flagged_for_a_person(api, properties, stack, amount):
    invoice = published_invoice(api, 5000)
    event = stripe_fake.completed({**session_for(invoice), "amount_total": amount})
    body = stripe_fake.signed(event)[0]

    response = deliver_bytes(api, body)

    assert (response.status, response.body["outcome"]) == (200, "flagged")
    stored = stored_invoice(stack, invoice["invoice_id"])
    assert (stored["status"], stored["amount_paid"], stored["amount_processing"]) == ("Open", 0, 0)
    assert stored["payments"] == {}
    assert stored["needs_attention"] is True
    flagged = stored["history"][-1]
    assert flagged["action"] == "payment_needs_attention"
    assert flagged["reason"].startswith("amount not applied, amount_total must")
    (record,) = table_items(stack, "StripeEventsTable")
    assert (record["event_id"], record["outcome"]) == (event["id"], "flagged")
    assert record["details"]["attention"] == flagged["reason"]


def test_a_refund_with_an_amount_that_is_not_money_changes_no_amount(api, properties, stack):
    invoice = published_invoice(api, 5000)
    session = session_for(invoice)
    assert deliver_bytes(api, stripe_fake.signed(stripe_fake.completed(session))[0]).body["outcome"] == "applied"
    refund = stripe_fake.charge_refunded(session, 5000)
    refund["data"]["object"]["amount_refunded"] = -5000

    response = deliver_bytes(api, stripe_fake.signed(refund)[0])

    assert response.body["outcome"] == "flagged"
    stored = stored_invoice(stack, invoice["invoice_id"])
    assert (stored["status"], stored["amount_paid"], stored["amount_refunded"]) == ("Paid", 5000, 0)
    assert stored["needs_attention"] is True
