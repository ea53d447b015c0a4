"""``python -m hoa_local run``: start the local runtime, print what is running and how
to try it, and stop everything on Ctrl-C."""

from __future__ import annotations

import argparse
import json
import logging
import signal
from pathlib import Path
from typing import Any

from hoa_local.runtime import READY_PREFIX, LocalRuntime, RuntimeOptions, RuntimeState
from hoa_local.target import CliError


def banner(runtime: LocalRuntime, state: RuntimeState) -> str:
    stack = runtime.stack
    counts = {
        kind: len(stack.resources(f"AWS::{kind}"))
        for kind in ("DynamoDB::Table", "SQS::Queue", "SNS::Topic", "S3::Bucket")
    }
    consumers = ", ".join(c.name for c in runtime.sqs_consumers) or "none in template.yaml yet"
    streams = ", ".join(w.name for w in runtime.workers if w.name.startswith("stream:")) or "none"
    schedules = ", ".join(f"{s.function}.{s.event_name} {s.expression}" for s in runtime.schedules.sources)
    manager = runtime.tokens.manager(state.property_id) if state.property_id else runtime.tokens.manager()
    lines = [
        "",
        "HOA invoice publishing, running locally (embedded AWS by moto; no Docker, no AWS account)",
        "",
        f"  Web console   {state.console_url}   (open it in a browser; residents: {state.console_url}/portal)",
        f"  HTTP API      {state.url}   ({len(runtime.router_routes())} routes from template.yaml)",
        f"  Embedded AWS  {state.aws_endpoint}   (tables {counts['DynamoDB::Table']}, "
        f"queues {counts['SQS::Queue']}, topics {counts['SNS::Topic']}, buckets {counts['S3::Bucket']})",
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
        console_port=args.console_port,
        ach_settle_seconds=args.ach_settle_seconds,
    )
    try:
        runtime = LocalRuntime(options)
    except OSError as busy:  # the console's port is bound first
        message = f"cannot serve the web console on port {args.console_port} ({busy}); try --console-port 0"
        raise CliError(message) from None
    stop_requested = runtime.stop_event

    def request_stop(signum: int, frame: Any) -> None:
        stop_requested.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    try:
        state = runtime.start()  # a busy port: werkzeug says so and exits; the finally stops moto
        print(banner(runtime, state), flush=True)
        keys = ("url", "console_url", "aws_endpoint", "mail_dir", "property_id", "resident_id")
        ready = {key: getattr(state, key) for key in keys}
        print(READY_PREFIX + json.dumps(ready), flush=True)
        while not stop_requested.wait(0.5):
            pass
        print("\nStopping: HTTP API, consumers, embedded AWS ...", flush=True)
    finally:
        runtime.stop()
    print("Stopped.", flush=True)
    return 0
