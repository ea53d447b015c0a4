"""Paying an invoice: partial and full payments, bank transfers that take days, and money
that must never be dropped. Stripe's events applied through the ledger, at most once."""

from __future__ import annotations

import json
from typing import Any

import pytest

from hoa_billing.core import errors
from hoa_billing.core.models import Invoice, InvoiceStatus, PaymentState
from hoa_billing.payments import PaymentLedger, StripeWebhook
from hoa_local import stripe_fake
from tests.domain.conftest import MANAGER, World
from tests.domain.support import published


def webhook(world: World) -> tuple[StripeWebhook, Any]:
    events = world.events

    def verify(payload: bytes, signature: str | None) -> None:
        if signature != "valid":
            raise errors.InvalidSignature("bad signature")

    return StripeWebhook(PaymentLedger(world.store, world.clock), events, verify, world.clock), events


def deliver(world: World, hook: StripeWebhook, event: dict) -> str:
    return hook.receive(json.dumps(event).encode(), "valid").outcome


def session(invoice: Invoice, amount: int | None = None, **kwargs) -> dict:
    total = invoice.balance if amount is None else amount
    return stripe_fake.checkout_session(invoice.invoice_id, invoice.property_id, total, **kwargs)


def test_a_card_payment_in_full_makes_the_invoice_paid(world: World):
    invoice = published(world, None, 32500, send_email=False)
    hook, _ = webhook(world)

    assert deliver(world, hook, stripe_fake.completed(session(invoice))) == "applied"

    paid = world.store.get(invoice.invoice_id)
    assert paid is not None
    assert (paid.status, paid.amount_paid, paid.balance) == (InvoiceStatus.PAID, 32500, 0)
    assert paid.history[-1].to_status is InvoiceStatus.PAID


def test_a_partial_payment_leaves_it_open_with_a_lower_balance(world: World):
    invoice = published(world, None, 32500, send_email=False)
    hook, _ = webhook(world)

    deliver(world, hook, stripe_fake.completed(session(invoice, 10000)))

    after = world.store.get(invoice.invoice_id)
    assert after is not None
    assert (after.status, after.amount_paid, after.balance) == (InvoiceStatus.OPEN, 10000, 22500)


def test_a_bank_payment_is_processing_until_it_settles_and_blocks_a_void_meanwhile(world: World):
    invoice = published(world, None, 32500, send_email=False)
    hook, _ = webhook(world)
    ach = session(invoice, payment_status="unpaid")

    deliver(world, hook, stripe_fake.completed(ach))
    processing = world.store.get(invoice.invoice_id)
    assert processing is not None
    assert (processing.status, processing.amount_processing) == (InvoiceStatus.OPEN, 32500)
    with pytest.raises(errors.InvoiceHasPayments):
        world.invoices.voider.void("prop_a", invoice.invoice_id, "Mistake", MANAGER)

    deliver(world, hook, stripe_fake.async_succeeded(ach))
    settled = world.store.get(invoice.invoice_id)
    assert settled is not None
    assert (settled.status, settled.amount_paid, settled.amount_processing) == (InvoiceStatus.PAID, 32500, 0)


def test_a_failed_bank_payment_releases_the_amount_and_the_invoice_is_payable_again(world: World):
    invoice = published(world, None, 32500, send_email=False)
    hook, _ = webhook(world)
    ach = session(invoice, payment_status="unpaid")
    deliver(world, hook, stripe_fake.completed(ach))

    deliver(world, hook, stripe_fake.async_failed(ach))

    after = world.store.get(invoice.invoice_id)
    assert after is not None
    assert (after.status, after.amount_processing, after.amount_paid) == (InvoiceStatus.OPEN, 0, 0)
    (record,) = after.payments.values()
    assert record.state is PaymentState.FAILED


def test_a_replayed_event_changes_nothing(world: World):
    invoice = published(world, None, 32500, send_email=False)
    hook, _ = webhook(world)
    event = stripe_fake.completed(session(invoice, 10000))
    deliver(world, hook, event)
    before = world.store.get(invoice.invoice_id)

    assert deliver(world, hook, event) == "duplicate"
    assert world.store.get(invoice.invoice_id) == before


def test_events_out_of_order_end_in_the_same_state(world: World):
    states = []
    for w, reverse in ((world, False), (world, True)):
        invoice = published(w, None, 32500, send_email=False)
        hook, _ = webhook(w)
        ach = session(invoice, payment_status="unpaid")
        events = [stripe_fake.completed(ach), stripe_fake.async_succeeded(ach)]
        for event in reversed(events) if reverse else events:
            deliver(w, hook, event)
        after = w.store.get(invoice.invoice_id)
        assert after is not None
        states.append((after.status, after.amount_paid, after.amount_processing))
    assert states[0] == states[1] == (InvoiceStatus.PAID, 32500, 0)


@pytest.mark.parametrize("status", [InvoiceStatus.VOID, InvoiceStatus.PAID])
def test_money_for_a_void_or_paid_invoice_is_recorded_and_flagged_never_dropped(world: World, status: InvoiceStatus):
    invoice = published(world, None, 32500, send_email=False)
    world.force(invoice, status=status)
    hook, _ = webhook(world)

    deliver(world, hook, stripe_fake.completed(session(invoice)))

    after = world.store.get(invoice.invoice_id)
    assert after is not None
    assert after.status is status  # never moves backwards
    assert after.needs_attention
    assert after.amount_paid == 32500


def test_an_overpayment_pays_the_invoice_and_is_flagged(world: World):
    invoice = published(world, None, 32500, send_email=False)
    hook, _ = webhook(world)

    deliver(world, hook, stripe_fake.completed(session(invoice, 40000)))

    after = world.store.get(invoice.invoice_id)
    assert after is not None
    assert (after.status, after.needs_attention) == (InvoiceStatus.PAID, True)


def test_a_bad_signature_changes_nothing(world: World):
    invoice = published(world, None, 32500, send_email=False)
    hook, events = webhook(world)

    event = stripe_fake.completed(session(invoice))

    with pytest.raises(errors.InvalidSignature):
        hook.receive(json.dumps(event).encode(), "forged")

    assert world.store.get(invoice.invoice_id) == invoice
    assert events.get(event["id"]) is None
