"""Developer tools for the local runtime: mint a token, run a schedule now, and send
the webhook what Stripe would send when a resident pays."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

import requests

from hoa_local import stripe_fake
from hoa_local.target import CliError, local_state, target


def cmd_token(args: argparse.Namespace) -> int:
    state = local_state(args)
    if state is None:
        raise CliError("Tokens are minted by the local runtime; start it with `make run`.")
    tokens = state.tokens()
    if args.role == "manager":
        properties = args.property or ([state.property_id] if state.property_id else [])
        print(tokens.manager(*properties, sub=args.sub or "demo-manager"))
    else:
        resident = args.resident or state.resident_id
        if not resident:
            raise CliError("Which resident? Pass --resident RESIDENT_ID.")
        print(tokens.resident(resident, sub=args.sub))
    return 0


def cmd_trigger(args: argparse.Namespace) -> int:
    state = local_state(args)
    url = args.url or (state.url if state else None)
    if not url:
        raise CliError("Schedules run by the local runtime; start it with `make run`.")
    response = requests.post(f"{url}/_local/schedules/{args.schedule}", timeout=300)
    print(json.dumps(response.json(), indent=2))
    return 0 if response.ok else 1


STRIPE_EVENTS: dict[str, Callable[[dict[str, Any], int], dict[str, Any]]] = {
    "card-paid": lambda session, amount: stripe_fake.completed(session),
    "ach-processing": lambda session, amount: stripe_fake.completed({**session, "payment_status": "unpaid"}),
    "ach-succeeded": lambda session, amount: stripe_fake.async_succeeded(session),
    "ach-failed": lambda session, amount: stripe_fake.async_failed(session),
    "refund": lambda session, amount: stripe_fake.charge_refunded(session, amount),
}


def cmd_stripe_event(args: argparse.Namespace) -> int:
    api = target(args)
    pid = api.require_property(args)
    invoice = api.call("GET", f"/properties/{pid}/invoices/{args.invoice_id}")["invoice"]
    amount = args.amount if args.amount is not None else invoice["balance"]["amount"] or invoice["amount_due"]["amount"]
    session_id = args.session or f"cs_test_local_{args.invoice_id}"
    session = stripe_fake.checkout_session(
        args.invoice_id,
        pid,
        amount,
        currency=invoice["amount_due"]["currency"].lower(),
        session_id=session_id,
        payment_intent=session_id.replace("cs_", "pi_", 1),
    )
    event = STRIPE_EVENTS[args.kind](session, amount)
    status, body = stripe_fake.post_event(api.url.rstrip("/") + "/webhooks/stripe", event)
    print(f"{event['type']} ({event['id']}) for {invoice['number']}, {amount} minor units -> HTTP {status}")
    print(body.decode(errors="replace"))
    after = api.call("GET", f"/properties/{pid}/invoices/{args.invoice_id}")["invoice"]
    print(
        f"{after['number']} is now {after['status']}: paid {after['amount_paid']['formatted']}, "
        f"processing {after['amount_processing']['formatted']}, balance {after['balance']['formatted']}"
    )
    return 0 if status < 300 else 1
