"""The properties table: each property's profile and its residents, under one partition.

``pk = property_id``; ``sk = "PROPERTY"`` for the profile (name, time zone, currency,
the invoice number sequence) and ``sk = "RESIDENT#{resident_id}"`` for each resident.
Listing a property's residents is one Query; one resident is one GetItem.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from hoa_billing.dal.items import decode_cursor, encode_cursor, from_item, to_attr, to_item
from hoa_billing.dal.table import TableRepository
from hoa_billing.models import Property, Resident

PROFILE = "PROPERTY"
RESIDENT_PREFIX = "RESIDENT#"


class DirectoryRepository(TableRepository):
    def _key(self, property_id: str, sk: str) -> dict[str, Any]:
        return {"pk": to_attr(property_id), "sk": to_attr(sk)}

    def put_property(self, prop: Property) -> None:
        self.client.put_item(
            TableName=self.table_name,
            Item=to_item({"pk": prop.property_id, "sk": PROFILE, **prop.model_dump(mode="json")}),
        )

    def get_property(self, property_id: str) -> Property | None:
        item = self.client.get_item(TableName=self.table_name, Key=self._key(property_id, PROFILE)).get("Item")
        return Property.model_validate(from_item(item)) if item else None

    def next_invoice_number(self, property_id: str) -> tuple[int, Property] | None:
        """Atomically take the property's next invoice sequence number (None: no such property).

        One UpdateItem with ADD: two concurrent creates can never get the same number.
        A create that fails after this leaves a gap, never a duplicate.
        """
        client = self.client
        try:
            response = client.update_item(
                TableName=self.table_name,
                Key=self._key(property_id, PROFILE),
                UpdateExpression="ADD invoice_sequence :one",
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeValues={":one": to_attr(1)},
                ReturnValues="ALL_NEW",
            )
        except client.exceptions.ConditionalCheckFailedException:
            return None
        values = from_item(response["Attributes"])
        return int(values["invoice_sequence"]), Property.model_validate(values)

    def put_resident(self, resident: Resident) -> None:
        values = {"pk": resident.property_id, "sk": RESIDENT_PREFIX + resident.resident_id}
        self.client.put_item(
            TableName=self.table_name,
            Item=to_item(values | resident.model_dump(mode="json")),
            ConditionExpression="attribute_not_exists(pk)",
        )

    def get_resident(self, property_id: str, resident_id: str) -> Resident | None:
        item = self.client.get_item(
            TableName=self.table_name, Key=self._key(property_id, RESIDENT_PREFIX + resident_id)
        ).get("Item")
        return Resident.model_validate(from_item(item)) if item else None

    def list_residents(self, property_id: str, limit: int, cursor: str | None) -> tuple[list[Resident], str | None]:
        scope = f"residents|{property_id}"
        request: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "pk = :p AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": {":p": to_attr(property_id), ":prefix": to_attr(RESIDENT_PREFIX)},
            "Limit": limit,
        }
        if cursor:
            request["ExclusiveStartKey"] = to_item(decode_cursor(cursor, scope=scope)["key"])
        response = self.client.query(**request)
        last = response.get("LastEvaluatedKey")
        residents = [Resident.model_validate(from_item(item)) for item in response["Items"]]
        return residents, (encode_cursor({"scope": scope, "key": from_item(last)}) if last else None)

    def all_residents(self, property_id: str) -> Iterable[Resident]:
        paginator = self.client.get_paginator("query")
        for page in paginator.paginate(
            TableName=self.table_name,
            KeyConditionExpression="pk = :p AND begins_with(sk, :prefix)",
            ExpressionAttributeValues={":p": to_attr(property_id), ":prefix": to_attr(RESIDENT_PREFIX)},
        ):
            for item in page["Items"]:
                yield Resident.model_validate(from_item(item))
