"""What every repository has: a table, the DynamoDB client that reaches it, and the one
place where a refused condition becomes ``errors.Refused``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hoa_billing.core.errors import Refused
from hoa_billing.data import aws
from hoa_billing.data.items import from_item, to_item
from hoa_billing.data.writes import Delete, Put, ReturnValues, Update


class TableRepository:
    """``client`` is the process's shared client unless one is injected (a test's fake,
    a fault-injecting wrapper). ``record_of`` turns a refused write's stored item into
    what ``Refused.current`` carries (the domain model, for tables that have one)."""

    @staticmethod
    def record_of(values: dict[str, Any]) -> Any:
        return values

    def __init__(self, table_name: str, client: Any | None = None) -> None:
        self.table_name = table_name
        self._client = client

    @property
    def client(self) -> Any:
        return self._client or aws.client("dynamodb")

    # -- writes ------------------------------------------------------------------------

    def _update(self, key: dict[str, Any], update: Update, returns: ReturnValues = "NONE") -> dict[str, Any]:
        """Send the update; the attributes DynamoDB returned, as plain values."""
        response = self._send("update_item", update.request(self.table_name, key, returns=returns))
        return from_item(response.get("Attributes", {}))

    def _put(self, put: Put) -> None:
        self._send("put_item", put.request(self.table_name))

    def _delete(self, delete: Delete) -> None:
        self._send("delete_item", delete.request(self.table_name))

    def _send(self, operation: str, request: dict[str, Any]) -> dict[str, Any]:
        client = self.client
        try:
            response: dict[str, Any] = getattr(client, operation)(**request)
        except client.exceptions.ConditionalCheckFailedException as refused:
            item = refused.response.get("Item")
            raise Refused(self.record_of(from_item(item)) if item else None) from refused
        return response

    def _transact(self, items: list[dict[str, Any]]) -> None:
        """One transaction; refused (``Refused(index)``, the first refused item's position)
        when any condition fails."""
        client = self.client
        try:
            client.transact_write_items(TransactItems=items)
        except client.exceptions.TransactionCanceledException as cancelled:
            reasons = cancelled.response.get("CancellationReasons", [])
            for index, reason in enumerate(reasons):
                if reason.get("Code") == "ConditionalCheckFailed":
                    raise Refused(index) from cancelled
            raise

    # -- reads -------------------------------------------------------------------------

    def _get(self, key: dict[str, Any], *, consistent: bool = True) -> dict[str, Any] | None:
        item = self.client.get_item(TableName=self.table_name, Key=to_item(key), ConsistentRead=consistent).get("Item")
        return from_item(item) if item else None

    def _query_all(self, **request: Any) -> Iterator[dict[str, Any]]:
        for page in self.client.get_paginator("query").paginate(TableName=self.table_name, **request):
            for item in page["Items"]:
                yield from_item(item)
