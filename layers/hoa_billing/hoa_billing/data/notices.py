"""The notices table: receipts and failed-payment notices as the outbox of their email.

Key: ``invoice_id`` (partition) and ``notice_id`` (sort) = ``"{kind}#{payment_id}"``:
one notice per payment and kind, so the put that queues it (in the transaction that
applies the payment, ``notice_put``) is refused for a second one. An invoice's notices
are one query. The table's stream (new images, filtered to inserts by the template)
feeds the email outbox function as its second source; a record is recognised here by
its key (``is_notice_record``).

Delivery uses the invoice email's claim protocol: ``queued -> sending`` under a token
(conditional), then the outcome by the claim's holder only, in one transaction with the
history entry it adds to the invoice (both or neither).
"""

from __future__ import annotations

from typing import Any

from hoa_billing.core.changes import NoticeClaim, NoticeDelivery, NoticeOutcome, NoticeRequest
from hoa_billing.core.clock import iso
from hoa_billing.core.models import Invoice, Notice, NoticeStatus
from hoa_billing.data.invoice_shape import STORED_NAMES
from hoa_billing.data.invoices import recorded
from hoa_billing.data.items import from_item
from hoa_billing.data.table import TableRepository
from hoa_billing.data.writes import Put, Update

KEY = "notice_id"


def notice_id(request: NoticeRequest) -> str:
    return f"{request.kind.value}#{request.payment_id}"


def notice_put(invoice: Invoice, request: NoticeRequest) -> Put:
    """The queued notice, refused if this payment's notice of this kind exists."""
    item = Notice(
        invoice_id=invoice.invoice_id,
        notice_id=notice_id(request),
        kind=request.kind,
        property_id=invoice.property_id,
        resident_id=invoice.resident_id,
        payment_id=request.payment_id,
        amount=request.amount,
        currency=request.currency,
        balance_after=request.balance_after,
        created_at=request.at,
    ).model_dump(mode="json", exclude_none=True)
    item["event_id"] = request.event_id
    return Put(item).require_absent(KEY)


def is_notice_record(stream_record: dict[str, Any]) -> bool:
    """Whether a stream record (as the outbox forwards it) is a notice's."""
    image = (stream_record.get("dynamodb") or {}).get("NewImage") or {}
    return KEY in image and "invoice_id" in image


def _notice_of(values: dict[str, Any]) -> Notice:
    return Notice.model_validate(values)


class DynamoNotices(TableRepository):
    """Notices, and the one invoice write their outcome makes (a history entry)."""

    def __init__(self, table_name: str, invoices_table: str, client: Any | None = None) -> None:
        super().__init__(table_name, client)
        self.invoices_table = invoices_table

    @staticmethod
    def record_of(values: dict[str, Any]) -> Notice:
        return _notice_of(values)

    @staticmethod
    def is_notice(stream_record: dict[str, Any]) -> bool:
        return is_notice_record(stream_record)

    def delivery_of(self, stream_record: dict[str, Any]) -> NoticeDelivery:
        image = from_item((stream_record.get("dynamodb") or {}).get("NewImage") or {})
        return NoticeDelivery(
            invoice_id=str(image["invoice_id"]), notice_id=str(image[KEY]), token=str(stream_record["eventID"])
        )

    def get(self, invoice_id: str, notice: str) -> Notice | None:
        values = self._get({"invoice_id": invoice_id, KEY: notice})
        return _notice_of(values) if values else None

    def for_invoice(self, invoice_id: str) -> list[Notice]:
        """An invoice's notices, oldest payment first by kind and id."""
        rows = self._query_all(
            KeyConditionExpression="#i = :i",
            ExpressionAttributeNames={"#i": "invoice_id"},
            ExpressionAttributeValues={":i": {"S": invoice_id}},
        )
        return sorted((_notice_of(row) for row in rows), key=lambda n: n.created_at)

    def claim(self, delivery: NoticeDelivery, claim: NoticeClaim) -> Notice:
        """Take the claim; the notice as it stands, claimed. ``Refused`` carries the notice
        as it stood (None if there is none)."""
        update = (
            Update()
            .set("status", NoticeStatus.SENDING.value)
            .set("claim_token", claim.token)
            .set("claim_at", iso(claim.at))
            .add("attempts", 1)
            .require(
                "{status} = :queued OR ({status} = :sending AND ({claim_token} = :token OR {claim_at} < :stale))",
                queued=NoticeStatus.QUEUED.value,
                sending=NoticeStatus.SENDING.value,
                token=claim.token,
                stale=iso(claim.stale_before),
            )
        )
        values = self._update(self._key(delivery), update, "ALL_NEW")
        return _notice_of(values)

    def release(self, delivery: NoticeDelivery, token: str, last_error: str) -> None:
        """sending -> queued after a temporary failure: the queue delivers it again."""
        update = (
            Update()
            .set("status", NoticeStatus.QUEUED.value)
            .set("last_error", last_error[:500])
            .remove("claim_token")
            .remove("claim_at")
        )
        self._update(self._key(delivery), _holding(update, token))

    def record_outcome(self, delivery: NoticeDelivery, outcome: NoticeOutcome) -> None:
        """The outcome and its history entry on the invoice, both or neither; ``Refused``
        when the claim is no longer this token's."""
        update = Update().set("status", outcome.status.value).remove("claim_token").remove("claim_at")
        update.set("finished_at", iso(outcome.entry.at))
        if outcome.status is NoticeStatus.SENT:
            update.set("sent_at", iso(outcome.entry.at))
        for name in ("to", "message_id", "reason"):
            value = getattr(outcome, name)
            if value is not None:
                update.set(name, value)
        history = recorded(Update(), outcome.entry).require_present("invoice_id")
        items = [
            self._transaction_item(_holding(update, outcome.token), self._key(delivery)),
            {
                "Update": {
                    k: v
                    for k, v in history.request(
                        self.invoices_table, {"invoice_id": delivery.invoice_id}, aliases=STORED_NAMES
                    ).items()
                    if k != "ReturnValues"
                }
            },
        ]
        # A published invoice is never deleted, so only the claim's condition can refuse.
        self._transact(items, explain=0)

    @staticmethod
    def _key(delivery: NoticeDelivery) -> dict[str, Any]:
        return {"invoice_id": delivery.invoice_id, KEY: delivery.notice_id}


def _holding(update: Update, token: str) -> Update:
    return update.require(
        "{status} = :sending AND {claim_token} = :token", sending=NoticeStatus.SENDING.value, token=token
    )
