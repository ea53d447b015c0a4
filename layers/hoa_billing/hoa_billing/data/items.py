"""Conversions between Python values and DynamoDB's typed attribute format."""

from __future__ import annotations

import base64
import binascii
import json
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from hoa_billing.core import json_input
from hoa_billing.core.errors import InvalidCursor, MalformedBody

# Cursors this API issues are a few hundred characters; a key attribute is an id.
MAX_CURSOR_CHARS = 4096
MAX_KEY_CHARS = 1024

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, set):
        return sorted(_plain(v) for v in value)
    return value


def to_attr(value: Any) -> dict[str, Any]:
    return _serializer.serialize(value)


def to_item(values: dict[str, Any]) -> dict[str, Any]:
    return {key: _serializer.serialize(value) for key, value in values.items() if value is not None}


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    return {key: _plain(_deserializer.deserialize(value)) for key, value in item.items()}


def encode_cursor(state: dict[str, Any]) -> str:
    raw = json.dumps(state, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def not_issued() -> InvalidCursor:
    return InvalidCursor("The cursor is not one this API issued. Start again without it.")


def decode_cursor(cursor: str, *, scope: str) -> dict[str, Any]:
    """Decode a cursor issued for ``scope``; anything else is the caller's mistake (400).
    Cursors are not signed: whoever reads one checks its parts (``start_key``)."""
    if len(cursor) > MAX_CURSOR_CHARS:
        raise not_issued()
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        state = json_input.parse_json(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error, UnicodeError, MalformedBody) as exc:
        raise not_issued() from exc
    if not isinstance(state, dict) or state.get("scope") != scope:
        raise InvalidCursor("The cursor belongs to a different listing. Start again without it.")
    return state


def start_key(value: Any, names: frozenset[str], **fixed: str) -> dict[str, Any]:
    """A key a cursor carried, as a Query's ExclusiveStartKey: exactly the attributes
    ``names``, each a short string, and those in ``fixed`` equal to what the query fixes
    (its partition). DynamoDB would refuse anything else with an error, not a page."""
    if not isinstance(value, dict) or set(value) != names:
        raise not_issued()
    if not all(isinstance(part, str) and 0 < len(part) <= MAX_KEY_CHARS for part in value.values()):
        raise not_issued()
    if any(value[name] != wanted for name, wanted in fixed.items()):
        raise not_issued()
    return value
