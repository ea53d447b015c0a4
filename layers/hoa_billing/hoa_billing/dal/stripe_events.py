"""The processed Stripe events table: each event id is claimed by a conditional put.

``event_id`` (key), ``state`` (``processing`` while a delivery works on it, then
``done``), ``outcome``, ``lease_until`` (a crashed delivery's claim lapses after this,
so Stripe's next retry can take it over) and ``expires_at`` (TTL: DynamoDB removes the
record once Stripe can no longer retry the event).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hoa_billing.dal.items import from_item, to_attr, to_item
from hoa_billing.dal.table import TableRepository

PROCESSING = "processing"
DONE = "done"


@dataclass(frozen=True)
class Claim:
    won: bool
    # When not won: the record as it stands (``state`` tells done from in progress).
    current: dict[str, Any] | None = None


class ProcessedEvents(TableRepository):
    def claim(self, event_id: str, event_type: str, now: int, lease_seconds: int, expires_at: int) -> Claim:
        """Take the event for this delivery, unless it is done or another delivery holds it."""
        client = self.client
        item = {
            "event_id": event_id,
            "event_type": event_type,
            "state": PROCESSING,
            "claimed_at": now,
            "lease_until": now + lease_seconds,
            "expires_at": expires_at,
        }
        try:
            client.put_item(
                TableName=self.table_name,
                Item=to_item(item),
                ConditionExpression="attribute_not_exists(event_id) OR (#state = :processing AND lease_until < :now)",
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues={":processing": to_attr(PROCESSING), ":now": to_attr(now)},
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except client.exceptions.ConditionalCheckFailedException as exc:
            old = exc.response.get("Item")
            return Claim(won=False, current=from_item(old) if old else None)
        return Claim(won=True)

    def finish(self, event_id: str, outcome: str, details: dict[str, Any]) -> None:
        """Mark the event done. Already done is fine: the SDK repeats this write when its
        first answer was lost, and the repeat finds its own result."""
        client = self.client
        try:
            client.update_item(
                TableName=self.table_name,
                Key={"event_id": to_attr(event_id)},
                UpdateExpression="SET #state = :done, outcome = :outcome, details = :details REMOVE lease_until",
                ConditionExpression="#state = :processing",
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues={
                    ":done": to_attr(DONE),
                    ":processing": to_attr(PROCESSING),
                    ":outcome": to_attr(outcome),
                    ":details": to_attr(details),
                },
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except client.exceptions.ConditionalCheckFailedException as exc:
            if from_item(exc.response.get("Item") or {}).get("state") != DONE:
                raise

    def release(self, event_id: str) -> None:
        """Give the event back after a failure, so Stripe's retry is processed at once."""
        client = self.client
        try:
            client.delete_item(
                TableName=self.table_name,
                Key={"event_id": to_attr(event_id)},
                ConditionExpression="#state = :processing",
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues={":processing": to_attr(PROCESSING)},
            )
        except client.exceptions.ConditionalCheckFailedException:
            return

    def get(self, event_id: str) -> dict[str, Any] | None:
        item = self.client.get_item(
            TableName=self.table_name, Key={"event_id": to_attr(event_id)}, ConsistentRead=True
        ).get("Item")
        return from_item(item) if item else None
