"""The operator's commands, against the local runtime or a deployed stack: list a
property's invoices, Publish All with a progress bar, a publish job's progress, and
moving a dead-letter queue's messages back."""

from __future__ import annotations

import argparse
import json
import time
import uuid
from typing import Any

import boto3

from hoa_local.redrive import redrive
from hoa_local.target import CliError, Target, local_state, target

FINISHED_JOB_STATES = {"completed", "completed_with_errors"}  # PublishJobOut.state


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


def _queue_url(sqs: Any, name: str, stack_name: str | None) -> str:
    if name.startswith("https://") or name.startswith("http://"):
        return name
    for candidate in ([f"{stack_name}-{name}"] if stack_name else []) + [name]:
        try:
            return str(sqs.get_queue_url(QueueName=candidate)["QueueUrl"])
        except sqs.exceptions.QueueDoesNotExist:
            continue
    raise CliError(f"No queue named {name!r}.")


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
