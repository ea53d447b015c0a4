"""Reading many invoices: a property's by status (the sharded listing index), a resident's
published ones (the portal index, which drafts are never in), a property's counts, and
the Open invoices the overdue sweep may move.

Cursors and positions handed out here are opaque to callers: base64 JSON that names the
listing it belongs to, refused (400) anywhere else.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from hoa_billing.core import lifecycle
from hoa_billing.core.models import (
    DraftAmount,
    DraftRef,
    DueInvoice,
    EmailStatus,
    Invoice,
    InvoiceListing,
    InvoiceStatus,
    ResidentInvoiceRow,
    StatusTotals,
)
from hoa_billing.core.observability import logger
from hoa_billing.data.counters import DRAFT_TOTAL, counts_key
from hoa_billing.data.invoice_shape import EMAIL_SHOWN
from hoa_billing.data.invoices import (
    PORTAL_INDEX,
    STATUS_INDEX,
    STATUS_SHARDS,
    InvoiceTable,
    status_of_index_row,
    status_pk,
)
from hoa_billing.data.items import decode_cursor, encode_cursor, from_item, not_issued, start_key, to_item
from hoa_billing.data.writes import Put

DONE = "done"
STATUS_KEY = frozenset({"invoice_id", "gsi_status_pk", "gsi_status_sk"})
PORTAL_KEY = frozenset({"invoice_id", "gsi_portal_pk"})


def _stream_positions(value: Any, property_id: str, statuses: list[InvoiceStatus]) -> dict[str, Any]:
    """Where each stream (status and shard) of a listing stands, as a cursor carried it:
    only this listing's streams, each done or a key of its own partition and status."""
    streams = {f"{status}|{shard}": (status, shard) for status in statuses for shard in range(STATUS_SHARDS)}
    if not isinstance(value, dict) or not set(value) <= set(streams):
        raise not_issued()
    positions: dict[str, Any] = {}
    for stream, position in value.items():
        status, shard = streams[stream]
        if position == DONE:
            positions[stream] = DONE
            continue
        key = start_key(position, STATUS_KEY, gsi_status_pk=status_pk(property_id, shard))
        if not str(key["gsi_status_sk"]).startswith(f"{status}#"):
            raise not_issued()
        positions[stream] = key
    return positions


def _shard_positions(value: Any, property_id: str) -> dict[str, Any]:
    """Where each shard of a property's status index stands, as a cursor carried it."""
    if not isinstance(value, dict) or not set(value) <= {str(shard) for shard in range(STATUS_SHARDS)}:
        raise not_issued()
    return {
        shard: DONE
        if position == DONE
        else start_key(position, STATUS_KEY, gsi_status_pk=status_pk(property_id, int(shard)))
        for shard, position in value.items()
    }


_pool = ThreadPoolExecutor(max_workers=STATUS_SHARDS, thread_name_prefix="shard-query")
# What the listing index projects, by field (the rest of a row is its keys).
_LISTED = ("number", "resident_id", "resident_name", "amount_due", "amount_paid", "currency", "due_date")


# Rows read per stream per round while searching (the search filters what it reads).
SEARCH_READ = 200
_NUMBER = re.compile(r"^(?:INV-)?0*(\d{1,9})$", re.IGNORECASE)


def _matcher(search: str | None, email: EmailStatus | None) -> Any:
    """What a search finds: an invoice number (``INV-00012``, ``12``), else part of the
    resident's name, ignoring case; and, with ``email``, only invoices in that email
    state. None: everything."""
    tests = []
    if search:
        number = _NUMBER.match(search.strip())
        if number:
            wanted = f"INV-{int(number.group(1)):05d}"
            tests.append(lambda row: row.get("number") == wanted)
        else:
            needle = search.strip().casefold()
            tests.append(lambda row: needle in str(row.get("resident_name", "")).casefold())
    if email is not None:
        tests.append(lambda row: row.get(EMAIL_SHOWN, EmailStatus.NOT_REQUESTED.value) == email.value)
    if not tests:
        return None
    return lambda row: all(test(row) for test in tests)


def _index_key(row: dict[str, Any]) -> dict[str, Any]:
    return {key: row[key] for key in ("invoice_id", "gsi_status_pk", "gsi_status_sk")}


def _listing(row: dict[str, Any]) -> InvoiceListing:
    values = {key: row[key] for key in _LISTED if key in row}
    values["invoice_id"] = row["invoice_id"]
    values["status"] = status_of_index_row(row)
    if EMAIL_SHOWN in row:
        values["email_status"] = row[EMAIL_SHOWN]
    elif "email_status" in row:  # an entry of an invoice written before the listing copy
        values["email_status"] = row["email_status"]
    return InvoiceListing.model_validate(values)


class DynamoInvoiceListings(InvoiceTable):
    # -- a property's invoices -----------------------------------------------------

    def page(
        self,
        property_id: str,
        status: InvoiceStatus | None,
        limit: int,
        cursor: str | None,
        search: str | None = None,
        email: EmailStatus | None = None,
    ) -> tuple[list[InvoiceListing], str | None]:
        """One page of a property's invoices, newest first (across statuses when not
        filtered by one), optionally only those ``search`` finds (an invoice number such as
        ``INV-00012`` or ``12``, or part of the resident's name), and with ``email`` only
        those in that email state (among Open and Overdue, unless ``status`` says which).

        The index keeps each status apart (``{status}#{invoice_id}`` in each shard), so a
        page merges one stream per status and shard by invoice id, which sorts by creation
        time. The cursor remembers where each stream stands."""
        if status:
            statuses = [status]
        elif email is not None:
            statuses = [s for s in lifecycle.ORDER if s in lifecycle.EMAILABLE]
        else:
            statuses = list(lifecycle.ORDER)
        scope = f"{property_id}|{status or '*'}|{search or ''}" + (f"|{email}" if email else "")
        positions = (
            _stream_positions(decode_cursor(cursor, scope=scope).get("streams"), property_id, statuses)
            if cursor
            else {}
        )
        matches = _matcher(search, email)
        rows: list[dict[str, Any]] = []
        streams = [f"{s}|{shard}" for s in statuses for shard in range(STATUS_SHARDS)]
        while len(rows) < limit and any(positions.get(stream) != DONE for stream in streams):
            taken, positions = self._merge(property_id, streams, limit - len(rows), positions, matches)
            rows.extend(taken)
        listings = [_listing(row) for row in rows]
        if all(positions.get(stream) == DONE for stream in streams):
            return listings, None
        return listings, encode_cursor({"scope": scope, "streams": positions})

    def _merge(
        self,
        property_id: str,
        streams: list[str],
        want: int,
        positions: dict[str, Any],
        matches: Any,
    ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """The next ``want`` rows across the streams, newest first, and where each stream
        stands after them."""
        live = [stream for stream in streams if positions.get(stream) != DONE]
        read_size = want if matches is None else max(want, SEARCH_READ)

        def query(stream: str) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
            status, shard = stream.split("|")
            request = self._status_query(
                property_id, int(shard), InvoiceStatus(status), ScanIndexForward=False, Limit=read_size
            )
            start = positions.get(stream)
            if start:
                request["ExclusiveStartKey"] = to_item(start)
            response = self.client.query(**request)
            last = response.get("LastEvaluatedKey")
            return [from_item(item) for item in response["Items"]], (from_item(last) if last else None)

        results = dict(zip(live, _pool.map(query, live), strict=True))
        candidates = sorted(
            (
                (row["invoice_id"], stream, row)
                for stream, (found, _) in results.items()
                for row in found
                if matches is None or matches(row)
            ),
            key=lambda entry: entry[0],
            reverse=True,
        )[:want]
        new_positions = dict(positions)
        for stream, (found, last) in results.items():
            taken = [row for _, s, row in candidates if s == stream]
            matching = [row for row in found if matches is None or matches(row)]
            if len(taken) < len(matching):
                # Some of what this stream found waits for a later page: resume after what was taken.
                if taken:
                    new_positions[stream] = _index_key(taken[-1])
            elif last is None:
                new_positions[stream] = DONE
            else:
                new_positions[stream] = last if matches is not None or not found else _index_key(found[-1])
        return [row for _, _, row in candidates], new_positions

    def _status_query(self, property_id: str, shard: int, status: InvoiceStatus | None, **more: Any) -> dict[str, Any]:
        """A Query of one shard of a property's listing index, optionally of one status;
        ``more`` adds request parameters."""
        condition = "gsi_status_pk = :pk"
        values = {":pk": {"S": status_pk(property_id, shard)}}
        if status:
            condition += " AND begins_with(gsi_status_sk, :prefix)"
            values[":prefix"] = {"S": f"{status}#"}
        return {
            "TableName": self.table_name,
            "IndexName": STATUS_INDEX,
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": values,
            **more,
        }

    def _rows(
        self, property_id: str, fields: list[str], status: InvoiceStatus | None = None
    ) -> Iterator[dict[str, Any]]:
        """Every index row of a property (optionally one status), all shards, all pages."""
        names = {f"#f{i}": name for i, name in enumerate(fields)}

        def read_shard(shard: int) -> list[dict[str, Any]]:
            query = self._status_query(
                property_id, shard, status, ExpressionAttributeNames=names, ProjectionExpression=", ".join(names)
            )
            query.pop("TableName")
            return list(self._query_all(**query))

        for rows in _pool.map(read_shard, range(STATUS_SHARDS)):
            yield from rows

    # -- counts ----------------------------------------------------------------------

    def status_totals(self, property_id: str) -> StatusTotals:
        """The property's counts per status and the drafts' total: one read of one small
        item, kept with every transition (``counters``), whatever the property's size."""
        values = self._get(counts_key(property_id)) or {}
        counts = {status: int(values.get(status.value, 0)) for status in InvoiceStatus}
        draft_total = int(values.get(DRAFT_TOTAL, 0))
        if any(count < 0 for count in counts.values()) or draft_total < 0:
            # Only counts that were never set from the invoices (a stack deployed before
            # they existed, not yet recounted) can go below zero: show none, and say so.
            logger.warning("invoice counts below zero: recount the property", property_id=property_id)
            counts = {status: max(0, count) for status, count in counts.items()}
            draft_total = max(0, draft_total)
        return StatusTotals(counts, draft_total)

    def recount(self, property_id: str) -> StatusTotals:
        """Count the property's invoices from the listing index and store the counts.

        For a stack whose invoices predate the counts, and as a repair. Transitions that
        happen while it reads are not in what it stores, so run it while nobody changes
        the property's invoices (it is safe to run again)."""
        counts = dict.fromkeys(InvoiceStatus, 0)
        draft_total = 0
        for row in self._rows(property_id, ["gsi_status_sk", "amount_due"]):
            status = status_of_index_row(row)
            counts[status] += 1
            if status in lifecycle.PUBLISHABLE:
                draft_total += int(row["amount_due"])
        item = {**counts_key(property_id), **{s.value: n for s, n in counts.items()}, DRAFT_TOTAL: draft_total}
        self._put(Put(item))
        return StatusTotals(counts, draft_total)

    def count(self, property_id: str, status: InvoiceStatus) -> int:
        """How many invoices of a property have this status, counted from the invoices
        themselves: DynamoDB counts, and answers with the number only."""

        def count_shard(shard: int) -> int:
            pages = self.client.get_paginator("query").paginate(
                **self._status_query(property_id, shard, status, Select="COUNT")
            )
            return sum(int(page["Count"]) for page in pages)

        return sum(_pool.map(count_shard, range(STATUS_SHARDS)))

    def draft_amounts(self, property_id: str) -> list[DraftAmount]:
        rows = self._rows(property_id, ["amount_due", "resident_id"], InvoiceStatus.DRAFT)
        return [DraftAmount(row["resident_id"], int(row["amount_due"])) for row in rows]

    def draft_refs(self, property_id: str, position: str | None, limit: int) -> tuple[list[DraftRef], str | None]:
        """Up to ``limit`` drafts from where ``position`` left off (None: the start), across
        shards; the next position, or None when every draft has been listed."""
        scope = f"drafts|{property_id}"
        positions = (
            _shard_positions(decode_cursor(position, scope=scope).get("shards"), property_id) if position else {}
        )
        refs: list[DraftRef] = []
        for shard in range(STATUS_SHARDS):
            while positions.get(str(shard)) != DONE and len(refs) < limit:
                request = self._status_query(
                    property_id,
                    shard,
                    InvoiceStatus.DRAFT,
                    ProjectionExpression="invoice_id, resident_id, due_date, amount_due, #number",
                    ExpressionAttributeNames={"#number": "number"},
                    Limit=limit - len(refs),
                )
                start = positions.get(str(shard))
                if start:
                    request["ExclusiveStartKey"] = to_item(start)
                response = self.client.query(**request)
                rows = [from_item(item) for item in response["Items"]]
                refs += [
                    DraftRef(
                        row["invoice_id"],
                        property_id,
                        row["resident_id"],
                        row["due_date"],
                        row.get("number"),
                        amount_due=int(row["amount_due"]),
                    )
                    for row in rows
                ]
                last = response.get("LastEvaluatedKey")
                positions[str(shard)] = from_item(last) if last else DONE
        if self._all_done(positions):
            return refs, None
        return refs, encode_cursor({"scope": scope, "shards": positions})

    @staticmethod
    def _all_done(positions: dict[str, Any]) -> bool:
        return all(positions.get(str(shard)) == DONE for shard in range(STATUS_SHARDS))

    # -- the Open invoices of a property, for the overdue sweep -------------------------

    def open_due_before(self, property_id: str, day_exclusive: str) -> list[DueInvoice]:
        """The property's Open invoices whose due date sorts before ``day_exclusive``."""

        def read_shard(shard: int) -> list[dict[str, Any]]:
            query = self._status_query(
                property_id,
                shard,
                InvoiceStatus.OPEN,
                FilterExpression="due_date < :day",
                ProjectionExpression="invoice_id, due_date, time_zone",
            )
            query["ExpressionAttributeValues"][":day"] = {"S": day_exclusive}
            query.pop("TableName")
            return list(self._query_all(**query))

        return [
            DueInvoice(row["invoice_id"], property_id, row["due_date"], row["time_zone"])
            for rows in _pool.map(read_shard, range(STATUS_SHARDS))
            for row in rows
        ]

    # -- the resident portal (published invoices only, by construction) -------------

    def for_resident(
        self, resident_id: str, limit: int, cursor: str | None
    ) -> tuple[list[ResidentInvoiceRow], str | None]:
        """A page of the resident's published invoices, newest first, from the portal
        index alone (it projects what the list shows)."""
        scope = f"resident|{resident_id}"
        request: dict[str, Any] = {
            "TableName": self.table_name,
            "IndexName": PORTAL_INDEX,
            "KeyConditionExpression": "gsi_portal_pk = :r",
            "ExpressionAttributeValues": {":r": {"S": resident_id}},
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if cursor:
            key = decode_cursor(cursor, scope=scope).get("key")
            request["ExclusiveStartKey"] = to_item(start_key(key, PORTAL_KEY, gsi_portal_pk=resident_id))
        response = self.client.query(**request)
        last = response.get("LastEvaluatedKey")
        next_cursor = encode_cursor({"scope": scope, "key": from_item(last)}) if last else None
        return [ResidentInvoiceRow.model_validate(from_item(item)) for item in response["Items"]], next_cursor

    def get_for_resident(self, resident_id: str, invoice_id: str) -> Invoice | None:
        """One of the resident's published invoices: found through the portal index (which
        no draft and no other resident's invoice is in), then read whole."""
        response = self.client.query(
            TableName=self.table_name,
            IndexName=PORTAL_INDEX,
            KeyConditionExpression="gsi_portal_pk = :r AND invoice_id = :i",
            ExpressionAttributeValues={":r": {"S": resident_id}, ":i": {"S": invoice_id}},
            Select="COUNT",
        )
        if not response["Count"]:
            return None
        invoice = self.get(invoice_id)
        if invoice is None or invoice.resident_id != resident_id or invoice.status not in lifecycle.PUBLISHED:
            return None
        return invoice


class DynamoDueInvoices:
    """The overdue sweep's reading: every property's Open invoices due before a day, each
    property's from its own listing index (the sweep runs once a day; no index is written
    at every publish just for it)."""

    def __init__(self, listings: DynamoInvoiceListings, property_ids: Any) -> None:
        self.listings = listings
        self.property_ids = property_ids  # () -> Iterable[str]

    def due_before(self, day_exclusive: str) -> Iterator[DueInvoice]:
        for property_id in self.property_ids():
            yield from self.listings.open_due_before(property_id, day_exclusive)
