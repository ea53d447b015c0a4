"""The invoices table: its keys and indexes, and the lifecycle's conditional writes.

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

Every transition is one UpdateItem whose condition DynamoDB evaluates; a refusal
raises ``errors.Refused`` with the invoice as it stood.
"""

from __future__ import annotations

import hashlib
from typing import Any

from hoa_billing.core import lifecycle
from hoa_billing.core.changes import DraftEdit, Publication, Voiding
from hoa_billing.core.clock import iso
from hoa_billing.core.models import DraftRef, HistoryEntry, Invoice, InvoiceStatus
from hoa_billing.data.table import TableRepository
from hoa_billing.data.writes import Delete, Put, ReturnValues, Update

STATUS_SHARDS = 8
DUE_SHARDS = 8
STATUS_INDEX = "ByPropertyStatus"
PORTAL_INDEX = "ByResident"
DUE_INDEX = "OpenByDueDate"


def shard_of(invoice_id: str, shards: int = STATUS_SHARDS) -> int:
    return int.from_bytes(hashlib.blake2b(invoice_id.encode(), digest_size=2).digest(), "big") % shards


def status_pk(property_id: str, shard: int) -> str:
    return f"{property_id}#{shard}"


def status_keys(property_id: str, invoice_id: str, status: InvoiceStatus) -> dict[str, str]:
    return {
        "gsi_status_pk": status_pk(property_id, shard_of(invoice_id)),
        "gsi_status_sk": f"{status}#{invoice_id}",
    }


def status_of_index_row(row: dict[str, Any]) -> InvoiceStatus:
    return InvoiceStatus(str(row["gsi_status_sk"]).split("#", 1)[0])


def due_keys(invoice_id: str, due_date: str) -> dict[str, str]:
    return {
        "gsi_due_pk": f"OPEN#{shard_of(invoice_id, DUE_SHARDS)}",
        "gsi_due_sk": f"{due_date}#{invoice_id}",
    }


def history_value(entry: HistoryEntry) -> dict[str, Any]:
    return entry.model_dump(mode="json", exclude_none=True)


def invoice_of(values: dict[str, Any]) -> Invoice:
    """An invoice from its stored item (plain values)."""
    return Invoice.model_validate(values)


def item_of(invoice: Invoice) -> dict[str, Any]:
    """The stored item of a new invoice: the model plus its index keys."""
    values = invoice.model_dump(mode="json", exclude_none=True)
    values.update(status_keys(invoice.property_id, invoice.invoice_id, invoice.status))
    return values


def recorded(update: Update, entry: HistoryEntry) -> Update:
    """Every change a person would call a change: in the history, and counted in the
    version (an email claim and its release are not)."""
    return update.append("history", [history_value(entry)]).add("version", 1)


def leave_open(
    property_id: str,
    invoice_id: str,
    to_status: InvoiceStatus,
    from_statuses: frozenset[InvoiceStatus],
    entry: HistoryEntry,
    **fields: Any,
) -> Update:
    """Open/Overdue -> Void, Paid or Overdue: the invoice leaves the due-date index."""
    update = (
        Update()
        .set("status", to_status.value)
        .set_many(status_keys(property_id, invoice_id, to_status))
        .remove("gsi_due_pk")
        .remove("gsi_due_sk")
        .set_many(fields)
        .require_in("status", {s.value for s in from_statuses})
        .require("{property_id} = :p", p=property_id)
    )
    return recorded(update, entry)


class InvoiceTable(TableRepository):
    """What every repository of the invoices table shares: reading one invoice and
    sending one conditional update of it."""

    @staticmethod
    def record_of(values: dict[str, Any]) -> Invoice:
        return invoice_of(values)

    def get(self, invoice_id: str) -> Invoice | None:
        values = self._get({"invoice_id": invoice_id})
        return invoice_of(values) if values else None

    def _change(self, invoice_id: str, update: Update, returns: ReturnValues = "ALL_NEW") -> dict[str, Any]:
        """The update (``Refused`` carries the invoice as it stood)."""
        return self._update({"invoice_id": invoice_id}, update, returns)

    def _apply(self, invoice_id: str, update: Update) -> Invoice:
        return invoice_of(self._change(invoice_id, update, "ALL_NEW"))


class DynamoInvoices(InvoiceTable):
    """Creating, publishing, voiding and deleting invoices."""

    def add_draft(self, invoice: Invoice) -> None:
        self._put(Put(item_of(invoice)).require_absent("invoice_id"))

    def delete_draft(self, property_id: str, invoice_id: str) -> None:
        delete = Delete({"invoice_id": invoice_id}).require(
            "{status} = :draft AND {property_id} = :p", draft=InvoiceStatus.DRAFT.value, p=property_id
        )
        self._delete(delete)

    def publish(self, draft: DraftRef, publication: Publication, *, read_back: bool = True) -> Invoice | None:
        """Draft -> Open. ``read_back=False`` (a bulk worker, which never looks at the
        published invoice): the same write, answered without the item."""
        entry = publication.entry
        update = (
            Update()
            .set("status", lifecycle.PUBLISHED_TO.value)
            .set_many(status_keys(draft.property_id, draft.invoice_id, lifecycle.PUBLISHED_TO))
            .set("gsi_portal_pk", draft.resident_id)
            .set("gsi_portal_sk", draft.invoice_id)
            .set_many(due_keys(draft.invoice_id, draft.due_date))
            .set("published_at", iso(publication.at))
            .set("published_by", entry.actor.model_dump(mode="json", exclude_none=True))
            .set("email_requested", publication.email_requested)
            .set("email_status", publication.email_status.value)
            .set("recipient", publication.recipient.model_dump() if publication.recipient else None)
            .set("publish_id", publication.publish_id)
            .require_in("status", {s.value for s in lifecycle.PUBLISHABLE})
            .require(
                "{property_id} = :p AND {resident_id} = :r AND {due_date} = :d",
                p=draft.property_id,
                r=draft.resident_id,
                d=draft.due_date,
            )
        )
        recorded(update, entry)
        if not read_back:
            self._change(draft.invoice_id, update, "NONE")
            return None
        return self._apply(draft.invoice_id, update)

    def edit_draft(self, property_id: str, invoice_id: str, edit: DraftEdit) -> Invoice:
        """A Draft's new contents, only if it is still a Draft of the property at the version
        the manager edited. The listing index carries the amount and due date along."""
        update = (
            Update()
            .set("line_items", [item.model_dump() for item in edit.line_items])
            .set("amount_due", edit.amount_due)
            .set("due_date", edit.due_date.isoformat())
            .set("memo", edit.memo)
            .require_in("status", {s.value for s in lifecycle.PUBLISHABLE})
            .require("{property_id} = :p AND {version} = :seen", p=property_id, seen=edit.seen_version)
        )
        return self._apply(invoice_id, recorded(update, edit.entry))

    def void(self, property_id: str, invoice_id: str, voiding: Voiding) -> Invoice:
        update = leave_open(
            property_id,
            invoice_id,
            InvoiceStatus.VOID,
            frozenset({voiding.from_status}) & lifecycle.VOIDABLE,
            voiding.entry,
            voided_at=iso(voiding.at),
            void_reason=voiding.reason,
        ).require("{amount_paid} = :zero AND {amount_processing} = :zero", zero=0)
        return self._apply(invoice_id, update)

    def mark_overdue(self, property_id: str, invoice_id: str, due_date: str, entry: HistoryEntry) -> Invoice:
        """Open -> Overdue, only if still Open with that due date; the invoice as written."""
        update = leave_open(
            property_id, invoice_id, InvoiceStatus.OVERDUE, frozenset({InvoiceStatus.OPEN}), entry
        ).require("{due_date} = :due", due=due_date)
        return self._apply(invoice_id, update)
