"""The invoices table.

Key design (see docs/data-model.md for the reasons):

* Base table: ``invoice_id``. Ids are random-suffixed ULIDs, so writes spread over
  every partition however large one property is.
* ``ByPropertyStatus``: ``gsi_status_pk = "{property_id}#{shard}"``,
  ``gsi_status_sk = "{status}#{invoice_id}"``. A property's invoices are spread over
  ``STATUS_SHARDS`` index partitions, so a bulk publish of one large property is not
  capped by one hot partition; a listing merges the shards.
* ``ByResident``: ``gsi_portal_pk = resident_id``, ``gsi_portal_sk = invoice_id``,
  written only by the publish transition. Drafts are not in this index, so the
  resident portal, which reads only through it, cannot return a draft.
* ``OpenByDueDate``: ``gsi_due_pk = "OPEN#{shard}"``, ``gsi_due_sk = "{due_date}#{id}"``,
  present only while an invoice is Open: the overdue sweep reads just what may be due.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from hoa_billing.dal.items import decode_cursor, encode_cursor, from_item, to_attr, to_item
from hoa_billing.dal.table import TableRepository
from hoa_billing.dal.update import ReturnValues, Update
from hoa_billing.models import HistoryEntry, Invoice, InvoiceStatus

STATUS_SHARDS = 8
DUE_SHARDS = 8
STATUS_INDEX = "ByPropertyStatus"
PORTAL_INDEX = "ByResident"
DUE_INDEX = "OpenByDueDate"
# The lifecycle order in which an unfiltered listing shows its groups.
LISTING_ORDER = (
    InvoiceStatus.DRAFT,
    InvoiceStatus.OPEN,
    InvoiceStatus.OVERDUE,
    InvoiceStatus.PAID,
    InvoiceStatus.VOID,
)

_pool = ThreadPoolExecutor(max_workers=STATUS_SHARDS, thread_name_prefix="shard-query")


class ConditionFailed(Exception):
    """A conditional write was refused; ``current`` is the item as it stood (None if absent)."""

    def __init__(self, current: Invoice | None) -> None:
        super().__init__("condition failed")
        self.current = current


def shard_of(invoice_id: str, shards: int = STATUS_SHARDS) -> int:
    return int.from_bytes(hashlib.blake2b(invoice_id.encode(), digest_size=2).digest(), "big") % shards


def status_keys(property_id: str, invoice_id: str, status: InvoiceStatus) -> dict[str, str]:
    return {
        "gsi_status_pk": f"{property_id}#{shard_of(invoice_id)}",
        "gsi_status_sk": f"{status}#{invoice_id}",
    }


def due_keys(invoice_id: str, due_date: str) -> dict[str, str]:
    return {
        "gsi_due_pk": f"OPEN#{shard_of(invoice_id, DUE_SHARDS)}",
        "gsi_due_sk": f"{due_date}#{invoice_id}",
    }


def history_value(entry: HistoryEntry) -> dict[str, Any]:
    return entry.model_dump(mode="json", exclude_none=True)


def invoice_from_item(item: dict[str, Any]) -> Invoice:
    return Invoice.model_validate(from_item(item))


class InvoiceRepository(TableRepository):
    # -- single items -------------------------------------------------------------

    def put_new(self, invoice: Invoice) -> None:
        values = invoice.model_dump(mode="json", exclude_none=True)
        values.update(status_keys(invoice.property_id, invoice.invoice_id, invoice.status))
        self.client.put_item(
            TableName=self.table_name,
            Item=to_item(values),
            ConditionExpression="attribute_not_exists(invoice_id)",
        )

    def get(self, invoice_id: str) -> Invoice | None:
        response = self.client.get_item(
            TableName=self.table_name, Key={"invoice_id": to_attr(invoice_id)}, ConsistentRead=True
        )
        item = response.get("Item")
        return invoice_from_item(item) if item else None

    def apply(self, invoice_id: str, update: Update) -> Invoice:
        """Run one conditional update; raise ``ConditionFailed`` with the current item."""
        return invoice_from_item(self._update(invoice_id, update, "ALL_NEW")["Attributes"])

    def write(self, invoice_id: str, update: Update) -> None:
        """``apply`` for a caller that does not need the invoice as written: DynamoDB
        answers without the item (less to send, nothing to parse). A refusal still
        raises ``ConditionFailed`` with the current item."""
        self._update(invoice_id, update, "NONE")

    def apply_updated(self, invoice_id: str, update: Update) -> dict[str, Any]:
        """``apply`` answered with only the attributes the update wrote, as plain values."""
        return from_item(self._update(invoice_id, update, "UPDATED_NEW").get("Attributes", {}))

    def _update(self, invoice_id: str, update: Update, returns: ReturnValues) -> dict[str, Any]:
        client = self.client
        try:
            response: dict[str, Any] = client.update_item(
                **update.request(self.table_name, {"invoice_id": invoice_id}, returns=returns)
            )
        except client.exceptions.ConditionalCheckFailedException as exc:
            item = exc.response.get("Item")
            raise ConditionFailed(invoice_from_item(item) if item else None) from exc
        return response

    def delete_draft(self, invoice_id: str, property_id: str) -> None:
        client = self.client
        try:
            client.delete_item(
                TableName=self.table_name,
                Key={"invoice_id": to_attr(invoice_id)},
                ConditionExpression="#s = :draft AND property_id = :p",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={":draft": to_attr(InvoiceStatus.DRAFT.value), ":p": to_attr(property_id)},
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except client.exceptions.ConditionalCheckFailedException as exc:
            item = exc.response.get("Item")
            raise ConditionFailed(invoice_from_item(item) if item else None) from exc

    # -- a property's invoices by status -------------------------------------------

    def list_for_property(
        self, property_id: str, status: InvoiceStatus | None, limit: int, cursor: str | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page, newest first within a status; statuses in lifecycle order when unfiltered."""
        statuses = [status] if status else list(LISTING_ORDER)
        scope = f"{property_id}|{status or '*'}"
        state: dict[str, Any] = decode_cursor(cursor, scope=scope) if cursor else {"scope": scope, "group": 0}
        group: int = state.get("group", 0)
        positions: dict[str, Any] = state.get("shards", {})
        rows: list[dict[str, Any]] = []
        while group < len(statuses) and len(rows) < limit:
            page, positions = self._merge_shards(property_id, statuses[group], limit - len(rows), positions)
            rows.extend(page)
            if all(positions.get(str(shard)) == "done" for shard in range(STATUS_SHARDS)):
                group, positions = group + 1, {}
        if group >= len(statuses):
            return rows, None
        return rows, encode_cursor({"scope": scope, "group": group, "shards": positions})

    def _merge_shards(
        self, property_id: str, status: InvoiceStatus, want: int, positions: dict[str, Any]
    ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        live = [shard for shard in range(STATUS_SHARDS) if positions.get(str(shard)) != "done"]

        def query(shard: int) -> tuple[list[dict[str, Any]], bool]:
            request = self._status_query(property_id, shard, status, ScanIndexForward=False, Limit=want)
            start = positions.get(str(shard))
            if start:
                request["ExclusiveStartKey"] = to_item(start)
            response = self.client.query(**request)
            return [from_item(item) for item in response["Items"]], "LastEvaluatedKey" in response

        results = dict(zip(live, _pool.map(query, live), strict=True))
        candidates = sorted(
            ((row["gsi_status_sk"], shard, row) for shard, (found, _) in results.items() for row in found),
            key=lambda entry: entry[0],
            reverse=True,
        )[:want]
        new_positions = dict(positions)
        for shard, (found, more) in results.items():
            taken = [row for _, s, row in candidates if s == shard]
            if len(taken) == len(found) and not more:
                new_positions[str(shard)] = "done"
            elif taken:
                last = taken[-1]
                new_positions[str(shard)] = {key: last[key] for key in ("invoice_id", "gsi_status_pk", "gsi_status_sk")}
        return [row for _, _, row in candidates], new_positions

    def _status_query(self, property_id: str, shard: int, status: InvoiceStatus | None, **more: Any) -> dict[str, Any]:
        """A Query of one shard of a property's status index, optionally of one status;
        ``more`` adds request parameters."""
        condition = "gsi_status_pk = :pk"
        values = {":pk": to_attr(f"{property_id}#{shard}")}
        if status:
            condition += " AND begins_with(gsi_status_sk, :prefix)"
            values[":prefix"] = to_attr(f"{status}#")
        return {
            "TableName": self.table_name,
            "IndexName": STATUS_INDEX,
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": values,
            **more,
        }

    def scan_property(
        self, property_id: str, fields: list[str], status: InvoiceStatus | None = None
    ) -> Iterator[dict[str, Any]]:
        """Every index row of a property (optionally one status), all shards, all pages."""
        names = {f"#f{i}": name for i, name in enumerate(fields)}

        def read_shard(shard: int) -> list[dict[str, Any]]:
            query = self._status_query(
                property_id, shard, status, ExpressionAttributeNames=names, ProjectionExpression=", ".join(names)
            )
            return list(self._paginate(**query))

        for rows in _pool.map(read_shard, range(STATUS_SHARDS)):
            yield from rows

    def count_property(self, property_id: str, status: InvoiceStatus) -> int:
        """How many index rows of a property (one status) there are, all shards: DynamoDB
        counts, and answers with the number only."""

        def count_shard(shard: int) -> int:
            pages = self.client.get_paginator("query").paginate(
                **self._status_query(property_id, shard, status, Select="COUNT")
            )
            return sum(int(page["Count"]) for page in pages)

        return sum(_pool.map(count_shard, range(STATUS_SHARDS)))

    def drafts_page(
        self, property_id: str, shard: int, start_key: dict[str, Any] | None, limit: int
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """One page of one shard's drafts, for a bulk publish that resumes where it stopped:
        each row is what the publish transition needs (invoice id, resident, due date)."""
        request = self._status_query(
            property_id,
            shard,
            InvoiceStatus.DRAFT,
            ProjectionExpression="invoice_id, resident_id, due_date",
            Limit=limit,
        )
        if start_key:
            request["ExclusiveStartKey"] = to_item(start_key)
        response = self.client.query(**request)
        last = response.get("LastEvaluatedKey")
        return [from_item(item) for item in response["Items"]], (from_item(last) if last else None)

    # -- the resident portal (published invoices only, by construction) -------------

    def list_for_resident(self, resident_id: str, limit: int, cursor: str | None) -> tuple[list[Invoice], str | None]:
        scope = f"resident|{resident_id}"
        request: dict[str, Any] = {
            "TableName": self.table_name,
            "IndexName": PORTAL_INDEX,
            "KeyConditionExpression": "gsi_portal_pk = :r",
            "ExpressionAttributeValues": {":r": to_attr(resident_id)},
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if cursor:
            request["ExclusiveStartKey"] = to_item(decode_cursor(cursor, scope=scope)["key"])
        response = self.client.query(**request)
        last = response.get("LastEvaluatedKey")
        next_cursor = encode_cursor({"scope": scope, "key": from_item(last)}) if last else None
        return [invoice_from_item(item) for item in response["Items"]], next_cursor

    def get_for_resident(self, resident_id: str, invoice_id: str) -> Invoice | None:
        response = self.client.query(
            TableName=self.table_name,
            IndexName=PORTAL_INDEX,
            KeyConditionExpression="gsi_portal_pk = :r AND gsi_portal_sk = :i",
            ExpressionAttributeValues={":r": to_attr(resident_id), ":i": to_attr(invoice_id)},
        )
        items = response["Items"]
        return invoice_from_item(items[0]) if items else None

    # -- open invoices by due date ----------------------------------------------------

    def open_due_before(self, day_exclusive: str) -> Iterator[dict[str, Any]]:
        """Open invoices whose due date sorts before ``day_exclusive`` (YYYY-MM-DD)."""
        for shard in range(DUE_SHARDS):
            yield from self._paginate(
                TableName=self.table_name,
                IndexName=DUE_INDEX,
                KeyConditionExpression="gsi_due_pk = :pk AND gsi_due_sk < :day",
                ExpressionAttributeValues={":pk": to_attr(f"OPEN#{shard}"), ":day": to_attr(day_exclusive)},
            )

    def _paginate(self, **request: Any) -> Iterator[dict[str, Any]]:
        paginator: Callable[..., Any] = self.client.get_paginator("query").paginate
        for page in paginator(**request):
            for item in page["Items"]:
                yield from_item(item)


# -- transitions ------------------------------------------------------------------------
# Each is one conditional UpdateItem; the status guard is evaluated by DynamoDB.


def publish_update(
    *,
    invoice_id: str,
    property_id: str,
    resident_id: str,
    due_date: str,
    fields: dict[str, Any],
    history: HistoryEntry,
) -> Update:
    """Draft -> Open. The resident and due date are part of the condition, so the index
    attributes written here always agree with the item they index."""
    return (
        Update()
        .set("status", InvoiceStatus.OPEN.value)
        .set_many(status_keys(property_id, invoice_id, InvoiceStatus.OPEN))
        .set("gsi_portal_pk", resident_id)
        .set("gsi_portal_sk", invoice_id)
        .set_many(due_keys(invoice_id, due_date))
        .set_many(fields)
        .append("history", [history_value(history)])
        .add("version", 1)
        .require(
            "{status} = :draft AND {property_id} = :p AND {resident_id} = :r AND {due_date} = :d",
            draft=InvoiceStatus.DRAFT.value,
            p=property_id,
            r=resident_id,
            d=due_date,
        )
    )


def leave_open_update(
    *,
    invoice_id: str,
    property_id: str,
    to_status: InvoiceStatus,
    from_statuses: frozenset[InvoiceStatus],
    fields: dict[str, Any],
    history: HistoryEntry,
) -> Update:
    """Open/Overdue -> Void, Paid or Overdue: the invoice leaves the due-date index."""
    return (
        Update()
        .set("status", to_status.value)
        .set_many(status_keys(property_id, invoice_id, to_status))
        .remove("gsi_due_pk")
        .remove("gsi_due_sk")
        .set_many(fields)
        .append("history", [history_value(history)])
        .add("version", 1)
        .require_status_in({s.value for s in from_statuses})
        .require("{property_id} = :p", p=property_id)
    )
