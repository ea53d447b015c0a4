"""Moving a dead-letter queue's messages back to the queue that feeds it, losing none.

Locally (moto has no message move tasks) ``redrive`` receives, sends and deletes: a
message leaves the dead-letter queue only once ``SendMessageBatch`` reports it sent.
Entries SQS refuses are sent again (``SEND_ATTEMPTS`` in all, unless SQS says the fault
is the sender's); what still fails stays in the dead-letter queue, visible again, and
is reported. On AWS ``start_move_task`` and ``follow_move_task`` use SQS's own
message move task, which does the same inside SQS."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

SEND_ATTEMPTS = 3
BATCH = 10  # SQS's most entries per batch call
FINISHED_TASK_STATES = {"COMPLETED", "FAILED", "CANCELLED"}

Message = dict[str, Any]


@dataclass
class RedriveReport:
    moved: int = 0
    not_moved: list[tuple[str, str]] = field(default_factory=list)  # (message id, why): still in the DLQ
    not_deleted: list[tuple[str, str]] = field(default_factory=list)  # (message id, why): sent, and still in the DLQ

    @property
    def complete(self) -> bool:
        return not self.not_moved and not self.not_deleted


def redrive(sqs: Any, dlq_url: str, source_url: str, *, attempts: int = SEND_ATTEMPTS) -> RedriveReport:
    """Move every message of the dead-letter queue back to ``source_url``."""
    report = RedriveReport()
    kept: list[Message] = []  # received, not moved: in flight until released below
    try:
        while messages := sqs.receive_message(
            QueueUrl=dlq_url,
            MaxNumberOfMessages=BATCH,
            WaitTimeSeconds=0,
            VisibilityTimeout=60,
            MessageAttributeNames=["All"],
        ).get("Messages", []):
            sent, refused = _send(sqs, source_url, messages, attempts)
            report.not_moved += [(message["MessageId"], why) for message, why in refused]
            kept += [message for message, _ in refused]
            not_deleted = _delete(sqs, dlq_url, sent)
            report.not_deleted += not_deleted
            report.moved += len(sent) - len(not_deleted)
    finally:
        _release(sqs, dlq_url, kept)
    return report


def _entry(key: str, message: Message) -> dict[str, Any]:
    entry: dict[str, Any] = {"Id": key, "MessageBody": message["Body"]}
    if message.get("MessageAttributes"):
        entry["MessageAttributes"] = message["MessageAttributes"]
    return entry


def _send(
    sqs: Any, url: str, messages: list[Message], attempts: int
) -> tuple[list[Message], list[tuple[Message, str]]]:
    """(sent, refused with the reason); only entries SQS names as successful are sent."""
    pending = {str(i): message for i, message in enumerate(messages)}
    sent: list[Message] = []
    refused: list[tuple[Message, str]] = []
    reasons: dict[str, str] = {}
    for _ in range(attempts):
        if not pending:
            break
        try:
            answer = sqs.send_message_batch(QueueUrl=url, Entries=[_entry(k, m) for k, m in pending.items()])
        except ClientError as failed:  # after the SDK's own retries: leave them for another run
            why = f"{failed.response['Error'].get('Code')}: {failed.response['Error'].get('Message', '')}"
            reasons.update(dict.fromkeys(pending, why))
            break
        for success in answer.get("Successful", []):
            sent.append(pending.pop(success["Id"]))
        for failure in answer.get("Failed", []):
            reasons[failure["Id"]] = f"{failure.get('Code')}: {failure.get('Message', '')}"
            if failure.get("SenderFault"):  # the same request would be refused again
                refused.append((pending.pop(failure["Id"]), reasons[failure["Id"]]))
    refused += [(message, reasons.get(key, "SQS did not report it sent")) for key, message in pending.items()]
    return sent, refused


def _delete(sqs: Any, dlq_url: str, messages: list[Message]) -> list[tuple[str, str]]:
    """Delete what was sent; (message id, why) for what could not be deleted."""
    if not messages:
        return []
    by_key = {str(i): message for i, message in enumerate(messages)}
    answer = sqs.delete_message_batch(
        QueueUrl=dlq_url, Entries=[{"Id": k, "ReceiptHandle": m["ReceiptHandle"]} for k, m in by_key.items()]
    )
    return [
        (by_key[failure["Id"]]["MessageId"], f"{failure.get('Code')}: {failure.get('Message', '')}")
        for failure in answer.get("Failed", [])
    ]


def _release(sqs: Any, dlq_url: str, messages: list[Message]) -> None:
    """Make the messages that were not moved visible in the dead-letter queue again."""
    for start in range(0, len(messages), BATCH):
        chunk = messages[start : start + BATCH]
        sqs.change_message_visibility_batch(
            QueueUrl=dlq_url,
            Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": 0} for i, m in enumerate(chunk)
            ],
        )


# -- on AWS: SQS's message move task -------------------------------------------------------


def start_move_task(sqs: Any, dlq_arn: str, destination_arn: str | None = None) -> str:
    """Start SQS moving the dead-letter queue's messages: to ``destination_arn``, or each
    back to the queue it came from. The task's handle."""
    request = {"SourceArn": dlq_arn} | ({"DestinationArn": destination_arn} if destination_arn else {})
    return str(sqs.start_message_move_task(**request)["TaskHandle"])


def follow_move_task(
    sqs: Any,
    dlq_arn: str,
    *,
    interval: float,
    deadline_s: float,
    progress: Callable[[dict[str, Any]], None],
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, Any]:
    """Poll the dead-letter queue's latest move task until it finishes (or the deadline
    passes), calling ``progress`` with each reading; the last reading."""
    deadline = time.monotonic() + deadline_s
    while True:
        results = sqs.list_message_move_tasks(SourceArn=dlq_arn, MaxResults=1).get("Results", [])
        task: dict[str, Any] = results[0] if results else {"Status": "UNKNOWN"}
        progress(task)
        if task.get("Status") in FINISHED_TASK_STATES or not results or time.monotonic() > deadline:
            return task
        sleep(interval)
