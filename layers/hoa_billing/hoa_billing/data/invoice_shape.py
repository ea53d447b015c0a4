"""The stored shape of an invoice: what an ``Invoice`` becomes in DynamoDB, and back.

DynamoDB charges a write unit per 1 KB of the item written, on the larger of the item
before and after, and every attribute *name* counts towards the size. An invoice is
written at publish, when its email is claimed and when it is recorded sent, so keeping
it under 1 KB through those writes halves what each costs. What this module does for it:

* fields no condition, index projection or stream filter names are stored under short
  names (``STORED_NAMES``); the fields the lifecycle's conditions and the email outbox
  use (``status``, ``property_id``, ``email_*``, ``version`` ...) keep their names, so
  the template's stream filters and every condition read as before;
* the history, actors and line items are stored as maps with one-letter keys, and
  their times as integer microseconds since the epoch (exact: nothing is rounded);
* fields at their default (nothing paid, no email requested, no flag) are not stored.

Reading accepts both shapes: items written before this module (long names, ISO times,
full history entries) decode to the same invoice, and so do a mix of both.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from hoa_billing.core.models import Actor, HistoryEntry, Invoice

# domain field -> stored attribute name
STORED_NAMES: dict[str, str] = {
    "line_items": "li",
    "memo": "mm",
    "created_at": "ca",
    "created_by": "cb",
    "published_at": "pa",
    "published_by": "pb",
    "voided_at": "va",
    "void_reason": "vr",
    "paid_at": "pt",
    "needs_attention": "na",
    "amount_refunded": "ar",
    "history": "h",
}
FIELD_OF: dict[str, str] = {stored: field for field, stored in STORED_NAMES.items()}

# Not stored while at these values (the model's defaults). ADD treats a missing number as
# 0, and conditions on them are written to accept "absent" where it means the default.
DEFAULTS: dict[str, Any] = {
    "amount_paid": 0,
    "amount_processing": 0,
    "amount_refunded": 0,
    "needs_attention": False,
    "email_requested": False,
    "email_status": "not_requested",
    "email_details": {},
    "email_attempts": 0,
}

# The email state the Invoices page shows, kept beside ``email_status`` for the listing
# index: it changes when the email is requested, skipped, sent, failed or bounced, not
# when a sender claims or releases it, so the index is not rewritten twice per email.
EMAIL_SHOWN = "els"
EMAIL_NOT_SHOWN = frozenset({"sending"})

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def micros(moment: datetime) -> int:
    return (moment.astimezone(UTC) - _EPOCH) // _MICROSECOND


def _time_in(value: Any) -> Any:
    """A stored time (integer microseconds, or ISO text from an older item) as the model takes it."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _EPOCH + timedelta(microseconds=int(value))
    return value


def _time_out(value: Any) -> Any:
    if isinstance(value, datetime):
        return micros(value)
    if isinstance(value, str):
        return micros(datetime.fromisoformat(value))
    return value


def actor_value(actor: Actor) -> dict[str, Any]:
    stored: dict[str, Any] = {"k": actor.kind.value, "i": actor.id}
    if actor.name is not None:
        stored["n"] = actor.name
    return stored


def _actor_in(value: Any) -> Any:
    if isinstance(value, dict) and "k" in value:
        return {"kind": value["k"], "id": value["i"], "name": value.get("n")}
    return value


def _actor_out(value: Any) -> Any:
    if isinstance(value, dict) and "kind" in value:
        return actor_value(Actor.model_validate(value))
    return value


def history_value(entry: HistoryEntry) -> dict[str, Any]:
    """One history entry as stored: short keys, the time in microseconds, nothing empty."""
    # The actor's kind, id and name sit in the entry itself (k, i, n).
    stored: dict[str, Any] = {"t": micros(entry.at), "a": entry.action, **actor_value(entry.actor)}
    if entry.from_status is not None:
        stored["f"] = entry.from_status.value
    if entry.to_status is not None:
        stored["o"] = entry.to_status.value
    if entry.reason is not None:
        stored["r"] = entry.reason
    if entry.details:
        stored["d"] = entry.details
    return stored


def _entry_in(value: Any) -> Any:
    if not isinstance(value, dict) or "at" in value:
        return value  # an entry written before this shape
    return {
        "at": _time_in(value["t"]),
        "action": value["a"],
        "actor": {"kind": value["k"], "id": value["i"], "name": value.get("n")},
        "from_status": value.get("f"),
        "to_status": value.get("o"),
        "reason": value.get("r"),
        "details": value.get("d") or {},
    }


def _entry_out(value: Any) -> Any:
    if isinstance(value, dict) and "at" in value:
        return history_value(HistoryEntry.model_validate(value))
    return value


def _line_in(value: Any) -> Any:
    if isinstance(value, dict) and "d" in value:
        return {"description": value["d"], "amount": value["a"]}
    return value


def _line_out(value: Any) -> Any:
    if isinstance(value, dict) and "description" in value:
        return {"d": value["description"], "a": value["amount"]}
    return value


def _each(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda values: [convert(v) for v in values] if isinstance(values, list) else values


# How each renamed field's value is stored (out) and read (in).
_OUT: dict[str, Callable[[Any], Any]] = {
    "created_at": _time_out,
    "published_at": _time_out,
    "voided_at": _time_out,
    "paid_at": _time_out,
    "created_by": _actor_out,
    "published_by": _actor_out,
    "history": _each(_entry_out),
    "line_items": _each(_line_out),
}
_IN: dict[str, Callable[[Any], Any]] = {
    "created_at": _time_in,
    "published_at": _time_in,
    "voided_at": _time_in,
    "paid_at": _time_in,
    "created_by": _actor_in,
    "published_by": _actor_in,
    "history": _each(_entry_in),
    "line_items": _each(_line_in),
}


def stored_value(field: str, value: Any) -> Any:
    """A field's value as the item stores it (for writes that set a renamed field)."""
    return _OUT.get(field, _same)(value)


def _same(value: Any) -> Any:
    return value


def stored_fields(values: dict[str, Any]) -> dict[str, Any]:
    """Domain values (``Invoice.model_dump(mode="json")``) as stored attributes."""
    stored: dict[str, Any] = {}
    for field, value in values.items():
        if value is None or (field in DEFAULTS and value == DEFAULTS[field]):
            continue
        stored[STORED_NAMES.get(field, field)] = stored_value(field, value)
    if "email_status" in values and values["email_status"] not in EMAIL_NOT_SHOWN:
        stored[EMAIL_SHOWN] = values["email_status"]
    return stored


def domain_fields(stored: dict[str, Any]) -> dict[str, Any]:
    """Stored attributes (either shape) as the domain's field values."""
    values: dict[str, Any] = {}
    for name, value in stored.items():
        field = FIELD_OF.get(name, name)
        if field in values and name == field and field in STORED_NAMES:
            continue  # a long-named leftover beside its short-named successor
        values[field] = _IN.get(field, _same)(value)
    if "history" in stored and "h" in stored:
        # An item written before this shape, changed since: its older entries, then the new.
        values["history"] = _IN["history"](stored["history"]) + _IN["history"](stored["h"])
    return values


def invoice_of(stored: dict[str, Any]) -> Invoice:
    """An invoice from its stored item (plain values, either shape)."""
    return Invoice.model_validate(domain_fields(stored))
