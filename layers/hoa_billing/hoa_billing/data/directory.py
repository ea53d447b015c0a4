"""The properties table: each property's profile and its residents, under one partition.

``pk = property_id``; ``sk = "PROPERTY"`` for the profile (name, time zone, currency,
the invoice number sequence) and ``sk = "RESIDENT#{resident_id}"`` for each resident.
Listing a property's residents is one Query; one resident is one GetItem.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hoa_billing.core.changes import PropertyChange, ResidentChange
from hoa_billing.core.errors import Refused
from hoa_billing.core.models import Property, Resident
from hoa_billing.data.items import decode_cursor, encode_cursor, from_item, start_key, to_item
from hoa_billing.data.table import TableRepository
from hoa_billing.data.writes import Put, Update

PROFILE = "PROPERTY"
RESIDENT_PREFIX = "RESIDENT#"
# Only property profiles carry ``kind``: the sparse ``ByKind`` index lists every property.
KIND_INDEX = "ByKind"
PROPERTY_KIND = "property"


def _resident_key(property_id: str, resident_id: str) -> dict[str, str]:
    return {"pk": property_id, "sk": RESIDENT_PREFIX + resident_id}


def _profile(prop: Property) -> dict[str, Any]:
    return {"pk": prop.property_id, "sk": PROFILE, "kind": PROPERTY_KIND, **prop.model_dump(mode="json")}


class DynamoDirectory(TableRepository):
    def put_property(self, prop: Property) -> None:
        self._put(Put(_profile(prop)))

    def create_property(self, prop: Property) -> None:
        """A new property; ``Refused`` when one with this id exists."""
        self._put(Put(_profile(prop)).require_absent("pk"))

    def get_property(self, property_id: str) -> Property | None:
        values = self._get({"pk": property_id, "sk": PROFILE}, consistent=False)
        return Property.model_validate(values) if values else None

    def update_property(self, property_id: str, change: PropertyChange) -> Property:
        """The property's new settings; ``Refused`` when there is no such property."""
        fields = {f: getattr(change, f) for f in ("name", "time_zone", "sender_name", "reply_to_email")}
        fields = {f: value for f, value in fields.items() if value is not None}
        if not fields and not change.clear_reply_to:
            current = self.get_property(property_id)
            if current is None:
                raise Refused(None)
            return current
        update = Update().set_many(fields).require_present("pk")
        if change.clear_reply_to:
            update.remove("reply_to_email")
        values = self._update({"pk": property_id, "sk": PROFILE}, update, "ALL_NEW")
        return Property.model_validate(values)

    def get_properties(self, property_ids: list[str]) -> list[Property]:
        """The profiles of these properties that exist, in the order given (at most 100)."""
        if not property_ids:
            return []
        keys = [to_item({"pk": pid, "sk": PROFILE}) for pid in property_ids[:100]]
        request: dict[str, Any] = {self.table_name: {"Keys": keys}}
        found: dict[str, Property] = {}
        while request:
            response = self.client.batch_get_item(RequestItems=request)
            for item in response.get("Responses", {}).get(self.table_name, []):
                prop = Property.model_validate(from_item(item))
                found[prop.property_id] = prop
            request = response.get("UnprocessedKeys") or {}
        return [found[pid] for pid in property_ids if pid in found]

    def list_properties(self, limit: int, cursor: str | None) -> tuple[list[Property], str | None]:
        """Every property, by id (the platform administrator's view)."""
        scope = "properties"
        request: dict[str, Any] = {
            "TableName": self.table_name,
            "IndexName": KIND_INDEX,
            "KeyConditionExpression": "#kind = :kind",
            "ExpressionAttributeNames": {"#kind": "kind"},
            "ExpressionAttributeValues": {":kind": {"S": PROPERTY_KIND}},
            "Limit": limit,
        }
        if cursor:
            request["ExclusiveStartKey"] = to_item(decode_cursor(cursor, scope=scope)["key"])
        response = self.client.query(**request)
        last = response.get("LastEvaluatedKey")
        props = [Property.model_validate(from_item(item)) for item in response["Items"]]
        return props, (encode_cursor({"scope": scope, "key": from_item(last)}) if last else None)

    def all_property_ids(self) -> Iterator[str]:
        """Every property's id (the sparse kind index, page by page)."""
        for values in self._query_all(
            IndexName=KIND_INDEX,
            KeyConditionExpression="#kind = :kind",
            ExpressionAttributeNames={"#kind": "kind"},
            ExpressionAttributeValues={":kind": {"S": PROPERTY_KIND}},
        ):
            yield str(values["pk"])

    def next_invoice_number(self, property_id: str) -> tuple[int, Property] | None:
        """Atomically take the property's next invoice sequence number (None: no such property).

        One UpdateItem with ADD: two concurrent creates can never get the same number.
        A create that fails after this leaves a gap, never a duplicate.
        """
        update = Update().add("invoice_sequence", 1).require_present("pk")
        try:
            values = self._update({"pk": property_id, "sk": PROFILE}, update, "ALL_NEW")
        except Refused:
            return None
        return int(values["invoice_sequence"]), Property.model_validate(values)

    def add_resident(self, resident: Resident) -> None:
        key = _resident_key(resident.property_id, resident.resident_id)
        self._put(Put(key | resident.model_dump(mode="json")).require_absent("pk"))

    def get_resident(self, property_id: str, resident_id: str) -> Resident | None:
        values = self._get(_resident_key(property_id, resident_id), consistent=False)
        return Resident.model_validate(values) if values else None

    def list_residents(self, property_id: str, limit: int, cursor: str | None) -> tuple[list[Resident], str | None]:
        scope = f"residents|{property_id}"
        request: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "pk = :p AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": {":p": {"S": property_id}, ":prefix": {"S": RESIDENT_PREFIX}},
            "Limit": limit,
        }
        if cursor:
            key = start_key(decode_cursor(cursor, scope=scope).get("key"), frozenset({"pk", "sk"}), pk=property_id)
            request["ExclusiveStartKey"] = to_item(key)
        response = self.client.query(**request)
        last = response.get("LastEvaluatedKey")
        residents = [Resident.model_validate(from_item(item)) for item in response["Items"]]
        return residents, (encode_cursor({"scope": scope, "key": from_item(last)}) if last else None)

    def all_residents(self, property_id: str) -> Iterator[Resident]:
        for values in self._query_all(
            KeyConditionExpression="pk = :p AND begins_with(sk, :prefix)",
            ExpressionAttributeValues={":p": {"S": property_id}, ":prefix": {"S": RESIDENT_PREFIX}},
        ):
            yield Resident.model_validate(values)

    def resident_units(self, property_id: str) -> dict[str, str]:
        """Each resident's unit, by resident id (one query of the property's residents)."""
        rows = self._query_all(
            KeyConditionExpression="pk = :p AND begins_with(sk, :prefix)",
            ExpressionAttributeValues={":p": {"S": property_id}, ":prefix": {"S": RESIDENT_PREFIX}},
            ProjectionExpression="resident_id, #unit",
            ExpressionAttributeNames={"#unit": "unit"},
        )
        return {str(row["resident_id"]): str(row.get("unit", "")) for row in rows}

    def update_resident(self, property_id: str, resident_id: str, change: ResidentChange) -> Resident:
        """The resident's new profile; a changed address clears the bouncing mark.
        ``Refused`` when there is no such resident."""
        update = Update().require_present("pk")
        if change.name is not None:
            update.set("name", change.name)
        if change.unit is not None:
            update.set("unit", change.unit)
        if change.email is not None:
            update.set("email", change.email)
        elif change.clear_email:
            update.remove("email")
        if change.email_changes:
            update.set("email_bouncing", False)
        update.append("history", [change.entry.model_dump(mode="json", exclude_none=True)]).add("version", 1)
        values = self._update(_resident_key(property_id, resident_id), update, "ALL_NEW")
        return Resident.model_validate(values)

    def mark_address_bouncing(self, property_id: str, resident_id: str, address: str) -> bool:
        """Flag the resident's address as bouncing, only if it is still the address that bounced."""
        update = Update().set("email_bouncing", True).require("{email} = :address", address=address)
        try:
            self._update(_resident_key(property_id, resident_id), update)
        except Refused:
            return False
        return True
