"""SQS event sources with Lambda's semantics, driven by template.yaml.

For every ``Type: SQS`` event in the template a consumer polls the queue and invokes the
function with batches of up to ``BatchSize`` records, the way Lambda's event source
mapping does:
- the function returns normally: the whole batch is deleted;
- the function raises: nothing is deleted, every message becomes visible again after
  the queue's visibility timeout;
- with ``FunctionResponseTypes: [ReportBatchItemFailures]``: only the messages named in
  ``batchItemFailures`` stay; a response naming an unknown or empty id fails the batch;
- the queue's ``RedrivePolicy`` does the rest: after ``maxReceiveCount`` receives, the
  message goes to the dead-letter queue (moto applies the policy on receive, as SQS does).

The local runtime polls with ``run``; tests and the benchmark drive the same consumer
step by step (``receive``/``deliver``, ``drain``) with ``for_function``, which invokes
the handler in-process and can make failed messages visible again at once, standing in
for the visibility timeout passing.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hoa_local.lambdas import function_invoker
from hoa_local.streams import FunctionCrashed
from hoa_local.template import Stack

log = logging.getLogger("hoa_local.sqs")

Invoke = Callable[[dict[str, Any]], Any]  # the source's function: event -> result
MAX_RECEIVE = 10  # SQS returns at most 10 messages per ReceiveMessage


@dataclass(frozen=True)
class SqsSource:
    function: str
    event_name: str
    queue: str  # logical id of the queue
    batch_size: int = 10
    batching_window_seconds: int = 0
    report_batch_item_failures: bool = False
    enabled: bool = True


def sqs_sources(stack: Stack) -> list[SqsSource]:
    sources = []
    for function, event_name, props in stack.events_of("SQS"):
        queue = props["Queue"]
        logical = queue["Fn::GetAtt"][0] if isinstance(queue, dict) and "Fn::GetAtt" in queue else str(queue)
        sources.append(
            SqsSource(
                function=function,
                event_name=event_name,
                queue=logical,
                batch_size=int(props.get("BatchSize", 10)),
                batching_window_seconds=int(props.get("MaximumBatchingWindowInSeconds", 0)),
                report_batch_item_failures="ReportBatchItemFailures" in (props.get("FunctionResponseTypes") or []),
                enabled=bool(props.get("Enabled", True)),
            )
        )
    return sources


def sqs_event(messages: list[dict[str, Any]], queue_arn: str, region: str = "us-east-1") -> dict[str, Any]:
    """The event Lambda passes to an SQS-triggered function for these received messages."""
    return {
        "Records": [
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": message.get("Attributes", {}),
                "messageAttributes": _lambda_attributes(message.get("MessageAttributes", {})),
                "md5OfBody": message.get("MD5OfBody") or hashlib.md5(message["Body"].encode()).hexdigest(),  # noqa: S324
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": region,
            }
            for message in messages
        ]
    }


def _lambda_attributes(values: dict[str, Any]) -> dict[str, Any]:
    return {
        name: {
            "stringValue": value.get("StringValue"),
            "binaryValue": value.get("BinaryValue"),
            "stringListValues": value.get("StringListValues", []),
            "binaryListValues": value.get("BinaryListValues", []),
            "dataType": value["DataType"],
        }
        for name, value in values.items()
    }


@dataclass
class BatchOutcome:
    received: int = 0
    deleted: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


class SqsConsumer:
    """One event source mapping: a queue, a function, and the batch rules between them."""

    def __init__(
        self, stack: Stack, source: SqsSource, sqs: Any, invoke: Invoke, *, redeliver_failures: bool = False
    ) -> None:
        self.stack = stack
        self.source = source
        self.sqs = sqs
        self.invoke = invoke
        self.redeliver_failures = redeliver_failures
        self.queue_url = stack.attributes[source.queue]["QueueUrl"]
        self.queue_arn = stack.attributes[source.queue]["Arn"]
        self.name = f"sqs:{source.queue}->{source.function}"
        # Lambda's UpdateEventSourceMapping Enabled=false: messages wait on the queue.
        self.enabled = threading.Event()
        self.enabled.set()

    @classmethod
    def for_function(cls, stack: Stack, function: str, sqs: Any, **overrides: Any) -> SqsConsumer:
        """The template's SQS event source of ``function``, invoking its handler in this
        process (with ``overrides`` as keyword arguments). Failed messages are visible
        again at once: the visibility timeout passing, without waiting for it."""
        (source,) = [source for source in sqs_sources(stack) if source.function == function]
        return cls(stack, source, sqs, function_invoker(stack, function, **overrides), redeliver_failures=True)

    def invoker(self, **overrides: Any) -> Invoke:
        """This consumer's function invoked in-process with other keyword arguments."""
        return function_invoker(self.stack, self.source.function, **overrides)

    def receive(self, wanted: int | None = None, wait_seconds: int = 0) -> list[dict[str, Any]]:
        response = self.sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=min(MAX_RECEIVE, wanted or self.source.batch_size),
            WaitTimeSeconds=wait_seconds,
            MessageSystemAttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        messages: list[dict[str, Any]] = response.get("Messages", [])
        return messages

    def _gather(self, wait_seconds: int) -> list[dict[str, Any]]:
        """One batch: what one receive returns, topped up until ``BatchSize`` only while
        ``MaximumBatchingWindowInSeconds`` lasts (with no window, Lambda invokes at once)."""
        batch = self.receive(self.source.batch_size, wait_seconds)
        seen = {message["MessageId"] for message in batch}
        deadline = time.monotonic() + self.source.batching_window_seconds
        while batch and len(batch) < self.source.batch_size and time.monotonic() < deadline:
            more = [m for m in self.receive(self.source.batch_size - len(batch), 0) if m["MessageId"] not in seen]
            seen.update(m["MessageId"] for m in more)
            batch.extend(more)
            if not more:
                time.sleep(0.05)  # inside the batching window: let more messages arrive
        return batch

    def event(self, messages: list[dict[str, Any]]) -> dict[str, Any]:
        return sqs_event(messages, self.queue_arn, self.stack.region)

    def failed_ids(self, messages: list[dict[str, Any]], result: Any) -> set[str]:
        """The message ids Lambda would leave on the queue for this function result."""
        every = {message["MessageId"] for message in messages}
        if not self.source.report_batch_item_failures:
            return set()
        failures = result.get("batchItemFailures") if isinstance(result, dict) else None
        if not failures:
            return set()
        named = {str(item.get("itemIdentifier") or "") if isinstance(item, dict) else "" for item in failures}
        if not named <= every:
            log.error("%s: batchItemFailures names unknown or empty ids; the whole batch fails", self.name)
            return every
        return named

    def deliver(self, messages: list[dict[str, Any]], invoke: Invoke | None = None) -> BatchOutcome:
        """Invoke the function with these received messages and settle them as Lambda
        would: delete what succeeded, leave the rest on the queue."""
        outcome = BatchOutcome(received=len(messages))
        event = self.event(messages)
        try:
            result = (invoke or self.invoke)(event)
        except (Exception, FunctionCrashed):
            log.exception("%s: the function raised; the whole batch returns to the queue", self.name)
            failed = {message["MessageId"] for message in messages}
        else:
            failed = self.failed_ids(messages, result)
        done = [message for message in messages if message["MessageId"] not in failed]
        for start in range(0, len(done), MAX_RECEIVE):
            chunk = done[start : start + MAX_RECEIVE]
            self.sqs.delete_message_batch(
                QueueUrl=self.queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(chunk)],
            )
        outcome.deleted = [message["MessageId"] for message in done]
        outcome.failed = sorted(failed)
        if failed:
            log.warning("%s: %d of %d messages failed and will be retried", self.name, len(failed), len(messages))
            if self.redeliver_failures:
                self.make_visible([message for message in messages if message["MessageId"] in failed])
        return outcome

    def make_visible(self, messages: list[dict[str, Any]]) -> None:
        """What the visibility timeout passing does for messages in flight."""
        for message in messages:
            self.sqs.change_message_visibility(
                QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
            )

    def poll_once(self, wait_seconds: int = 0, invoke: Invoke | None = None) -> BatchOutcome | None:
        """Receive one batch and invoke the function with it; None when the queue is empty."""
        messages = self._gather(wait_seconds)
        return self.deliver(messages, invoke) if messages else None

    def drain(self, invoke: Invoke | None = None, max_polls: int = 100_000) -> int:
        """Poll until the queue returns nothing; the number of messages received."""
        received = 0
        for _ in range(max_polls):
            outcome = self.poll_once(invoke=invoke)
            if outcome is None:
                return received
            received += outcome.received
        raise RuntimeError(f"{self.queue_url} still had messages after {max_polls} polls")

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            if not self.enabled.is_set():
                stop.wait(0.2)
                continue
            try:
                self.poll_once(wait_seconds=1)
            except Exception:
                if stop.is_set():
                    return
                log.exception("%s: polling failed", self.name)
                stop.wait(1)
