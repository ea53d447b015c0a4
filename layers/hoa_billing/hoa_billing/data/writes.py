"""The one way this layer writes to DynamoDB: a conditional request built from named
fields and values, never from hand-assembled expression strings.

``Update``, ``Put`` and ``Delete`` state what must be true *in DynamoDB, in the same
request* (never read-then-write); ``TableRepository`` sends them and turns a refused
condition into ``errors.Refused`` in one place. Every single-item write asks DynamoDB
to answer a refusal with the item as it stood, so the refusal explains itself without
a second read.

Fields are named as the domain names them. A table whose items store some attributes
under shorter names (every attribute name counts towards an item's size, and so towards
the write units each write costs) passes ``aliases`` when the request is built: the
stored name replaces the field's name in every expression, so code that writes a field
never needs to know how it is stored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from hoa_billing.data.items import to_attr, to_item

ReturnValues = Literal["ALL_NEW", "UPDATED_NEW", "NONE"]


class Write:
    """Names, values and conditions shared by every kind of write."""

    def __init__(self) -> None:
        self._conditions: list[str] = []
        self.names: dict[str, str] = {}
        self.values: dict[str, Any] = {}

    def _name(self, field: str) -> str:
        """``"payments.pi_1.state"`` names a nested map entry: one placeholder per part."""
        placeholders = []
        for part in field.split("."):
            if not re.fullmatch(r"\w+", part):
                raise ValueError(f"attribute path part {part!r} must be letters, digits or underscores")
            self.names[f"#{part}"] = part
            placeholders.append(f"#{part}")
        return ".".join(placeholders)

    def _value(self, value: Any) -> str:
        placeholder = f":v{len(self.values)}"
        self.values[placeholder] = to_attr(value)
        return placeholder

    def require(self, condition: str, **values: Any) -> Any:
        """Add a condition: ``{field}`` names an attribute (or a ``map.key`` path), ``:key``
        a value passed as ``key=``."""
        text = re.sub(r"\{([\w.]+)\}", lambda m: self._name(m.group(1)), condition)
        text = re.sub(r":(\w+)", lambda m: self._value(values[m.group(1)]), text)
        self._conditions.append(f"({text})")
        return self

    def require_in(self, field: str, allowed: Iterable[str]) -> Any:
        placeholders = ", ".join(self._value(str(s)) for s in sorted(allowed))
        self._conditions.append(f"({self._name(field)} IN ({placeholders}))")
        return self

    def require_absent(self, field: str) -> Any:
        self._conditions.append(f"(attribute_not_exists({self._name(field)}))")
        return self

    def require_present(self, field: str) -> Any:
        self._conditions.append(f"(attribute_exists({self._name(field)}))")
        return self

    def assigned(self, field: str) -> Any:
        """The value this write gives ``field`` (None when it gives none)."""
        return None

    def _common(self, table: str, aliases: Mapping[str, str] | None = None) -> dict[str, Any]:
        request: dict[str, Any] = {"TableName": table}
        if self.names:
            request["ExpressionAttributeNames"] = {
                placeholder: (aliases or {}).get(name, name) for placeholder, name in self.names.items()
            }
        if self.values:
            request["ExpressionAttributeValues"] = self.values
        if self._conditions:
            request["ConditionExpression"] = " AND ".join(self._conditions)
        return request


class Update(Write):
    def __init__(self) -> None:
        super().__init__()
        self._set: list[str] = []
        self._add: list[str] = []
        self._remove: list[str] = []
        self._assigned: dict[str, Any] = {}

    def set(self, field: str, value: Any) -> Update:
        if value is None:
            return self.remove(field)
        self._set.append(f"{self._name(field)} = {self._value(value)}")
        self._assigned[field] = value
        return self

    def assigned(self, field: str) -> Any:
        return self._assigned.get(field)

    def set_many(self, fields: dict[str, Any]) -> Update:
        for field, value in fields.items():
            self.set(field, value)
        return self

    def add(self, field: str, amount: int) -> Update:
        self._add.append(f"{self._name(field)} {self._value(amount)}")
        return self

    def append(self, field: str, entries: list[Any]) -> Update:
        name = self._name(field)
        empty = self._value([])
        self._set.append(f"{name} = list_append(if_not_exists({name}, {empty}), {self._value(entries)})")
        return self

    def remove(self, field: str) -> Update:
        self._remove.append(self._name(field))
        return self

    def request(
        self,
        table: str,
        key: dict[str, Any],
        *,
        returns: ReturnValues = "ALL_NEW",
        aliases: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """The UpdateItem request. ``returns``: the item as written (``ALL_NEW``), only
        the attributes this update wrote (``UPDATED_NEW``), or nothing (``NONE``), for a
        caller that does not look at the item. ``aliases``: stored names by field."""
        clauses = []
        if self._set:
            clauses.append("SET " + ", ".join(self._set))
        if self._add:
            clauses.append("ADD " + ", ".join(self._add))
        if self._remove:
            clauses.append("REMOVE " + ", ".join(self._remove))
        return {
            **self._common(table, aliases),
            "Key": to_item(key),
            "UpdateExpression": " ".join(clauses),
            "ReturnValues": returns,
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }


class Put(Write):
    def __init__(self, item: dict[str, Any]) -> None:
        super().__init__()
        self.item = item

    def request(self, table: str, aliases: Mapping[str, str] | None = None) -> dict[str, Any]:
        return {
            **self._common(table, aliases),
            "Item": to_item(self.item),
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }


class Delete(Write):
    def __init__(self, key: dict[str, Any]) -> None:
        super().__init__()
        self.key = key

    def request(self, table: str, aliases: Mapping[str, str] | None = None) -> dict[str, Any]:
        return {
            **self._common(table, aliases),
            "Key": to_item(self.key),
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }
