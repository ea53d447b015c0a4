"""``python -m hoa_local <command>``: run the stack locally, and the operator's jobs
against the local runtime or a deployed stack (``--url`` and ``--token``, or
``HOA_API_URL`` and ``HOA_TOKEN``)."""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import requests

from hoa_local import ROOT, invoice_report, stripe_fake
from hoa_local.runtime import READY_PREFIX, LocalRuntime, RuntimeOptions, RuntimeState

DEFAULT_STATE_DIR = ROOT / ".local"
FINISHED_JOB_STATES = {"completed", "completed_with_errors"}  # PublishJobOut.state


class CliError(Exception):
    pass


# -- run ---------------------------------------------------------------------------------


def banner(runtime: LocalRuntime, state: RuntimeState) -> str:
    stack = runtime.stack
    counts = {kind: len(stack.resources(f"AWS::{kind}")) for kind in ("DynamoDB::Table", "SQS::Queue", "SNS::Topic")}
    consumers = ", ".join(c.name for c in runtime.sqs_consumers) or "none in template.yaml yet"
    streams = ", ".join(w.name for w in runtime.workers if w.name.startswith("stream:")) or "none"
    schedules = ", ".join(f"{s.function}.{s.event_name} {s.expression}" for s in runtime.schedules.sources)
    manager = runtime.tokens.manager(state.property_id) if state.property_id else runtime.tokens.manager()
    lines = [
        "",
        "HOA invoice publishing, running locally (embedded AWS by moto; no Docker, no AWS account)",
        "",
        f"  HTTP API      {state.url}   ({len(runtime.router_routes())} routes from template.yaml)",
        f"  Embedded AWS  {state.aws_endpoint}   (tables {counts['DynamoDB::Table']}, "
        f"queues {counts['SQS::Queue']}, topics {counts['SNS::Topic']})",
        f"  Sent email    {state.mail_dir}",
        f"  SQS consumers {consumers}",
        f"  Stream        {streams}",
        f"  Schedules     {schedules or 'none in template.yaml yet'}"
        + (" (on their cron)" if runtime.options.run_schedules else " (run with: python -m hoa_local trigger NAME)"),
    ]
    if runtime.demo:
        demo = runtime.demo
        without = len(demo.resident_ids) - len(demo.residents_with_email)
        lines.append(
            f"  Demo data     Maple Court HOA ({demo.property_id}): {len(demo.resident_ids)} residents "
            f"({without} without email), {len(demo.draft_ids)} draft invoices"
        )
    lines += ["", "Tokens (accepted only by this local runtime, valid 12 hours):"]
    lines.append(f"  export MANAGER_TOKEN={manager}")
    if state.resident_id:
        lines.append(f"  export RESIDENT_TOKEN={runtime.tokens.resident(state.resident_id)}")
    pid = state.property_id or "PROPERTY_ID"
    auth = '-H "Authorization: Bearer $MANAGER_TOKEN"'
    lines += [
        "",
        "Try:",
        f"  curl -s {auth} {state.url}/properties/{pid}/invoices/summary",
        f"  curl -s {auth} '{state.url}/properties/{pid}/invoices?status=Draft&limit=5'",
        f"  curl -s {auth} {state.url}/properties/{pid}/invoices/INVOICE_ID",
        f"  curl -s -X POST {auth} -H 'Content-Type: application/json' -d '{{\"send_email\": true}}' \\",
        f"       {state.url}/properties/{pid}/invoices/INVOICE_ID/publish",
        "  PYTHONPATH=local .venv/bin/python -m hoa_local list-invoices    # all commands: ... hoa_local --help",
        "",
        "Ctrl-C stops everything.",
    ]
    return "\n".join(lines)


def cmd_run(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    for noisy in ("werkzeug", "botocore", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    options = RuntimeOptions(
        host=args.host,
        port=args.port,
        state_dir=Path(args.state_dir),
        seed=not args.no_seed,
        run_schedules=args.schedules,
        function_log_level=args.function_log_level,
    )
    runtime = LocalRuntime(options)
    stop_requested = runtime.stop_event

    def request_stop(signum: int, frame: Any) -> None:
        stop_requested.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    try:
        state = runtime.start()  # a busy port: werkzeug says so and exits; the finally stops moto
        print(banner(runtime, state), flush=True)
        ready = {key: getattr(state, key) for key in ("url", "aws_endpoint", "mail_dir", "property_id", "resident_id")}
        print(READY_PREFIX + json.dumps(ready), flush=True)
        while not stop_requested.wait(0.5):
            pass
        print("\nStopping: HTTP API, consumers, embedded AWS ...", flush=True)
    finally:
        runtime.stop()
    print("Stopped.", flush=True)
    return 0


# -- talking to a runtime or a deployed stack ------------------------------------------------


@dataclass
class Target:
    url: str
    token: str
    property_id: str | None
    state: RuntimeState | None

    def call(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
        response = requests.request(
            method,
            self.url.rstrip("/") + path,
            json=body,
            headers={"Authorization": f"Bearer {self.token}", **(headers or {})},
            timeout=30,
        )
        payload = response.json() if response.content else None
        if response.status_code >= 400:
            error = (payload or {}).get("error") or payload or {}
            message = error.get("message", response.text) if isinstance(error, dict) else response.text
            raise CliError(f"{method} {path} -> {response.status_code}: {message}")
        return payload

    def require_property(self, args: argparse.Namespace) -> str:
        pid = args.property or self.property_id
        if not pid:
            raise CliError("Which property? Pass --property PROPERTY_ID.")
        return str(pid)


def local_state(args: argparse.Namespace) -> RuntimeState | None:
    try:
        return RuntimeState.load(Path(args.state_dir))
    except FileNotFoundError:
        return None


def target(args: argparse.Namespace) -> Target:
    state = local_state(args)
    url = args.url or os.environ.get("HOA_API_URL") or (state.url if state else None)
    if not url:
        raise CliError("No local runtime is running (start it with `make run`); or pass --url and --token.")
    token = args.token or os.environ.get("HOA_TOKEN")
    if not token and state and url == state.url:
        token = state.tokens().manager(*([state.property_id] if state.property_id else []))
    if not token:
        raise CliError("Pass --token (or HOA_TOKEN): a manager's token for that API.")
    return Target(url=url, token=token, property_id=state.property_id if state else None, state=state)


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


def cmd_list_invoices(args: argparse.Namespace) -> int:
    api = target(args)
    pid = api.require_property(args)
    query = {"limit": str(args.limit)} | ({"status": args.status} if args.status else {})
    page = api.call("GET", f"/properties/{pid}/invoices?" + "&".join(f"{k}={v}" for k, v in query.items()))
    rows = page["items"]
    print(f"{'NUMBER':<12} {'STATUS':<8} {'AMOUNT':>12} {'DUE':<10}  {'EMAIL':<18} {'RESIDENT':<20} INVOICE ID")
    for row in rows:
        print(
            f"{row['number']:<12} {row['status']:<8} {row['amount_due']['formatted']:>12} {row['due_date']:<10}  "
            f"{row['email_status']:<18} {row['resident_name']:<20} {row['invoice_id']}"
        )
    more = " (more: pass a larger --limit)" if page.get("next_cursor") else ""
    print(f"{len(rows)} invoice(s){more}")
    return 0


def cmd_trigger(args: argparse.Namespace) -> int:
    state = local_state(args)
    url = args.url or (state.url if state else None)
    if not url:
        raise CliError("Schedules run by the local runtime; start it with `make run`.")
    response = requests.post(f"{url}/_local/schedules/{args.schedule}", timeout=300)
    print(json.dumps(response.json(), indent=2))
    return 0 if response.ok else 1


def _queue_url(sqs: Any, name: str, stack_name: str | None) -> str:
    if name.startswith("https://") or name.startswith("http://"):
        return name
    for candidate in ([f"{stack_name}-{name}"] if stack_name else []) + [name]:
        try:
            return str(sqs.get_queue_url(QueueName=candidate)["QueueUrl"])
        except sqs.exceptions.QueueDoesNotExist:
            continue
    raise CliError(f"No queue named {name!r}.")


def redrive(sqs: Any, dlq_url: str, source_url: str) -> int:
    """Move every message from the dead-letter queue back to its source queue."""
    moved = 0
    while True:
        messages = sqs.receive_message(
            QueueUrl=dlq_url, MaxNumberOfMessages=10, WaitTimeSeconds=0, MessageAttributeNames=["All"]
        ).get("Messages", [])
        if not messages:
            return moved
        sqs.send_message_batch(
            QueueUrl=source_url,
            Entries=[
                {"Id": str(i), "MessageBody": m["Body"]}
                | ({"MessageAttributes": m["MessageAttributes"]} if m.get("MessageAttributes") else {})
                for i, m in enumerate(messages)
            ],
        )
        sqs.delete_message_batch(
            QueueUrl=dlq_url,
            Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)],
        )
        moved += len(messages)


def cmd_redrive(args: argparse.Namespace) -> int:
    state = local_state(args) if not args.deployed else None
    sqs = state.client("sqs") if state else boto3.client("sqs")
    stack_name = state.stack_name if state else args.stack
    dlq_url = _queue_url(sqs, args.dlq, stack_name)
    if args.to:
        source_url = _queue_url(sqs, args.to, stack_name)
    else:
        sources = sqs.list_dead_letter_source_queues(QueueUrl=dlq_url).get("queueUrls", [])
        if len(sources) != 1:
            raise CliError(f"{args.dlq} is the dead-letter queue of {len(sources)} queues; pass --to QUEUE.")
        source_url = sources[0]
    moved = redrive(sqs, dlq_url, source_url)
    print(f"Moved {moved} message(s) from {dlq_url} back to {source_url}.")
    return 0


def progress_line(job: dict[str, Any], width: int = 30) -> str:
    total = int(job["total"])
    done = int(job["published"]) + int(job["skipped"]) + int(job["failed"])
    filled = int(width * done / total) if total else width
    return (
        f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total}  "
        f"published {job['published']}  skipped {job['skipped']}  failed {job['failed']}  ({job['state']})"
    )


def watch_job(api: Target, pid: str, job_id: str, interval: float, deadline_s: float) -> int:
    """Poll the job until it finishes, redrawing one progress line; 1 when invoices failed."""
    deadline = time.monotonic() + deadline_s
    while True:
        job = api.call("GET", f"/properties/{pid}/publish-jobs/{job_id}")
        print("\r" + progress_line(job), end="", flush=True)
        if job["state"] in FINISHED_JOB_STATES:
            print()
            for failure in job["failures"]:
                print(f"  failed: {json.dumps(failure)}")
            return 1 if int(job["failed"]) else 0
        if time.monotonic() > deadline:
            print()
            raise CliError(f"Job {job_id} has not finished after {deadline_s:.0f} s; check it with `job {job_id}`.")
        time.sleep(interval)


def cmd_publish_all(args: argparse.Namespace) -> int:
    api = target(args)
    pid = api.require_property(args)
    preview = api.call("GET", f"/properties/{pid}/publish-all/preview")
    count = int(preview["count"])
    if count == 0:
        print(f"{pid} has no draft invoices.")
        return 0
    print(f"{count} drafts, {preview['total']['formatted']} in all; {json.dumps(preview['emails'])}")
    if not args.yes and input(f"Publish All ({count}) drafts of {pid}? [y/N] ").strip().lower() not in ("y", "yes"):
        print("Nothing published.")
        return 1
    started = api.call(
        "POST", f"/properties/{pid}/publish-all", {"expected_count": count}, {"Idempotency-Key": str(uuid.uuid4())}
    )
    job_id = started["job_id"]
    print(f"Job {job_id}: publishing {count} drafts")
    return watch_job(api, pid, job_id, args.interval, args.timeout)


def cmd_job(args: argparse.Namespace) -> int:
    api = target(args)
    pid = api.require_property(args)
    if args.watch:
        return watch_job(api, pid, args.job_id, args.interval, args.timeout)
    print(json.dumps(api.call("GET", f"/properties/{pid}/publish-jobs/{args.job_id}"), indent=2))
    return 0


# -- the parser ----------------------------------------------------------------------------

Command = Callable[[argparse.Namespace], int]


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


def _remote_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--url", help="API base URL (default: the running local runtime; env HOA_API_URL)")
    parser.add_argument("--token", help="bearer token (default: a local demo manager's; env HOA_TOKEN)")
    parser.add_argument("--property", help="property id (default: the local demo property)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m hoa_local", description=__doc__)
    parser.add_argument("--state-dir", default=str(DEFAULT_STATE_DIR), help="where the local runtime keeps its state")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="start the whole stack locally")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=3000, help="HTTP API port (0: any free port)")
    run.add_argument("--no-seed", action="store_true", help="start without demo data")
    run.add_argument("--schedules", action="store_true", help="also run schedules on their cron/rate")
    run.add_argument("--function-log-level", default="WARNING", help="the functions' POWERTOOLS_LOG_LEVEL")
    run.set_defaults(func=cmd_run)

    token = commands.add_parser("token", help="mint a token for the local runtime")
    token.add_argument("role", choices=["manager", "resident"])
    token.add_argument("--property", action="append", help="a property the manager manages (repeatable)")
    token.add_argument("--resident", help="the resident's id")
    token.add_argument("--sub", help="the subject claim")
    token.set_defaults(func=cmd_token)

    invoices = commands.add_parser("list-invoices", help="list a property's invoices")
    _remote_options(invoices)
    invoices.add_argument("--status", choices=["Draft", "Open", "Overdue", "Paid", "Void"])
    invoices.add_argument("--limit", type=int, default=50)
    invoices.set_defaults(func=cmd_list_invoices)

    trigger = commands.add_parser("trigger", help="run a schedule from template.yaml now (local runtime)")
    trigger.add_argument("schedule", help="event name, Function.Event, or function name")
    trigger.add_argument("--url", help="local runtime URL (default: the running one)")
    trigger.set_defaults(func=cmd_trigger)

    dlq = commands.add_parser("redrive", help="move a dead-letter queue's messages back to its source queue")
    dlq.add_argument("dlq", help="logical id (e.g. BulkPublishDLQ), queue name or URL")
    dlq.add_argument("--to", help="source queue (default: the one whose redrive policy names the DLQ)")
    dlq.add_argument("--deployed", action="store_true", help="use your AWS credentials, not the local runtime")
    dlq.add_argument("--stack", help="deployed stack name, to resolve logical ids")
    dlq.set_defaults(func=cmd_redrive)

    publish_all = commands.add_parser("publish-all", help="publish all drafts of a property, with progress")
    _remote_options(publish_all)
    publish_all.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    publish_all.add_argument("--interval", type=float, default=0.5)
    publish_all.add_argument("--timeout", type=float, default=900)
    publish_all.set_defaults(func=cmd_publish_all)

    job = commands.add_parser("job", help="show a publish job")
    _remote_options(job)
    job.add_argument("job_id")
    job.add_argument("--watch", action="store_true", help="show a progress bar until it finishes")
    job.add_argument("--interval", type=float, default=0.5)
    job.add_argument("--timeout", type=float, default=900)
    job.set_defaults(func=cmd_job)

    stripe = commands.add_parser(
        "stripe-event",
        help="sign a Stripe test event with the local webhook secret and post it to the webhook",
        description="Walk the payment path: what Stripe would send when a resident pays.",
    )
    _remote_options(stripe)
    stripe.add_argument("invoice_id")
    stripe.add_argument(
        "kind",
        choices=sorted(STRIPE_EVENTS),
        help="card-paid: paid in full by card; ach-processing then ach-succeeded or ach-failed: a bank "
        "transfer; refund: the payment refunded",
    )
    stripe.add_argument("--amount", type=int, help="minor units (default: the invoice's balance)")
    stripe.add_argument("--session", help="the Checkout Session id the events belong to (ACH: reuse it)")
    stripe.set_defaults(func=cmd_stripe_event)

    invoice_report.register(commands, _remote_options, target)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except CliError as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    except requests.ConnectionError as problem:
        print(f"error: cannot reach the API ({problem})", file=sys.stderr)
        return 2
    return code
