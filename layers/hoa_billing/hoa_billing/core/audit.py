"""One structured INFO line per change to an invoice, and one per email delivery attempt,
so that the logs answer "did resident X get the email for invoice Y, and if not, why".

The features call these once per change, after the write that made it succeeded; the
line carries the invoice's id and number, who did it (the actor), what it went from and
to, and the details that explain it. Each line also carries the invocation's keys (the
function, its request id, an API request's correlation id; see ``observability``).

    {"message": "invoice changed", "change": "published", "invoice_id": "inv_01...",
     "invoice_number": "INV-00012", "actor": {"kind": "api", "id": "mgr-1"},
     "from": "Draft", "to": "Open", "email": "queued", ...}
    {"message": "invoice changed", "change": "email_sent", "email_from": "sending",
     "email_to": "sent", "message_id": "0100018f...", ...}
    {"message": "email delivery attempt", "outcome": "retry", "reason": "Throttling: ...", ...}

CloudWatch Logs Insights, every change of one invoice (docs/runbook.md has more):

    filter invoice_number = "INV-00012" | sort @timestamp
    | fields @timestamp, message, change, from, to, email_to, reason, message_id, actor.kind
"""

from __future__ import annotations

from typing import Any

from hoa_billing.core.models import Actor, HistoryEntry
from hoa_billing.core.observability import logger


def _present(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def changed(
    invoice_id: str,
    number: str | None,
    entry: HistoryEntry,
    *,
    before: str | None = None,
    after: str | None = None,
    **details: Any,
) -> None:
    """The change ``entry`` records happened to this invoice. ``before`` and ``after``
    are its status either side (default: the entry's own); email changes pass
    ``email_from`` and ``email_to`` instead."""
    logger.info(
        "invoice changed",
        **_present(
            {
                "change": entry.action,
                "invoice_id": invoice_id,
                "invoice_number": number,
                "actor": actor_of(entry.actor),
                "from": before if before is not None else _status(entry.from_status),
                "to": after if after is not None else _status(entry.to_status),
                "reason": entry.reason,
                **details,
            }
        ),
    )


def delivery_attempt(
    invoice_id: str,
    number: str | None,
    *,
    request_id: str,
    attempt: int,
    outcome: str,
    resident_id: str | None = None,
    message_id: str | None = None,
    reason: str | None = None,
) -> None:
    """One try at handing an invoice email to the mail service: what came of it, the
    message id SES gave it, or the reason it did not go."""
    logger.info(
        "email delivery attempt",
        **_present(
            {
                "invoice_id": invoice_id,
                "invoice_number": number,
                "resident_id": resident_id,
                "request_id": request_id,
                "attempt": attempt,
                "outcome": outcome,
                "message_id": message_id,
                "reason": reason,
            }
        ),
    )


def actor_of(actor: Actor) -> dict[str, Any]:
    return actor.model_dump(mode="json", exclude_none=True)


def _status(status: Any) -> str | None:
    return None if status is None else str(status.value if hasattr(status, "value") else status)


def resident_changed(property_id: str, resident_id: str, entry: HistoryEntry) -> None:
    """A manager corrected a resident's profile (``entry.details``: each field from -> to)."""
    logger.info(
        "resident changed",
        change=entry.action,
        property_id=property_id,
        resident_id=resident_id,
        actor=actor_of(entry.actor),
        fields=sorted(entry.details),
    )
