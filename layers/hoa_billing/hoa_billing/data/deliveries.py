"""A Publish All job's deliveries: the invoices it published, read from the job's own
manifest and then from the invoices themselves.

The manifest is the job's chunk markers (``pk = job_id``, ``sk = "MSG#..."`` in the
publish jobs table, ``data/jobs.py``): each lists, as the string set ``inv``, the ids of
the invoices its message published, each published invoice in exactly one marker. The
publish and the email writes carry nothing for the report: its whole cost is paid here,
when somebody reads it.

A report reads the job's markers (one Query, ~1 KB a marker of 25 invoices), then every
invoice they list with BatchGetItem, 100 keys a request, ``BATCH_THREADS`` requests at a
time, keys DynamoDB left unprocessed asked again (at most ``BATCH_ATTEMPTS`` times, then
the request fails as throttled: a 503 the caller retries). The projection keeps the
response to what the report shows, but DynamoDB charges a BatchGetItem key by the whole
item: 0.5 read units an invoice (eventually consistent, an invoice < 4 KB), ~0.51 with
the markers (measured: ~510 for a job of 1,000 invoices, ~5,100 for 10,000). The counts
are over the whole job, and the page is cut from the same reading in invoice-number
order. Cursors are opaque (base64 JSON naming the job and the filter) and name the last
invoice shown.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from botocore.exceptions import ClientError

from hoa_billing.core.jobs import DeliveryPage, JobDelivery
from hoa_billing.core.models import EmailStatus
from hoa_billing.data.invoice_shape import EMAIL_SHOWN
from hoa_billing.data.items import MAX_KEY_CHARS, decode_cursor, encode_cursor, from_item, not_issued, to_attr
from hoa_billing.data.jobs import MESSAGE_PREFIX, PUBLISHED_IDS
from hoa_billing.data.table import TableRepository

BATCH_KEYS = 100  # BatchGetItem's most keys a request
BATCH_THREADS = 8
BATCH_ATTEMPTS = 6  # a request and its retries of unprocessed keys
BACKOFF_SECONDS = 0.05  # doubled each retry: at most ~1.6 s in all
REASON_SHOWN = frozenset({EmailStatus.FAILED, EmailStatus.BOUNCED})
REASON_CHARS = 200

_pool = ThreadPoolExecutor(max_workers=BATCH_THREADS, thread_name_prefix="job-deliveries")
# What the report shows, and no more: ``#n`` names attributes that are reserved words.
_PROJECTION = {
    "ProjectionExpression": (
        "invoice_id, #number, resident_id, resident_name, amount_due, currency, #shown, "
        "recipient.email, email_details.reason"
    ),
    "ExpressionAttributeNames": {"#number": "number", "#shown": EMAIL_SHOWN},
}


def _order(row: JobDelivery) -> tuple[int, str, str]:
    # INV-00012 before INV-100000: by length first, then as text.
    return len(row.number), row.number, row.invoice_id


def _delivery(row: dict[str, Any]) -> JobDelivery:
    recipient = row.get("recipient")
    details = row.get("email_details")
    status = EmailStatus(row.get(EMAIL_SHOWN, EmailStatus.NOT_REQUESTED.value))
    reason = details.get("reason") if isinstance(details, dict) and status in REASON_SHOWN else None
    return JobDelivery(
        invoice_id=str(row["invoice_id"]),
        number=str(row.get("number", "")),
        resident_id=str(row.get("resident_id", "")),
        resident_name=str(row.get("resident_name", "")),
        amount_due=int(row.get("amount_due", 0)),
        currency=str(row.get("currency", "")),
        email_status=status,
        email_to=str(recipient["email"]) if isinstance(recipient, dict) and recipient.get("email") else None,
        # A failure's or a bounce's reason, never one left behind by an earlier outcome.
        reason=str(reason)[:REASON_CHARS] if reason else None,
    )


def _scope(job_id: str, email: EmailStatus | None) -> str:
    return f"deliveries|{job_id}|{email or ''}"


def _after(cursor: str, scope: str) -> tuple[int, str, str]:
    after = decode_cursor(cursor, scope=scope).get("after")
    if (
        not isinstance(after, list)
        or len(after) != 2
        or not all(isinstance(part, str) and 0 < len(part) <= MAX_KEY_CHARS for part in after)
    ):
        raise not_issued()
    number, invoice_id = after
    return len(number), number, invoice_id


class StillUnprocessed(ClientError):
    """DynamoDB left keys of a BatchGetItem unprocessed through every retry: throttled."""

    def __init__(self, left: int) -> None:
        super().__init__(
            {
                "Error": {
                    "Code": "ProvisionedThroughputExceededException",
                    "Message": f"{left} invoices still unread after {BATCH_ATTEMPTS} attempts",
                }
            },
            "BatchGetItem",
        )


class DynamoJobDeliveries(TableRepository):
    """``table_name``: the invoices table; ``jobs_table``: the publish jobs table, whose
    markers list what each job published."""

    def __init__(self, table_name: str, client: Any | None = None, *, jobs_table: str) -> None:
        super().__init__(table_name, client)
        self.jobs_table = jobs_table

    def published_ids(self, job_id: str) -> list[str]:
        """The ids of the invoices the job published, as its markers list them."""
        ids: list[str] = []
        pages = self.client.get_paginator("query").paginate(
            TableName=self.jobs_table,
            KeyConditionExpression="pk = :job AND begins_with(sk, :marker)",
            ExpressionAttributeValues={":job": to_attr(job_id), ":marker": to_attr(MESSAGE_PREFIX)},
            ProjectionExpression=PUBLISHED_IDS,
        )
        for page in pages:
            for item in page["Items"]:
                ids.extend(sorted(item.get(PUBLISHED_IDS, {}).get("SS", [])))
        return list(dict.fromkeys(ids))  # each is in one marker; a copy would be counted twice

    def all(self, job_id: str) -> list[JobDelivery]:
        """Every invoice the job published, in invoice-number order."""
        ids = self.published_ids(job_id)
        batches = [ids[start : start + BATCH_KEYS] for start in range(0, len(ids), BATCH_KEYS)]
        rows = [_delivery(row) for rows in _pool.map(self._batch, batches) for row in rows]
        return sorted(rows, key=_order)

    def _batch(self, invoice_ids: list[str]) -> list[dict[str, Any]]:
        """The invoices of one BatchGetItem (an invoice deleted since is not there)."""
        return list(self._read_batch(invoice_ids))

    def _read_batch(self, invoice_ids: list[str]) -> Iterator[dict[str, Any]]:
        keys: list[dict[str, Any]] = [{"invoice_id": to_attr(invoice_id)} for invoice_id in invoice_ids]
        for attempt in range(BATCH_ATTEMPTS):
            if attempt:
                time.sleep(BACKOFF_SECONDS * 2 ** (attempt - 1))
            response = self.client.batch_get_item(RequestItems={self.table_name: {"Keys": keys, **_PROJECTION}})
            for item in response.get("Responses", {}).get(self.table_name, []):
                yield from_item(item)
            keys = response.get("UnprocessedKeys", {}).get(self.table_name, {}).get("Keys", [])
            if not keys:
                return
        raise StillUnprocessed(len(keys))

    def page(self, job_id: str, email: EmailStatus | None, limit: int, cursor: str | None) -> DeliveryPage:
        """Up to ``limit`` of the job's invoices after the cursor's (only those in the email
        state ``email``, when given), and the count of all its invoices in each state."""
        scope = _scope(job_id, email)
        after = _after(cursor, scope) if cursor else None
        rows = self.all(job_id)
        states = Counter(row.email_status for row in rows)
        chosen = [
            row
            for row in rows
            if (email is None or row.email_status is email) and (after is None or _order(row) > after)
        ]
        shown = chosen[:limit]
        next_cursor = self.cursor_after(job_id, email, shown[-1]) if len(chosen) > limit else None
        return DeliveryPage(states=dict(states), rows=shown, next_cursor=next_cursor)

    @staticmethod
    def cursor_after(job_id: str, email: EmailStatus | None, row: JobDelivery) -> str:
        """The cursor of the deliveries after ``row`` in this listing."""
        return encode_cursor({"scope": _scope(job_id, email), "after": [row.number, row.invoice_id]})
