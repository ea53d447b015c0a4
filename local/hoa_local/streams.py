"""DynamoDB stream consumers run as Lambda runs them, for tests and the local runtime.

Small on purpose; four pieces:

* ``StreamReader(client, stream_arn).read()``: the stream's new records since the last
  read, oldest first, shaped as Lambda puts them in an event.
* ``matches(pattern, record)`` / ``passes(filter_criteria, record)``: Lambda event
  filtering, the subset the template uses (exact values, ``anything-but``, ``exists``,
  ``prefix``, nested objects; several filters are OR-ed).
* ``stream_event(records)``: the event a function receives.
* ``EventSourceMapping.from_template(stack, function, event)``: a template's DynamoDB
  event with its settings, and ``deliver(records, invoke)`` to run a function over
  records with Lambda's semantics: filter, batch by ``BatchSize``, honour a
  ``batchItemFailures`` response (retry from the first failed record), split the batch
  on a function error when ``BisectBatchOnFunctionError``, retry up to
  ``MaximumRetryAttempts``, then send the batch's description to the ``OnFailure``
  destination (an SQS queue) and move on. ``MaximumRecordAgeInSeconds`` is not applied.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from hoa_local.template import Stack

log = logging.getLogger(__name__)
Record = dict[str, Any]
Invoke = Callable[[dict[str, Any]], Any]


class FunctionCrashed(BaseException):
    """Raise it (from a fake at an adapter boundary) to stand for the execution
    environment dying mid-invocation: no handler code gets to catch it, and Lambda
    sees a function error."""


# -- reading the stream -----------------------------------------------------------------


class StreamReader:
    """Reads a table's stream shard by shard, remembering where it stopped."""

    def __init__(self, client: Any, stream_arn: str) -> None:
        self.client = client
        self.stream_arn = stream_arn
        self._after: dict[str, str] = {}

    def read(self) -> list[Record]:
        records: list[Record] = []
        shards = self.client.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]["Shards"]
        for shard in shards:
            shard_id = shard["ShardId"]
            request: dict[str, Any] = {"StreamArn": self.stream_arn, "ShardId": shard_id}
            if shard_id in self._after:
                request.update(ShardIteratorType="AFTER_SEQUENCE_NUMBER", SequenceNumber=self._after[shard_id])
            else:
                request["ShardIteratorType"] = "TRIM_HORIZON"
            iterator = self.client.get_shard_iterator(**request)["ShardIterator"]
            while iterator:
                page = self.client.get_records(ShardIterator=iterator, Limit=1000)
                for raw in page["Records"]:
                    records.append(self._as_lambda_record(raw))
                    self._after[shard_id] = raw["dynamodb"]["SequenceNumber"]
                if not page["Records"]:
                    break
                iterator = page.get("NextShardIterator")
        return records

    def _as_lambda_record(self, raw: Record) -> Record:
        record = json.loads(json.dumps(raw, default=_json_default))
        record["eventSourceARN"] = self.stream_arn
        return record


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return int(value.timestamp())  # Lambda events carry epoch seconds
    if isinstance(value, bytes):
        import base64

        return base64.b64encode(value).decode()
    raise TypeError(type(value).__name__)


# -- event filtering --------------------------------------------------------------------

_MISSING = object()


def _value_matches(rule: Any, value: Any) -> bool:
    if isinstance(rule, dict):
        if "exists" in rule:
            return (value is not _MISSING) is bool(rule["exists"])
        if value is _MISSING:
            return False
        if "anything-but" in rule:
            excluded = rule["anything-but"]
            return value not in (excluded if isinstance(excluded, list) else [excluded])
        if "prefix" in rule:
            return isinstance(value, str) and value.startswith(rule["prefix"])
        raise ValueError(f"filter rule not supported here: {rule}")
    return value is not _MISSING and value == rule and type(value) is type(rule)


def matches(pattern: dict[str, Any], record: Record) -> bool:
    """Does ``record`` match one Lambda event-filter ``pattern`` (already parsed)?"""
    for key, rule in pattern.items():
        value = record.get(key, _MISSING) if isinstance(record, dict) else _MISSING
        if isinstance(rule, dict):
            if not isinstance(value, dict) or not matches(rule, value):
                return False
        elif isinstance(rule, list):
            if not any(_value_matches(option, value) for option in rule):
                return False
        else:
            raise ValueError(f"a pattern's leaves are lists: {key}={rule!r}")
    return True


def passes(filter_criteria: dict[str, Any] | None, record: Record) -> bool:
    """``FilterCriteria`` as the template writes it: any filter matching lets the record in."""
    filters = (filter_criteria or {}).get("Filters") or []
    if not filters:
        return True
    return any(matches(json.loads(entry["Pattern"]), record) for entry in filters)


def stream_event(records: Iterable[Record]) -> dict[str, Any]:
    return {"Records": list(records)}


# -- Lambda's event source mapping ------------------------------------------------------


@dataclass
class DeliveryReport:
    invocations: int = 0
    # Batches given up on, as Lambda describes them to the OnFailure destination.
    discarded: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class EventSourceMapping:
    function: str
    batch_size: int = 100
    report_item_failures: bool = False
    bisect: bool = False
    max_retries: int = -1
    filter_criteria: dict[str, Any] | None = None
    on_failure: Callable[[dict[str, Any]], None] | None = None
    # A safety net for an infinite MaximumRetryAttempts (-1) in a test.
    retry_ceiling: int = 1000

    @classmethod
    def from_template(cls, stack: Stack, function: str, event: str, sqs: Any | None = None) -> EventSourceMapping:
        props = stack.functions()[function]["Events"][event]["Properties"]
        destination = props.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination")
        on_failure = None
        if destination is not None and sqs is not None:
            queue_url = _queue_url(stack, stack.resolve(destination))

            def on_failure(message: dict[str, Any]) -> None:
                sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(message))

        return cls(
            function=function,
            batch_size=int(props.get("BatchSize", 100)),
            report_item_failures="ReportBatchItemFailures" in props.get("FunctionResponseTypes", []),
            bisect=bool(props.get("BisectBatchOnFunctionError", False)),
            max_retries=int(props.get("MaximumRetryAttempts", -1)),
            filter_criteria=props.get("FilterCriteria"),
            on_failure=on_failure,
        )

    def deliver(self, records: Iterable[Record], invoke: Invoke) -> DeliveryReport:
        """Run ``invoke(event)`` over the records that pass the filters, in order."""
        report = DeliveryReport()
        selected = [record for record in records if passes(self.filter_criteria, record)]
        for start in range(0, len(selected), self.batch_size):
            self._run(selected[start : start + self.batch_size], invoke, report)
        return report

    def _run(self, batch: list[Record], invoke: Invoke, report: DeliveryReport) -> None:
        retries = 0
        while batch:
            report.invocations += 1
            try:
                response = invoke(stream_event(batch))
            except (Exception, FunctionCrashed):
                if self.bisect and len(batch) > 1:
                    half = len(batch) // 2
                    self._run(batch[:half], invoke, report)
                    self._run(batch[half:], invoke, report)
                    return
                first_failed: int | None = 0
            else:
                first_failed = self._first_failure(batch, response)
                if first_failed is None:
                    return
            # Lambda checkpoints the records before the first failure and retries the rest.
            batch = batch[first_failed:]
            retries += 1
            limit = self.max_retries if self.max_retries >= 0 else self.retry_ceiling
            if retries > limit:
                self._discard(batch, report)
                return

    def _first_failure(self, batch: list[Record], response: Any) -> int | None:
        if not self.report_item_failures or not isinstance(response, dict):
            return None
        failures = response.get("batchItemFailures") or []
        if not failures:
            return None
        sequence = {record["dynamodb"]["SequenceNumber"]: index for index, record in enumerate(batch)}
        positions = [sequence.get(str(item.get("itemIdentifier"))) for item in failures]
        if any(position is None for position in positions):
            return 0  # an identifier that is not in the batch fails the whole batch
        return min(p for p in positions if p is not None)

    def _discard(self, batch: list[Record], report: DeliveryReport) -> None:
        first, last = batch[0], batch[-1]
        message = {
            "requestContext": {"condition": "RetryAttemptsExhausted", "function": self.function},
            "DDBStreamBatchInfo": {
                "streamArn": first.get("eventSourceARN"),
                "startSequenceNumber": first["dynamodb"]["SequenceNumber"],
                "endSequenceNumber": last["dynamodb"]["SequenceNumber"],
                "batchSize": len(batch),
            },
        }
        report.discarded.append(message)
        if self.on_failure:
            self.on_failure(message)


def _queue_url(stack: Stack, arn: str) -> str:
    for attributes in stack.attributes.values():
        if attributes.get("Arn") == arn and "QueueUrl" in attributes:
            return attributes["QueueUrl"]
    raise KeyError(f"no provisioned queue with ARN {arn}")


# -- the local runtime's worker ----------------------------------------------------------


class StreamConsumer:
    """Polls one DynamoDB-stream event source of the template and delivers what passes its
    filters to the function, with the semantics of ``EventSourceMapping``."""

    def __init__(self, stack: Stack, function: str, event: str, streams: Any, sqs: Any, invoke: Invoke) -> None:
        props = stack.functions()[function]["Events"][event]["Properties"]
        self.name = f"stream:{function}.{event}"
        self.reader = StreamReader(streams, stack.resolve(props["Stream"]))
        self.mapping = EventSourceMapping.from_template(stack, function, event, sqs)
        self.invoke = invoke
        self.starting_position = props.get("StartingPosition", "LATEST")

    def poll_once(self) -> DeliveryReport:
        return self.mapping.deliver(self.reader.read(), self.invoke)

    def run(self, stop: Any) -> None:
        if self.starting_position == "LATEST":
            self.reader.read()  # skip what was written before the mapping existed
        while not stop.wait(0.25):
            try:
                self.poll_once()
            except Exception:  # a broken poll must not end the worker
                log.exception("%s: poll failed", self.name)
