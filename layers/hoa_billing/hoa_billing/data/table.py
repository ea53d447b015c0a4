"""What every repository has: a table, the DynamoDB client that reaches it, and the one
place where a refused condition becomes ``errors.Refused``."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from hoa_billing.core.errors import Refused
from hoa_billing.data import aws
from hoa_billing.data.items import from_item, to_item
from hoa_billing.data.writes import Delete, Put, ReturnValues, Update

# Two transactions (or a transaction and a single write) on one item at the same moment:
# DynamoDB cancels one with ``TransactionConflict`` and nothing of it is written, so it
# is safe to send again. A few quick attempts with jitter, then the caller's own retry
# (SQS redelivery, the API's 503) takes over.
CONFLICT_ATTEMPTS = 5
CONFLICT_BACKOFF_S = 0.02


class TableRepository:
    """``client`` is the process's shared client unless one is injected (a test's fake,
    a fault-injecting wrapper). ``record_of`` turns a refused write's stored item into
    what ``Refused.current`` carries (the domain model, for tables that have one).
    ``aliases``: the stored names of fields the table keeps under shorter names."""

    aliases: ClassVar[Mapping[str, str]] = {}

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
        request = update.request(self.table_name, key, returns=returns, aliases=self.aliases)
        response = self._send("update_item", request)
        return from_item(response.get("Attributes", {}))

    def _put(self, put: Put) -> None:
        self._send("put_item", put.request(self.table_name, self.aliases))

    def _delete(self, delete: Delete) -> None:
        self._send("delete_item", delete.request(self.table_name, self.aliases))

    def _send(self, operation: str, request: dict[str, Any]) -> dict[str, Any]:
        client = self.client
        try:
            response: dict[str, Any] = getattr(client, operation)(**request)
        except client.exceptions.ConditionalCheckFailedException as refused:
            item = refused.response.get("Item")
            raise Refused(self.record_of(from_item(item)) if item else None) from refused
        return response

    def _transact(self, items: list[dict[str, Any]], *, explain: int | None = None) -> None:
        """One transaction. When a condition fails: ``Refused(position)`` of the first
        refused item, or, with ``explain``, ``Refused(record)`` of the item at that
        position as it stood (None if absent) whichever item refused: the transaction's
        other items are this write's bookkeeping, and the item tells why."""
        client = self.client
        for attempt in range(CONFLICT_ATTEMPTS):
            try:
                client.transact_write_items(TransactItems=items)
                return
            except client.exceptions.TransactionCanceledException as cancelled:
                reasons = cancelled.response.get("CancellationReasons", [])
                codes = [reason.get("Code") for reason in reasons]
                if "ConditionalCheckFailed" in codes:
                    if explain is None:
                        raise Refused(codes.index("ConditionalCheckFailed")) from cancelled
                    item = reasons[explain].get("Item") if explain < len(reasons) else None
                    raise Refused(self.record_of(from_item(item)) if item else None) from cancelled
                if "TransactionConflict" not in codes or attempt == CONFLICT_ATTEMPTS - 1:
                    raise
            time.sleep(CONFLICT_BACKOFF_S * (2**attempt) * random.uniform(0.5, 1.5))  # noqa: S311  # jitter, not a secret

    def _transaction_item(self, write: Update | Put | Delete, key: dict[str, Any] | None = None) -> dict[str, Any]:
        """One write as an item of a transaction (a refusal answers with the item as it stood)."""
        if isinstance(write, Update):
            assert key is not None
            request = write.request(self.table_name, key, aliases=self.aliases)
            kind = "Update"
        else:
            request = write.request(self.table_name, self.aliases)
            kind = "Put" if isinstance(write, Put) else "Delete"
        return {kind: {k: v for k, v in request.items() if k != "ReturnValues"}}

    # -- reads -------------------------------------------------------------------------

    def _get(self, key: dict[str, Any], *, consistent: bool = True) -> dict[str, Any] | None:
        item = self.client.get_item(TableName=self.table_name, Key=to_item(key), ConsistentRead=consistent).get("Item")
        return from_item(item) if item else None

    def _query_all(self, **request: Any) -> Iterator[dict[str, Any]]:
        for page in self.client.get_paginator("query").paginate(TableName=self.table_name, **request):
            for item in page["Items"]:
                yield from_item(item)
