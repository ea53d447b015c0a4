"""Developer tools for the local runtime: mint a token, run a schedule now (for the
scheduled Publish All, on the demo property unless ``--property`` names others), send
the webhook what Stripe would send when a resident pays, tell the stack an email bounced
as SES would, and pause or resume a queue's consumer as Lambda's event source mapping can."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

import requests

from hoa_local import schedules, ses_refusals, stripe_fake
from hoa_local.ses_events import PATH as SES_PATH
from hoa_local.target import CliError, local_state, target


def cmd_token(args: argparse.Namespace) -> int:
    state = local_state(args)
    if state is None:
        raise CliError("Tokens are minted by the local runtime; start it with `make run`.")
    tokens = state.tokens()
    if args.role == "manager":
        properties = args.property or ([state.property_id] if state.property_id else [])
        print(tokens.manager(*properties, sub=args.sub or "demo-manager"))
    elif args.role == "admin":
        print(tokens.admin(sub=args.sub or "demo-admin"))
    else:
        resident = args.resident or state.resident_id
        if not resident:
            raise CliError("Which resident? Pass --resident RESIDENT_ID.")
        print(tokens.resident(resident, sub=args.sub))
    return 0


# What the scheduled Publish All reports per property (hoa_billing.bulk.ScheduledRun.outcome).
# A run that started a job, found today's already started, or had no drafts to publish did
# what the schedule asks; anything else (property_not_found, or an outcome this list does
# not know yet) is a failure and the command exits 1.
PUBLISH_OUTCOMES_OK = {"started", "already_started", "no_drafts"}


def describe_publish_runs(result: dict[str, Any]) -> tuple[list[str], bool]:
    """One plain line per property of a scheduled Publish All; whether all succeeded."""
    lines, ok = [], True
    for run in result.get("runs", []):
        pid, outcome = run.get("property_id"), run.get("outcome")
        if outcome == "started":
            lines.append(f"{pid}: started job {run['job_id']}, publishing {run['count']} draft(s)")
        elif outcome == "already_started":
            lines.append(
                f"{pid}: today's job {run['job_id']} had already started ({run['count']} draft(s)); "
                "nothing started twice"
            )
        elif outcome == "no_drafts":
            lines.append(f"{pid}: no drafts to publish; nothing started")
        elif outcome == "property_not_found":
            lines.append(f"{pid}: no such property; nothing published (name one with --property)")
        else:
            lines.append(f"{pid}: {outcome}")
        ok = ok and outcome in PUBLISH_OUTCOMES_OK
    if not lines:
        lines.append("no properties named; nothing published (name one with --property)")
        ok = False
    return lines, ok


def cmd_trigger(args: argparse.Namespace) -> int:
    state = local_state(args)
    url = args.url or (state.url if state else None)
    if not url:
        raise CliError("Schedules run by the local runtime; start it with `make run`.")
    listed = requests.get(f"{url}/_local/schedules", timeout=30).json()["schedules"]
    try:
        source = schedules.find([schedules.ScheduleSource(**item) for item in listed], args.schedule)
    except KeyError as unknown:
        raise CliError(str(unknown.args[0])) from unknown
    name = f"{source.function}.{source.event_name}"
    publishes = source.input is not None and "property_ids" in json.loads(source.input)
    if args.property and not publishes:
        raise CliError(f"{name} publishes no properties; --property does not apply to it.")
    properties = args.property or ([state.property_id] if publishes and state and state.property_id else None)
    body = {"input": {"property_ids": properties}} if properties else None
    response = requests.post(f"{url}/_local/schedules/{name}", json=body, timeout=300)
    answer = response.json()
    if not response.ok:
        print(f"{name} failed: {answer.get('message', answer)}")
        return 1
    result = answer["result"]
    if publishes and isinstance(result, dict):
        lines, ok = describe_publish_runs(result)
        print(f"{name} ran:")
        print("\n".join(f"  {line}" for line in lines))
        return 0 if ok else 1
    print(f"{name} ran: {json.dumps(result)}")
    return 0


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


def _local_url(args: argparse.Namespace) -> str:
    state = local_state(args)
    url: str | None = getattr(args, "url", None) or (state.url if state else None)
    if not url:
        raise CliError("This talks to the local runtime; start it with `make run`.")
    return url


def cmd_email_bounce(args: argparse.Namespace) -> int:
    """The invoice's last email bounced (or drew a complaint): what SES would publish."""
    api = target(args)
    pid = api.require_property(args)
    invoice = api.call("GET", f"/properties/{pid}/invoices/{args.invoice_id}")["invoice"]
    details = invoice["email"].get("details") or {}
    if not details.get("message_id") or not details.get("to"):
        raise CliError(f"{invoice['number']} has no sent email to bounce (email: {invoice['email']['status']}).")
    kind = "complaint" if args.complaint else "bounce"
    body = {
        "kind": kind,
        "invoice_id": args.invoice_id,
        "message_id": details["message_id"],
        "recipient": details["to"],
    }
    response = requests.post(f"{_local_url(args)}{SES_PATH}", json=body, timeout=30)
    answer = response.json()
    if not response.ok:
        print(f"the {kind} was not delivered: {answer.get('message', answer)}")
        return 1
    print(f"SES {kind} for {details['to']} ({invoice['number']}) delivered to {', '.join(answer['delivered_to'])}")
    return 0


def cmd_email_refuse(args: argparse.Namespace) -> int:
    """From now on the embedded SES refuses this address, as SES in the sandbox refuses a
    recipient nobody verified: emails to it fail with SES's reason."""
    response = requests.post(f"{_local_url(args)}{ses_refusals.PATH}", json={"address": args.address}, timeout=30)
    answer = response.json()
    if not response.ok:
        print(f"not refused: {answer.get('message', answer)}")
        return 1
    print(f"SES now refuses {args.address} (refused: {', '.join(answer['refused'])})")
    return 0


def cmd_event_source(args: argparse.Namespace) -> int:
    """Pause (--pause) or resume (--resume) a function's SQS event source."""
    url = _local_url(args)
    if args.pause or args.resume:
        response = requests.post(
            f"{url}/_local/event-sources/{args.function}", json={"enabled": bool(args.resume)}, timeout=30
        )
        if not response.ok:
            raise CliError(response.json().get("message", response.text))
    sources = requests.get(f"{url}/_local/event-sources", timeout=30).json()["event_sources"]
    for source in sources:
        if source["function"] == args.function:
            print(f"{source['queue']} -> {source['function']}: {'running' if source['enabled'] else 'paused'}")
            return 0
    raise CliError(f"{args.function} has no SQS event source")
