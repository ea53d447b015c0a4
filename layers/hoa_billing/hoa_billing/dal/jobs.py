"""The publish jobs table: one bulk publish's progress, written per batch, never per invoice.

Items under ``pk = job_id``:

* ``sk = "JOB"``: the head. Who started it, the confirmed total, how many invoices the
  fan-out has enqueued so far and where it stands in each status-index shard, and the
  counters ``published``, ``skipped``, ``failed``.
* ``sk = "MSG#{message_id}"``: one marker per worker message that has been counted. It
  is written in the same transaction as the counters with ``attribute_not_exists``, so a
  message delivered twice is counted once. Markers expire after a month.
* ``sk = "FAIL#{invoice_id}"``: why an invoice could not be published. Sorted before
  ``JOB``, so one Query (``sk <= "JOB"``, descending) returns the head then the failures.

The head stays small however large the job, so each counter update costs a few write
units (the alternative, a set of processed message ids on the head, grows with the job
and makes every later update dearer).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hoa_billing.dal.items import from_item, to_attr, to_item
from hoa_billing.dal.table import TableRepository

HEAD = "JOB"
MESSAGE_PREFIX = "MSG#"
FAILURE_PREFIX = "FAIL#"
MARKER_TTL_SECONDS = 30 * 24 * 3600


class JobExists(Exception):
    """A job with this id was already created (a repeated schedule delivery)."""


class FanOutMoved(Exception):
    """Another fan-out runner recorded progress first; this one stops."""


@dataclass(frozen=True)
class ChunkTally:
    published: int
    skipped: int
    failures: list[tuple[str, str]]  # (invoice_id, reason)


class PublishJobRepository(TableRepository):
    def _key(self, job_id: str, sk: str) -> dict[str, Any]:
        return {"pk": to_attr(job_id), "sk": to_attr(sk)}

    def create(self, head: dict[str, Any]) -> None:
        client = self.client
        try:
            client.put_item(
                TableName=self.table_name,
                Item=to_item({"pk": head["job_id"], "sk": HEAD, **head}),
                ConditionExpression="attribute_not_exists(pk)",
            )
        except client.exceptions.ConditionalCheckFailedException as exc:
            raise JobExists(head["job_id"]) from exc

    def head(self, job_id: str) -> dict[str, Any] | None:
        item = self.client.get_item(TableName=self.table_name, Key=self._key(job_id, HEAD), ConsistentRead=True)
        return from_item(item["Item"]) if "Item" in item else None

    def head_with_failures(self, job_id: str, max_failures: int) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        """The head and up to ``max_failures`` failure items, in one Query."""
        response = self.client.query(
            TableName=self.table_name,
            KeyConditionExpression="pk = :job AND sk <= :head",
            ExpressionAttributeValues={":job": to_attr(job_id), ":head": to_attr(HEAD)},
            ScanIndexForward=False,
            ConsistentRead=True,
            Limit=max_failures + 1,
        )
        items = [from_item(item) for item in response["Items"]]
        if not items or items[0]["sk"] != HEAD:
            return None, []
        return items[0], items[1:]

    def record_fan_out(
        self, job_id: str, *, seq: int, positions: dict[str, Any], enqueued: int, done: bool, now: str
    ) -> None:
        """Advance the fan-out cursor, conditional on nobody having advanced it since ``seq``."""
        client = self.client
        try:
            client.update_item(
                TableName=self.table_name,
                Key=self._key(job_id, HEAD),
                UpdateExpression=(
                    "SET fanout_seq = :next, fanout_positions = :pos, fanout_done = :done, updated_at = :now "
                    "ADD enumerated :n"
                ),
                ConditionExpression="fanout_seq = :seq",
                ExpressionAttributeValues={
                    ":seq": to_attr(seq),
                    ":next": to_attr(seq + 1),
                    ":pos": to_attr(positions),
                    ":done": to_attr(done),
                    ":now": to_attr(now),
                    ":n": to_attr(enqueued),
                },
            )
        except client.exceptions.ConditionalCheckFailedException as exc:
            raise FanOutMoved(job_id) from exc

    def record_chunk(self, job_id: str, message_id: str, tally: ChunkTally, *, now: str, expires_at: int) -> bool:
        """Count one worker message once: marker + counters (+ failure reasons) in one
        transaction. False when this message was already counted."""
        client = self.client
        items: list[dict[str, Any]] = [
            {
                "Put": {
                    "TableName": self.table_name,
                    "Item": to_item({"pk": job_id, "sk": MESSAGE_PREFIX + message_id, "expires_at": expires_at}),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            {
                "Update": {
                    "TableName": self.table_name,
                    "Key": self._key(job_id, HEAD),
                    "UpdateExpression": "ADD published :p, skipped :s, failed :f SET updated_at = :now",
                    "ConditionExpression": "attribute_exists(pk)",
                    "ExpressionAttributeValues": {
                        ":p": to_attr(tally.published),
                        ":s": to_attr(tally.skipped),
                        ":f": to_attr(len(tally.failures)),
                        ":now": to_attr(now),
                    },
                }
            },
        ]
        items += [
            {
                "Put": {
                    "TableName": self.table_name,
                    "Item": to_item({"pk": job_id, "sk": FAILURE_PREFIX + invoice_id, "reason": reason, "at": now}),
                }
            }
            for invoice_id, reason in tally.failures
        ]
        try:
            client.transact_write_items(TransactItems=items)
        except client.exceptions.TransactionCanceledException as exc:
            reasons = exc.response.get("CancellationReasons", [])
            if reasons and reasons[0].get("Code") == "ConditionalCheckFailed":
                return False
            raise
        return True
