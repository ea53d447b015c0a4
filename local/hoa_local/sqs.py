"""What Lambda's SQS event source mapping does, in-process: receive a batch, build the
Lambda SQS event from the received messages, invoke the handler, delete what succeeded
and leave the ``batchItemFailures`` on the queue for SQS to deliver again (or move to
the dead-letter queue after ``maxReceiveCount``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hoa_local.apigw import LambdaContext


def sqs_event(messages: list[dict[str, Any]], queue_arn: str, region: str = "us-east-1") -> dict[str, Any]:
    """The event Lambda passes to an SQS-triggered function for these received messages."""
    return {
        "Records": [
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": dict(message.get("Attributes", {})),
                "messageAttributes": message.get("MessageAttributes", {}),
                "md5OfBody": message["MD5OfBody"],
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": region,
            }
            for message in messages
        ]
    }


@dataclass
class Delivery:
    received: int = 0
    failed: list[str] = field(default_factory=list)


class SqsConsumer:
    """Polls one queue for one handler. ``redeliver_failures`` makes a failed message
    visible again at once: the visibility timeout passing, without waiting for it."""

    def __init__(
        self,
        sqs: Any,
        queue_url: str,
        handler: Callable[..., dict[str, Any]],
        *,
        function_name: str,
        batch_size: int = 10,
        timeout_seconds: int = 60,
        redeliver_failures: bool = True,
    ) -> None:
        self.sqs = sqs
        self.queue_url = queue_url
        self.handler = handler
        self.function_name = function_name
        self.batch_size = batch_size
        self.timeout_seconds = timeout_seconds
        self.redeliver_failures = redeliver_failures
        self.queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]

    def receive(self) -> list[dict[str, Any]]:
        response = self.sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=self.batch_size,
            MessageSystemAttributeNames=["All"],
            MessageAttributeNames=["All"],
            WaitTimeSeconds=0,
        )
        messages: list[dict[str, Any]] = response.get("Messages", [])
        return messages

    def deliver(self, messages: list[dict[str, Any]], **overrides: Any) -> Delivery:
        """Invoke the handler with these messages and settle them as Lambda would."""
        context = LambdaContext(function_name=self.function_name, timeout_seconds=self.timeout_seconds)
        try:
            result = self.handler(sqs_event(messages, self.queue_arn), context, **overrides) or {}
            failed = [failure["itemIdentifier"] for failure in result.get("batchItemFailures", [])]
        except Exception:
            # A function error returns the whole batch to the queue, as on Lambda.
            failed = [message["MessageId"] for message in messages]
        done = [m for m in messages if m["MessageId"] not in failed]
        for start in range(0, len(done), 10):
            entries = [
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done[start : start + 10])
            ]
            self.sqs.delete_message_batch(QueueUrl=self.queue_url, Entries=entries)
        if self.redeliver_failures:
            for message in messages:
                if message["MessageId"] in failed:
                    self.sqs.change_message_visibility(
                        QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
                    )
        return Delivery(received=len(messages), failed=failed)

    def poll(self, **overrides: Any) -> Delivery:
        messages = self.receive()
        return self.deliver(messages, **overrides) if messages else Delivery()

    def drain(self, max_polls: int = 100_000, **overrides: Any) -> int:
        """Poll until the queue returns nothing; the number of messages received."""
        received = 0
        for _ in range(max_polls):
            delivery = self.poll(**overrides)
            if not delivery.received:
                return received
            received += delivery.received
        raise RuntimeError(f"{self.queue_url} still had messages after {max_polls} polls")
