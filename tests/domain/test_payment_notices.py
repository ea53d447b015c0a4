"""What a payment tells the resident: a receipt when money is applied (a card, or a bank
payment once it settles), a notice when a bank payment fails and the invoice is payable
again. Each is queued by the write that applies the payment, so it exists exactly when
the payment was applied: never for an event that applies nothing, never twice."""

from __future__ import annotations

import json

from hoa_billing.core.models import InvoiceStatus
from hoa_local import stripe_fake
from tests.domain.conftest import World
from tests.domain.support import published
from tests.domain.test_payments import deliver, session, webhook


def test_a_card_payment_in_full_queues_one_receipt_even_when_stripe_sends_it_again(world: World):
    invoice = published(world, None, 32500, send_email=False)
    hook, _ = webhook(world)
    paid = session(invoice)
    event = stripe_fake.completed(paid)

    assert deliver(world, hook, event) == "applied"
    assert deliver(world, hook, event) == "duplicate"
    # The same payment reported again under a new event id changes nothing either.
    assert deliver(world, hook, stripe_fake.completed(paid)) == "no_change"

    assert world.store.queued_notices(invoice.invoice_id) == [("receipt", paid["payment_intent"], 32500, 0)]


def test_a_partial_payment_queues_a_receipt_that_says_what_is_still_owed(world: World):
    invoice = published(world, None, 32500, send_email=False)
    hook, _ = webhook(world)
    part = session(invoice, 10000)

    deliver(world, hook, stripe_fake.completed(part))

    assert world.store.queued_notices(invoice.invoice_id) == [("receipt", part["payment_intent"], 10000, 22500)]


def test_a_bank_payment_gets_its_receipt_when_it_settles_not_while_it_is_processing(world: World):
    invoice = published(world, None, 32500, send_email=False)
    hook, _ = webhook(world)
    ach = session(invoice, payment_status="unpaid")

    deliver(world, hook, stripe_fake.completed(ach))
    assert world.store.queued_notices(invoice.invoice_id) == []

    deliver(world, hook, stripe_fake.async_succeeded(ach))
    assert world.store.queued_notices(invoice.invoice_id) == [("receipt", ach["payment_intent"], 32500, 0)]


def test_a_failed_bank_payment_queues_one_pay_again_notice(world: World):
    invoice = published(world, None, 32500, send_email=False)
    hook, _ = webhook(world)
    ach = session(invoice, payment_status="unpaid")
    deliver(world, hook, stripe_fake.completed(ach))

    failed = stripe_fake.async_failed(ach)
    assert deliver(world, hook, failed) == "applied"
    assert deliver(world, hook, failed) == "duplicate"
    # The bank's own failure event for the same payment: already failed, nothing new.
    deliver(world, hook, stripe_fake.payment_failed(ach))

    after = world.store.get(invoice.invoice_id)
    assert after is not None
    assert after.status is InvoiceStatus.OPEN
    assert world.store.queued_notices(invoice.invoice_id) == [("payment_failed", ach["payment_intent"], 32500, 32500)]


def test_a_declined_card_at_checkout_queues_nothing(world: World):
    invoice = published(world, None, 32500, send_email=False)
    hook, _ = webhook(world)

    deliver(world, hook, stripe_fake.payment_failed(session(invoice), method="card", code="card_declined"))

    assert world.store.queued_notices(invoice.invoice_id) == []


def test_an_amount_that_is_not_money_queues_nothing(world: World):
    invoice = published(world, None, 32500, send_email=False)
    hook, _ = webhook(world)
    event = stripe_fake.completed(session(invoice))
    event["data"]["object"]["amount_total"] = "32500"

    assert deliver(world, hook, event) == "flagged"

    assert world.store.queued_notices(invoice.invoice_id) == []


def test_a_payment_for_an_invoice_this_service_does_not_know_queues_nothing(world: World):
    invoice = published(world, None, 32500, send_email=False)
    hook, _ = webhook(world)
    stranger = stripe_fake.checkout_session("inv_unknown", invoice.property_id, 32500)

    assert hook.receive(json.dumps(stripe_fake.completed(stranger)).encode(), "valid").outcome == "unmatched"

    assert world.store.queued_notices("inv_unknown") == []
    assert world.store.queued_notices(invoice.invoice_id) == []
