"""The processed Stripe events table: each event id is claimed by a conditional put.

``event_id`` (key), ``state`` (``processing`` while a delivery works on it, then
``done``), ``outcome``, ``lease_until`` (a crashed delivery's claim lapses after this,
so Stripe's next retry can take it over) and ``expires_at`` (TTL: DynamoDB removes the
record once Stripe can no longer retry the event).
"""

from __future__ import annotations

from typing import Any

from hoa_billing.core.changes import EventClaim
from hoa_billing.core.errors import Refused
from hoa_billing.data.table import TableRepository
from hoa_billing.data.writes import Delete, Put, Update

PROCESSING = "processing"
DONE = "done"


class DynamoProcessedEvents(TableRepository):
    def claim(self, event_id: str, event_type: str, now: int, lease_seconds: int, expires_at: int) -> EventClaim:
        """Take the event for this delivery, unless it is done or another delivery holds it."""
        put = Put(
            {
                "event_id": event_id,
                "event_type": event_type,
                "state": PROCESSING,
                "claimed_at": now,
                "lease_until": now + lease_seconds,
                "expires_at": expires_at,
            }
        ).require(
            "attribute_not_exists({event_id}) OR ({state} = :processing AND {lease_until} < :now)",
            processing=PROCESSING,
            now=now,
        )
        try:
            self._put(put)
        except Refused as refused:
            return EventClaim(won=False, done=(refused.current or {}).get("state") == DONE)
        return EventClaim(won=True)

    def finish(self, event_id: str, outcome: str, details: dict[str, Any]) -> None:
        """Mark the event done. Already done is fine: the SDK repeats this write when its
        first answer was lost, and the repeat finds its own result."""
        update = (
            Update()
            .set("state", DONE)
            .set("outcome", outcome)
            .set("details", details)
            .remove("lease_until")
            .require("{state} = :processing", processing=PROCESSING)
        )
        try:
            self._update({"event_id": event_id}, update)
        except Refused as refused:
            if (refused.current or {}).get("state") != DONE:
                raise

    def release(self, event_id: str) -> None:
        """Give the event back after a failure, so Stripe's retry is processed at once."""
        try:
            self._delete(Delete({"event_id": event_id}).require("{state} = :processing", processing=PROCESSING))
        except Refused:
            return

    def get(self, event_id: str) -> dict[str, Any] | None:
        return self._get({"event_id": event_id})
