"""The operator's commands, against the local runtime or a deployed stack: list a
property's invoices, Publish All with a progress bar, a publish job's progress, and
moving a dead-letter queue's messages back."""

from __future__ import annotations

import argparse
import json
import sys
import time
import uuid
from typing import Any
from urllib.parse import urlencode

import boto3
import requests
from botocore.exceptions import ClientError

from hoa_local.redrive import follow_move_task, redrive, start_move_task
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


def cmd_deliveries(args: argparse.Namespace) -> int:
    """A Publish All job's delivery report: the counts, then one line per invoice (every
    page); ``--csv``: the report's CSV as the API serves it, every part, to stdout."""
    api = target(args)
    pid = api.require_property(args)
    base = f"/properties/{pid}/publish-jobs/{args.job_id}/deliveries"
    query = {"email": args.email} if args.email else {}
    if args.csv:
        cursor: str | None = None
        first = True
        while True:
            response = requests.get(
                f"{api.url.rstrip('/')}{base}.csv",
                params={**query, **({"cursor": cursor} if cursor else {})},
                headers={"Authorization": f"Bearer {api.token}"},
                timeout=60,
            )
            if response.status_code >= 400:
                raise CliError(f"GET {base}.csv -> {response.status_code}: {response.text}")
            text = response.content.decode("utf-8-sig")
            sys.stdout.write(text if first else text.split("\r\n", 1)[1])
            first = False
            cursor = response.headers.get("X-Next-Cursor")
            if not cursor:
                return 0
    cursor = None
    while True:
        page = api.call(
            "GET", base + "?" + urlencode({**query, "limit": 100, **({"cursor": cursor} if cursor else {})})
        )
        if cursor is None:
            if not page["available"]:
                print(f"Job {args.job_id} ran before delivery reports existed: there is no report for it.")
                return 0
            counts = page["counts"]
            print(", ".join(f"{name.replace('_', ' ')} {value}" for name, value in counts.items()))
        for item in page["items"]:
            where = item["email_to"] or "-"
            why = f"  ({item['reason']})" if item["reason"] else ""
            unit = item["unit"] or "-"
            print(f"{item['number']}  {item['resident_name']} ({unit})  {item['email_status']}  {where}{why}")
        cursor = page["next_cursor"]
        if not cursor:
            return 0


def _queue_url(sqs: Any, name: str, stack_name: str | None) -> str:
    """A local queue's URL from its URL, logical id or name."""
    if name.startswith(("https://", "http://")):
        return name
    for candidate in ([f"{stack_name}-{name}"] if stack_name else []) + [name]:
        try:
            return str(sqs.get_queue_url(QueueName=candidate)["QueueUrl"])
        except sqs.exceptions.QueueDoesNotExist:
            continue
    raise CliError(f"No queue named {name!r}.")


def _deployed_queue_url(sqs: Any, cloudformation: Any, name: str, stack_name: str | None) -> str:
    """A deployed queue's URL from its URL, its logical id in ``--stack`` (CloudFormation
    names queues ``<stack>-<LogicalId>-<suffix>``), or its name."""
    if name.startswith(("https://", "http://")):
        return name
    if stack_name:
        try:
            detail = cloudformation.describe_stack_resource(StackName=stack_name, LogicalResourceId=name)
        except ClientError as missing:
            raise CliError(f"{stack_name} has no resource {name!r}: {missing}") from missing
        return str(detail["StackResourceDetail"]["PhysicalResourceId"])  # a queue's is its URL
    try:
        return str(sqs.get_queue_url(QueueName=name)["QueueUrl"])
    except sqs.exceptions.QueueDoesNotExist as missing:
        raise CliError(f"No queue named {name!r}; pass its URL, or its logical id with --stack.") from missing


def _queue_arn(sqs: Any, url: str) -> str:
    return str(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"])


def cmd_redrive(args: argparse.Namespace, sqs: Any = None, cloudformation: Any = None) -> int:
    """``sqs`` and ``cloudformation``: clients to use instead of new ones (tests pass fakes)."""
    if args.deployed:
        return _redrive_deployed(args, sqs or boto3.client("sqs"), cloudformation)
    state = local_state(args)
    if sqs is None:
        if state is None:
            raise CliError("No local runtime is running (start it with `make run`); on AWS pass --deployed.")
        sqs = state.client("sqs")
    stack_name = state.stack_name if state else None
    dlq_url = _queue_url(sqs, args.dlq, stack_name)
    if args.to:
        source_url = _queue_url(sqs, args.to, stack_name)
    else:
        sources = sqs.list_dead_letter_source_queues(QueueUrl=dlq_url).get("queueUrls", [])
        if len(sources) != 1:
            raise CliError(f"{args.dlq} is the dead-letter queue of {len(sources)} queues; pass --to QUEUE.")
        source_url = sources[0]
    report = redrive(sqs, dlq_url, source_url)
    print(f"Moved {report.moved} message(s) from {dlq_url} back to {source_url}.")
    if report.not_moved:
        print(f"{len(report.not_moved)} message(s) could not be moved and are still in {dlq_url}:")
        for message_id, why in report.not_moved:
            print(f"  {message_id}: {why}")
    if report.not_deleted:
        print(f"{len(report.not_deleted)} message(s) were sent but could not be deleted from {dlq_url}; they are")
        print("in both queues now (delete them from the dead-letter queue before redriving again):")
        for message_id, why in report.not_deleted:
            print(f"  {message_id}: {why}")
    return 0 if report.complete else 1


def _move_line(task: dict[str, Any]) -> str:
    moved = task.get("ApproximateNumberOfMessagesMoved", 0)
    total = task.get("ApproximateNumberOfMessagesToMove")
    return f"{task.get('Status')}: {moved}/{total if total is not None else '?'} message(s) moved"


def _redrive_deployed(args: argparse.Namespace, sqs: Any, cloudformation: Any) -> int:
    if args.stack and cloudformation is None:
        cloudformation = boto3.client("cloudformation")
    dlq_arn = _queue_arn(sqs, _deployed_queue_url(sqs, cloudformation, args.dlq, args.stack))
    destination = _queue_arn(sqs, _deployed_queue_url(sqs, cloudformation, args.to, args.stack)) if args.to else None
    try:
        start_move_task(sqs, dlq_arn, destination)
    except ClientError as refused:
        raise CliError(f"SQS did not start moving {dlq_arn}: {refused}") from refused
    where = destination or "the queues they came from"
    print(f"SQS is moving the messages of {dlq_arn} back to {where}.")
    task = follow_move_task(
        sqs,
        dlq_arn,
        interval=args.interval,
        deadline_s=args.timeout,
        progress=lambda reading: print("  " + _move_line(reading), flush=True),
    )
    status = task.get("Status")
    if status == "RUNNING":
        print(f"Still running after {args.timeout:.0f} s; SQS goes on. Check it again with the same command's output")
        print(f"or `aws sqs list-message-move-tasks --source-arn {dlq_arn}`.")
        return 1
    print(f"{status}: moved {task.get('ApproximateNumberOfMessagesMoved', 0)} message(s).")
    if task.get("FailureReason"):
        print(f"  {task['FailureReason']}")
    return 0 if status == "COMPLETED" else 1
