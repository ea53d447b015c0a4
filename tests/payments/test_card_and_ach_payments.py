"""Paying an invoice: "the resident can now pay the invoice online via credit card or bank
transfer". Checkout through the real Stripe SDK against a fake Stripe API, then Stripe's
signed webhook events move the invoice."""

from __future__ import annotations

from hoa_local import stripe_fake
from tests.support.payments import (
    as_resident,
    checkout,
    deliver,
    manager_view,
    payment_state,
    portal_invoice,
    published_invoice,
    session_for,
    stored_invoice,
)


def test_card_payment_in_full_makes_the_invoice_paid_for_resident_and_manager(api, properties, stack, fake_stripe):
    invoice = published_invoice(api, 32500, 2500)

    started = checkout(api, invoice)

    assert started.status == 200, started.body
    assert started.body["checkout_url"].startswith("https://checkout.stripe.com/c/pay/cs_test_")
    assert started.body["amount"] == {"amount": 35000, "currency": "USD", "formatted": "$350.00"}
    (request,) = fake_stripe.requests
    params = request["params"]
    assert request["authorization"] == f"Bearer {stripe_fake.TEST_API_KEY}"
    assert params["payment_method_types[0]"] == "card"
    assert params["payment_method_types[1]"] == "us_bank_account"
    assert params["line_items[0][price_data][unit_amount]"] == "35000"
    assert params["metadata[invoice_id]"] == invoice["invoice_id"]
    assert params["metadata[property_id]"] == "prop_a"
    assert params["payment_intent_data[metadata][invoice_id]"] == invoice["invoice_id"]
    assert params["client_reference_id"] == invoice["invoice_id"]
    assert request["idempotency_key"] == f"checkout-{invoice['invoice_id']}-35000-v2"

    session = session_for(invoice, session_id=started.body["session_id"])
    delivered = deliver(api, stripe_fake.completed(session))

    assert (delivered.status, delivered.body["outcome"]) == (200, "applied")
    resident_sees = portal_invoice(api, invoice)
    assert resident_sees["status"] == "Paid"
    assert resident_sees["balance"]["amount"] == 0
    assert resident_sees["actions"] == []
    assert [p["state"] for p in resident_sees["payments"]] == ["succeeded"]
    manager_sees = manager_view(api, invoice)
    assert manager_sees["invoice"]["status"] == "Paid"
    assert manager_sees["invoice"]["amount_paid"]["amount"] == 35000
    assert manager_sees["actions"] == []
    last = manager_sees["history"][-1]
    assert (last["action"], last["from_status"], last["to_status"]) == ("payment_succeeded", "Open", "Paid")
    assert last["actor"]["kind"] == "stripe"
    stored = stored_invoice(stack, invoice["invoice_id"])
    assert stored["gsi_status_sk"].startswith("Paid#")  # no longer a candidate for the overdue sweep
    assert manager_sees["invoice"]["needs_attention"] is False


def test_paying_twice_asks_stripe_once_for_the_same_session(api, properties, fake_stripe):
    invoice = published_invoice(api)

    first, second = checkout(api, invoice), checkout(api, invoice)

    assert first.body["session_id"] == second.body["session_id"]
    assert len(fake_stripe.sessions) == 1
    assert {r["idempotency_key"] for r in fake_stripe.requests} == {f"checkout-{invoice['invoice_id']}-32500-v2"}


def test_a_paid_invoice_cannot_be_paid_again(api, properties):
    invoice = published_invoice(api)
    deliver(api, stripe_fake.completed(session_for(invoice)))

    response = checkout(api, invoice)

    assert response.status == 409
    assert response.error_code == "invoice_not_payable"
    assert response.body["error"]["status"] == "Paid"


def test_stripe_being_down_is_a_502_and_changes_nothing(api, properties, stack, fake_stripe):
    invoice = published_invoice(api)
    before = stored_invoice(stack, invoice["invoice_id"])
    fake_stripe.fail_with = 500

    response = checkout(api, invoice)

    assert response.status == 502
    assert response.error_code == "payment_provider_unavailable"
    assert stored_invoice(stack, invoice["invoice_id"]) == before


def test_bank_transfer_is_processing_blocks_void_then_succeeds(api, properties, stack):
    invoice = published_invoice(api, 32500)
    session = session_for(invoice, payment_status="unpaid")

    assert deliver(api, stripe_fake.completed(session)).status == 200

    shown = portal_invoice(api, invoice)
    assert shown["status"] == "Open"
    assert shown["amount_processing"]["amount"] == 32500
    assert shown["payable_now"]["amount"] == 0
    assert shown["actions"] == []
    assert checkout(api, invoice).error_code == "invoice_not_payable"
    void = api.post(f"/properties/prop_a/invoices/{invoice['invoice_id']}/void", {"reason": "Published by mistake"})
    assert void.status == 409
    assert void.error_code == "invoice_has_payments"
    assert void.body["error"]["amount_processing"] == 32500
    assert manager_view(api, invoice)["actions"] == ["resend_email"]

    assert deliver(api, stripe_fake.async_succeeded(session)).status == 200

    assert payment_state(stack, invoice["invoice_id"]) == {
        "status": "Paid",
        "amount_paid": 32500,
        "amount_processing": 0,
        "needs_attention": False,
        "payments": [{"state": "succeeded", "amount": 32500, "currency": "USD"}],
    }


def test_a_failed_bank_transfer_returns_the_invoice_to_open_with_the_failure_recorded(api, properties, stack):
    invoice = published_invoice(api, 32500)
    session = session_for(invoice, payment_status="unpaid")
    deliver(api, stripe_fake.completed(session))

    deliver(api, stripe_fake.async_failed(session))
    deliver(api, stripe_fake.payment_failed(session, message="The bank account has insufficient funds."))

    shown = portal_invoice(api, invoice)
    assert shown["status"] == "Open"
    assert shown["amount_processing"]["amount"] == 0
    assert shown["amount_paid"]["amount"] == 0
    assert shown["actions"] == ["pay"]
    (payment,) = shown["payments"]
    assert payment["state"] == "failed"
    assert payment["failure_message"] == "The bank account has insufficient funds."
    actions = [entry["action"] for entry in manager_view(api, invoice)["history"]]
    assert actions[-3:] == ["payment_processing", "payment_failed", "payment_attempt_failed"]
    assert checkout(api, invoice).status == 200  # the resident can try again


def test_a_declined_card_then_a_good_card_in_the_same_checkout_pays(api, properties, stack):
    invoice = published_invoice(api, 32500)
    session = session_for(invoice)

    deliver(api, stripe_fake.payment_failed(session, code="card_declined", message="Declined.", method="card"))
    assert portal_invoice(api, invoice)["status"] == "Open"
    deliver(api, stripe_fake.completed(session))

    assert payment_state(stack, invoice["invoice_id"])["status"] == "Paid"
    assert payment_state(stack, invoice["invoice_id"])["payments"][0]["state"] == "succeeded"


def test_a_partial_payment_leaves_the_invoice_open_with_a_lower_balance(api, properties, fake_stripe):
    invoice = published_invoice(api, 32500, 2500)

    deliver(api, stripe_fake.completed(session_for(invoice, amount=10000)))

    shown = portal_invoice(api, invoice)
    assert shown["status"] == "Open"
    assert shown["balance"]["amount"] == 25000
    assert shown["actions"] == ["pay"]
    assert checkout(api, invoice).body["amount"]["amount"] == 25000
    assert fake_stripe.requests[-1]["params"]["line_items[0][price_data][unit_amount]"] == "25000"


def test_a_payment_for_a_voided_invoice_is_recorded_and_flagged(api, properties, stack):
    invoice = published_invoice(api, 32500)
    session = session_for(invoice)  # the resident opened Checkout before the manager voided
    api.post(f"/properties/prop_a/invoices/{invoice['invoice_id']}/void", {"reason": "Published by mistake"})

    response = deliver(api, stripe_fake.completed(session))

    assert (response.status, response.body["outcome"]) == (200, "applied")
    stored = stored_invoice(stack, invoice["invoice_id"])
    assert stored["status"] == "Void"
    assert stored["amount_paid"] == 32500
    assert stored["needs_attention"] is True
    assert stored["history"][-1]["reason"] == "payment for an invoice that is already Void"
    assert manager_view(api, invoice)["invoice"]["needs_attention"] is True


def test_a_second_payment_for_a_paid_invoice_is_recorded_and_flagged(api, properties, stack):
    invoice = published_invoice(api, 32500)
    deliver(api, stripe_fake.completed(session_for(invoice)))

    deliver(api, stripe_fake.completed(session_for(invoice, amount=32500)))

    state = payment_state(stack, invoice["invoice_id"])
    assert (state["status"], state["amount_paid"], state["needs_attention"]) == ("Paid", 65000, True)


def test_a_refund_is_recorded_and_flagged_and_paid_stays_paid(api, properties, stack):
    invoice = published_invoice(api, 32500)
    session = session_for(invoice)
    deliver(api, stripe_fake.completed(session))

    response = deliver(api, stripe_fake.charge_refunded(session, 32500))

    assert response.status == 200
    stored = stored_invoice(stack, invoice["invoice_id"])
    assert (stored["status"], stored["amount_refunded"], stored["needs_attention"]) == ("Paid", 32500, True)
    assert stored["history"][-1]["action"] == "payment_refunded"
    assert stored["history"][-1]["actor"]["kind"] == "stripe"


def test_a_resident_cannot_pay_another_residents_invoice(api, properties, fake_stripe):
    mine = published_invoice(api)
    theirs = published_invoice(api, 50000)

    response = checkout(api, theirs, claims=as_resident(mine))

    assert response.status == 404
    assert response.error_code == "invoice_not_found"
    assert fake_stripe.requests == []
