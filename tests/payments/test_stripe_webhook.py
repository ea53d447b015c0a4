"""The Stripe webhook: only Stripe's signed, fresh events change anything; each event
counts once; replays and any delivery order end in the same state."""

from __future__ import annotations

import itertools

import pytest

from hoa_local import stripe_fake
from tests.support.api import table_items
from tests.support.payments import deliver, payment_state, published_invoice, session_for, stale, stored_invoice


def ach_success(invoice):
    session = session_for(invoice, payment_status="unpaid")
    return [stripe_fake.completed(session), stripe_fake.async_succeeded(session)]


def ach_failure(invoice):
    session = session_for(invoice, payment_status="unpaid")
    return [stripe_fake.completed(session), stripe_fake.async_failed(session), stripe_fake.payment_failed(session)]


def test_a_replayed_event_is_applied_once(api, properties, stack):
    invoice = published_invoice(api, 32500, 2500)
    partial = stripe_fake.completed(session_for(invoice, amount=10000))
    assert deliver(api, partial).body["outcome"] == "applied"
    after_first = stored_invoice(stack, invoice["invoice_id"])

    replay = deliver(api, partial)

    assert (replay.status, replay.body["outcome"]) == (200, "duplicate")
    assert stored_invoice(stack, invoice["invoice_id"]) == after_first
    assert after_first["amount_paid"] == 10000


def test_the_same_payment_under_a_new_event_id_changes_nothing(api, properties, stack):
    invoice = published_invoice(api, 32500, 2500)
    session = session_for(invoice, amount=10000)
    deliver(api, stripe_fake.completed(session))
    after_first = stored_invoice(stack, invoice["invoice_id"])

    again = deliver(api, stripe_fake.completed(session))  # a fresh event id, the same PaymentIntent

    assert again.body["outcome"] == "no_change"
    assert stored_invoice(stack, invoice["invoice_id"]) == after_first


@pytest.mark.parametrize("story", [ach_success, ach_failure], ids=["ach-succeeds", "ach-fails"])
def test_events_in_any_order_end_in_the_same_state_as_in_order(api, properties, stack, story):
    in_order = published_invoice(api, 32500)
    for event in story(in_order):
        assert deliver(api, event).status == 200
    expected = payment_state(stack, in_order["invoice_id"])

    for permutation in itertools.permutations(range(len(story(in_order)))):
        invoice = published_invoice(api, 32500)
        events = story(invoice)
        for index in permutation:
            assert deliver(api, events[index]).status == 200
        assert payment_state(stack, invoice["invoice_id"]) == expected, permutation
    assert expected["status"] == ("Paid" if story is ach_success else "Open")


def test_the_same_events_in_reverse_order_pay_the_invoice(api, properties, stack):
    invoice = published_invoice(api, 32500)

    for event in reversed(ach_success(invoice)):
        deliver(api, event)

    assert payment_state(stack, invoice["invoice_id"]) == {
        "status": "Paid",
        "amount_paid": 32500,
        "amount_processing": 0,
        "needs_attention": False,
        "payments": [{"state": "succeeded", "amount": 32500, "currency": "USD"}],
    }


def _nothing_changed(stack, before_invoices):
    assert table_items(stack, "InvoicesTable") == before_invoices
    assert table_items(stack, "StripeEventsTable") == []


def test_a_bad_signature_is_refused_and_changes_nothing(api, properties, stack):
    invoice = published_invoice(api)
    before = table_items(stack, "InvoicesTable")

    response = deliver(api, stripe_fake.completed(session_for(invoice)), secret="whsec_someone_else")

    assert response.status == 400
    assert response.error_code == "invalid_signature"
    _nothing_changed(stack, before)


def test_a_tampered_body_is_refused(api, properties, stack):
    invoice = published_invoice(api)
    before = table_items(stack, "InvoicesTable")
    body, signature = stripe_fake.signed(stripe_fake.completed(session_for(invoice, amount=100)))
    tampered = body.replace(b'"amount_total":100', b'"amount_total":32500')

    response = api.post(
        "/webhooks/stripe", raw_body=tampered.decode(), headers={"stripe-signature": signature}, claims=None
    )

    assert response.status == 400
    _nothing_changed(stack, before)


def test_a_missing_signature_is_refused(api, properties, stack):
    invoice = published_invoice(api)
    before = table_items(stack, "InvoicesTable")
    body, _ = stripe_fake.signed(stripe_fake.completed(session_for(invoice)))

    response = api.post("/webhooks/stripe", raw_body=body.decode(), claims=None)

    assert (response.status, response.error_code) == (400, "invalid_signature")
    _nothing_changed(stack, before)


def test_a_stale_timestamp_is_refused_even_with_the_right_secret(api, properties, stack):
    invoice = published_invoice(api)
    before = table_items(stack, "InvoicesTable")

    response = deliver(api, stripe_fake.completed(session_for(invoice)), timestamp=stale(301))

    assert (response.status, response.error_code) == (400, "invalid_signature")
    _nothing_changed(stack, before)


def test_a_signature_within_tolerance_is_accepted(api, properties, stack):
    invoice = published_invoice(api)

    response = deliver(api, stripe_fake.completed(session_for(invoice)), timestamp=stale(240))

    assert (response.status, response.body["outcome"]) == (200, "applied")


def test_a_base64_encoded_body_is_verified_on_the_decoded_bytes(api, properties, stack):
    invoice = published_invoice(api)

    response = deliver(api, stripe_fake.completed(session_for(invoice)), base64=True)

    assert (response.status, response.body["outcome"]) == (200, "applied")
    assert stored_invoice(stack, invoice["invoice_id"])["status"] == "Paid"


def test_a_payment_for_an_unknown_invoice_is_kept_and_flagged(api, properties, stack):
    event = stripe_fake.completed(stripe_fake.checkout_session("inv_does_not_exist", "prop_a", 32500))

    response = deliver(api, event)

    assert (response.status, response.body["outcome"]) == (200, "unmatched")
    (record,) = table_items(stack, "StripeEventsTable")
    assert record["event_id"] == event["id"]
    assert record["outcome"] == "unmatched"
    assert record["details"]["attention"] == "payment for an invoice this service does not know"
    assert record["expires_at"] > record["claimed_at"]


def test_events_this_service_does_not_handle_are_acknowledged_and_ignored(api, properties, stack):
    event = stripe_fake.event("customer.created", {"id": "cus_test_1", "object": "customer"})

    response = deliver(api, event)

    assert (response.status, response.body["outcome"]) == (200, "ignored")
    assert table_items(stack, "StripeEventsTable") == []
