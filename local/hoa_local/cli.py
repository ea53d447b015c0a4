"""``python -m hoa_local <command>``: run the stack locally, and the operator's jobs
against the local runtime or a deployed stack (``--url`` and ``--token``, or
``HOA_API_URL`` and ``HOA_TOKEN``)."""

# The command line only: what each command does is in launcher (run), operations
# (list-invoices, publish-all, job, deliveries, redrive) and devtools (token, trigger, stripe-event,
# email-bounce, email-refuse, event-source).

from __future__ import annotations

import argparse
import sys

import requests

from hoa_local import invoice_report, property_commands
from hoa_local.devtools import (
    STRIPE_EVENTS,
    cmd_email_bounce,
    cmd_email_refuse,
    cmd_event_source,
    cmd_stripe_event,
    cmd_token,
    cmd_trigger,
)
from hoa_local.launcher import cmd_run
from hoa_local.operations import cmd_deliveries, cmd_job, cmd_list_invoices, cmd_publish_all, cmd_redrive
from hoa_local.target import DEFAULT_STATE_DIR, CliError, target


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
    run.add_argument("--console-port", type=int, default=5173, help="web console port (0: any free port)")
    run.add_argument(
        "--ach-settle-seconds",
        type=float,
        default=0,
        help="the local checkout settles a bank (ACH) payment by itself after this long (0: wait for a click)",
    )
    run.set_defaults(func=cmd_run)

    token = commands.add_parser("token", help="mint a token for the local runtime")
    token.add_argument("role", choices=["manager", "resident", "admin"])
    token.add_argument("--property", action="append", help="a property the manager manages (repeatable)")
    token.add_argument("--resident", help="the resident's id")
    token.add_argument("--sub", help="the subject claim")
    token.set_defaults(func=cmd_token)

    invoices = commands.add_parser("list-invoices", help="list a property's invoices")
    _remote_options(invoices)
    invoices.add_argument("--status", choices=["Draft", "Open", "Overdue", "Paid", "Void"])
    invoices.add_argument("--limit", type=int, default=50)
    invoices.set_defaults(func=cmd_list_invoices)

    trigger = commands.add_parser(
        "trigger",
        help="run a schedule from template.yaml now (local runtime)",
        description="Run a schedule now. The scheduled Publish All publishes the properties given with --property "
        "(default: the demo property) instead of those in its input; exit 1 when a property was not found.",
    )
    trigger.add_argument("schedule", help="event name, Function.Event, or function name")
    trigger.add_argument("--url", help="local runtime URL (default: the running one)")
    trigger.add_argument(
        "--property", action="append", help="a property to publish (repeatable; schedules that publish only)"
    )
    trigger.set_defaults(func=cmd_trigger)

    dlq = commands.add_parser(
        "redrive",
        help="move a dead-letter queue's messages back to its source queue",
        description="Locally: received, sent back and deleted once SQS reports them sent (exit 1 if any could not "
        "be moved; they stay in the dead-letter queue). With --deployed: SQS's own message move task, followed "
        "until it finishes.",
    )
    dlq.add_argument("dlq", help="logical id (e.g. PublishDeadLetterQueue), queue name or URL")
    dlq.add_argument("--to", help="source queue (default: the one whose redrive policy names the DLQ)")
    dlq.add_argument("--deployed", action="store_true", help="use your AWS credentials, not the local runtime")
    dlq.add_argument("--stack", help="deployed stack name, to resolve logical ids")
    dlq.add_argument("--interval", type=float, default=2.0, help="--deployed: seconds between progress readings")
    dlq.add_argument("--timeout", type=float, default=900, help="--deployed: stop following the task after this")
    dlq.set_defaults(func=cmd_redrive)

    publish_all = commands.add_parser("publish-all", help="publish all drafts of a property, with progress")
    _remote_options(publish_all)
    publish_all.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    publish_all.add_argument("--interval", type=float, default=0.5)
    publish_all.add_argument("--timeout", type=float, default=900)
    publish_all.set_defaults(func=cmd_publish_all)

    property_commands.add_commands(commands)

    job = commands.add_parser("job", help="show a publish job")
    _remote_options(job)
    job.add_argument("job_id")
    job.add_argument("--watch", action="store_true", help="show a progress bar until it finishes")
    job.add_argument("--interval", type=float, default=0.5)
    job.add_argument("--timeout", type=float, default=900)
    job.set_defaults(func=cmd_job)

    deliveries = commands.add_parser(
        "deliveries",
        help="a publish job's delivery report: who was emailed, failed, bounced, had no address",
        description="The counts, then one line per invoice the job published (number, resident, unit, email "
        "state, address, reason); --csv prints the report's CSV instead.",
    )
    _remote_options(deliveries)
    deliveries.add_argument("job_id")
    deliveries.add_argument(
        "--email", help="only this email state: failed, bounced, skipped_no_address, sent, queued, not_requested"
    )
    deliveries.add_argument("--csv", action="store_true", help="the CSV, as the API serves it, to stdout")
    deliveries.set_defaults(func=cmd_deliveries)

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

    bounce = commands.add_parser(
        "email-bounce",
        help="the invoice's last email bounced: what SES would tell the stack (local runtime)",
        description="Deliver the bounce (or complaint) SES would publish for the invoice's last sent email to the "
        "function subscribed to the email events topic: the resident's address is then marked bouncing.",
    )
    _remote_options(bounce)
    bounce.add_argument("invoice_id")
    bounce.add_argument("--complaint", action="store_true", help="a complaint (marked as spam) instead of a bounce")
    bounce.set_defaults(func=cmd_email_bounce)

    refuse = commands.add_parser(
        "email-refuse",
        help="the embedded SES refuses this address from now on, as SES in the sandbox (local runtime)",
        description="SES in the sandbox refuses a recipient nobody verified (MessageRejected): emails to the address "
        "are marked failed with SES's reason, and a Publish All's delivery report lists them as failed.",
    )
    refuse.add_argument("address")
    refuse.add_argument("--url", help="local runtime URL (default: the running one)")
    refuse.set_defaults(func=cmd_email_refuse)

    source = commands.add_parser(
        "event-source",
        help="pause or resume a function's queue consumer (local runtime)",
        description="As Lambda's event source mapping can be disabled: messages wait on the queue until resumed "
        "(e.g. pause BulkPublishWorkerFunction to see a Publish All stay running).",
    )
    source.add_argument("function", help="the function's logical id, e.g. BulkPublishWorkerFunction")
    source.add_argument("--url", help="local runtime URL (default: the running one)")
    which = source.add_mutually_exclusive_group()
    which.add_argument("--pause", action="store_true")
    which.add_argument("--resume", action="store_true")
    source.set_defaults(func=cmd_event_source)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except (CliError, property_commands.PropertyCommandError) as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    except requests.ConnectionError as problem:
        print(f"error: cannot reach the API ({problem})", file=sys.stderr)
        return 2
    return code
