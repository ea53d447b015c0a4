"""Moving a dead-letter queue's messages back to the queue that feeds it."""

from __future__ import annotations

from typing import Any


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
