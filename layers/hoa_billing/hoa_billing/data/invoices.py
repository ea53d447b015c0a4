"""The invoices table: its keys and indexes, and the lifecycle's conditional writes.

Key design (see docs/data-model.md for the reasons):

* Base table: ``invoice_id``. Ids are random-suffixed ULIDs, so writes spread over
  every partition however large one property is. The stored shape of an invoice (short
  names, compact history) is ``invoice_shape``'s business.
* ``ListingByStatus``: ``gsi_status_pk = "{property_id}#{shard}"``,
  ``gsi_status_sk = "{status}#{invoice_id}"``, projecting what the Invoices page lists.
  A property's invoices are spread over ``STATUS_SHARDS`` index partitions, so a bulk
  publish of one large property is not capped by one hot partition; a listing merges the
  shards. The overdue sweep reads a property's Open invoices here too.
* ``PortalByResident``: ``gsi_portal_pk = resident_id``, sorted by ``invoice_id``,
  written only by the publish transition and projecting what the portal lists. Drafts
  are not in this index, so the resident portal, which finds invoices only through it,
  cannot return a draft.
* One item per property (``counters``) holds its counts per status and the drafts'
  total, written in the same transaction as every transition of one invoice.

Every transition is one conditional write DynamoDB evaluates (with its count change, one
transaction); a refusal raises ``errors.Refused`` with the invoice as it stood.
"""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Any

from hoa_billing.core import lifecycle
from hoa_billing.core.changes import DraftEdit, Publication, Voiding
from hoa_billing.core.errors import Refused
from hoa_billing.core.models import DraftRef, HistoryEntry, Invoice, InvoiceStatus
from hoa_billing.data.counters import CountChange, counts_key
from hoa_billing.data.invoice_shape import (
    EMAIL_NOT_SHOWN,
    EMAIL_SHOWN,
    STORED_NAMES,
    actor_value,
    history_value,
    invoice_of,
    micros,
    stored_fields,
    stored_value,
)
from hoa_billing.data.table import TableRepository
from hoa_billing.data.writes import Delete, Put, ReturnValues, Update

STATUS_SHARDS = 8
STATUS_INDEX = "ListingByStatus"
PORTAL_INDEX = "PortalByResident"
# A read-then-write that lost a race to another change of the same invoice tries again.
RACE_ATTEMPTS = 5

__all__ = [
    "PORTAL_INDEX",
    "STATUS_INDEX",
    "STATUS_SHARDS",
    "DynamoInvoices",
    "InvoiceTable",
    "history_value",
    "invoice_of",
    "item_of",
    "recorded",
    "shard_of",
    "status_keys",
    "status_of_index_row",
    "status_pk",
]


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


def item_of(invoice: Invoice) -> dict[str, Any]:
    """The stored item of a new invoice: its stored fields plus its index keys."""
    values = stored_fields(invoice.model_dump(mode="json", exclude_none=True))
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
    """Open/Overdue -> Void, Paid or Overdue: the listing entry moves to the new status."""
    update = (
        Update()
        .set("status", to_status.value)
        .set_many(status_keys(property_id, invoice_id, to_status))
        .set_many({name: stored_value(name, value) for name, value in fields.items()})
        .require_in("status", {s.value for s in from_statuses})
        .require("{property_id} = :p", p=property_id)
    )
    return recorded(update, entry)


def nothing_paid(update: Update) -> Update:
    """Nothing paid and nothing processing (an amount at zero is not stored)."""
    for name in ("amount_paid", "amount_processing"):
        update.require(f"attribute_not_exists({{{name}}}) OR {{{name}}} = :zero", zero=0)
    return update


class InvoiceTable(TableRepository):
    """What every repository of the invoices table shares: reading one invoice and
    sending one conditional update of it (with its count change, when it has one)."""

    aliases = STORED_NAMES

    @staticmethod
    def record_of(values: dict[str, Any]) -> Invoice:
        return invoice_of(values)

    def get(self, invoice_id: str) -> Invoice | None:
        values = self._get({"invoice_id": invoice_id})
        return invoice_of(values) if values else None

    @staticmethod
    def _prepared(update: Update) -> Update:
        """The email state the Invoices page lists follows ``email_status`` except while a
        sender holds a claim, so that the listing index is not rewritten by the claim."""
        shown = update.assigned("email_status")
        if shown is not None and shown not in EMAIL_NOT_SHOWN:
            update.set(EMAIL_SHOWN, shown)
        return update

    def _change(self, invoice_id: str, update: Update, returns: ReturnValues = "ALL_NEW") -> dict[str, Any]:
        """The update (``Refused`` carries the invoice as it stood)."""
        return self._update({"invoice_id": invoice_id}, self._prepared(update), returns)

    def _apply(self, invoice_id: str, update: Update) -> Invoice:
        return invoice_of(self._change(invoice_id, update, "ALL_NEW"))

    def _counted(
        self,
        invoice_id: str,
        write: Update | Put | Delete,
        property_id: str,
        change: CountChange,
        *,
        read_back: bool = False,
    ) -> Invoice | None:
        """The invoice's write and its property's count change, both or neither. A refusal
        carries the invoice as it stood; ``read_back``: the invoice as written."""
        key = {"invoice_id": invoice_id}
        if isinstance(write, Update):
            write = self._prepared(write)
        items = [self._transaction_item(write, key)]
        if not change.empty:
            items.append(self._transaction_item(change.update(), counts_key(property_id)))
        self._transact(items, explain=0)
        if not read_back:
            return None
        current = self.get(invoice_id)
        if current is None:
            raise Refused(None)
        return current


class DynamoInvoices(InvoiceTable):
    """Creating, publishing, voiding and deleting invoices."""

    def add_draft(self, invoice: Invoice) -> None:
        put = Put(item_of(invoice)).require_absent("invoice_id")
        change = CountChange.move(None, invoice.status, invoice.amount_due)
        self._counted(invoice.invoice_id, put, invoice.property_id, change)

    def delete_draft(self, property_id: str, invoice_id: str) -> None:
        for _ in range(RACE_ATTEMPTS):
            current = self.get(invoice_id)
            if current is None or current.property_id != property_id or current.status is not InvoiceStatus.DRAFT:
                raise Refused(current)
            delete = Delete({"invoice_id": invoice_id}).require(
                "{status} = :draft AND {property_id} = :p AND {version} = :seen",
                draft=InvoiceStatus.DRAFT.value,
                p=property_id,
                seen=current.version,
            )
            change = CountChange.move(InvoiceStatus.DRAFT, None, -current.amount_due)
            try:
                self._counted(invoice_id, delete, property_id, change)
                return
            except Refused as refused:
                if not _changed_meanwhile(refused, current, InvoiceStatus.DRAFT):
                    raise
        raise Refused(self.get(invoice_id))

    def publish(self, draft: DraftRef, publication: Publication, *, read_back: bool = True) -> Invoice | None:
        """Draft -> Open. ``read_back=False`` (a bulk worker, which never looks at the
        published invoice): the same write, answered without the item.

        A publish that is part of a Publish All job is counted with its chunk (one
        transaction per chunk, on the job); any other counts itself here."""
        if draft.amount_due is None and publication.job_id is None:
            found = self.get(draft.invoice_id)
            draft = _with_amount(draft, found)
        entry = publication.entry
        update = (
            Update()
            .set("status", lifecycle.PUBLISHED_TO.value)
            .set_many(status_keys(draft.property_id, draft.invoice_id, lifecycle.PUBLISHED_TO))
            .set("gsi_portal_pk", draft.resident_id)
            .set("published_at", micros(publication.at))
            .set("published_by", actor_value(entry.actor))
            .set("email_status", publication.email_status.value)
            .set("publish_id", publication.publish_id)
            .require_in("status", {s.value for s in lifecycle.PUBLISHABLE})
            .require(
                "{property_id} = :p AND {resident_id} = :r AND {due_date} = :d",
                p=draft.property_id,
                r=draft.resident_id,
                d=draft.due_date,
            )
        )
        if publication.email_requested:
            update.set("email_requested", True)
        if publication.recipient is not None:
            update.set("recipient", publication.recipient.model_dump())
        if draft.amount_due is not None:
            update.require("{amount_due} = :amount", amount=draft.amount_due)
        recorded(update, entry)
        if publication.job_id is not None:
            if not read_back:
                self._change(draft.invoice_id, update, "NONE")
                return None
            return self._apply(draft.invoice_id, update)
        assert draft.amount_due is not None
        change = CountChange.move(InvoiceStatus.DRAFT, lifecycle.PUBLISHED_TO, -draft.amount_due)
        return self._counted(draft.invoice_id, update, draft.property_id, change, read_back=read_back)

    def edit_draft(self, property_id: str, invoice_id: str, edit: DraftEdit) -> Invoice:
        """A Draft's new contents, only if it is still a Draft of the property at the version
        the manager edited. The listing index carries the amount and due date along, and
        the drafts' total moves by the change in amount."""
        update = (
            Update()
            .set("line_items", stored_value("line_items", [item.model_dump() for item in edit.line_items]))
            .set("amount_due", edit.amount_due)
            .set("due_date", edit.due_date.isoformat())
            .set("memo", edit.memo)
            .require_in("status", {s.value for s in lifecycle.PUBLISHABLE})
            .require("{property_id} = :p AND {version} = :seen", p=property_id, seen=edit.seen_version)
        )
        recorded(update, edit.entry)
        current = self.get(invoice_id)
        if current is None or current.version != edit.seen_version or current.status not in lifecycle.PUBLISHABLE:
            raise Refused(current)
        # The condition pins the version, and with it the amount the total moves from.
        change = CountChange(draft_total=edit.amount_due - current.amount_due)
        if change.empty:
            return self._apply(invoice_id, update)
        written = self._counted(invoice_id, update, property_id, change, read_back=True)
        assert written is not None
        return written

    def void(self, property_id: str, invoice_id: str, voiding: Voiding) -> Invoice:
        """Open/Overdue -> Void, only from the status the void was decided on (the caller
        read it; its count moves from there) and while nothing was paid or is processing."""
        update = nothing_paid(
            leave_open(
                property_id,
                invoice_id,
                InvoiceStatus.VOID,
                frozenset({voiding.from_status}) & lifecycle.VOIDABLE,
                voiding.entry,
                voided_at=voiding.at,
                void_reason=voiding.reason,
            )
        )
        change = CountChange.move(voiding.from_status, InvoiceStatus.VOID)
        written = self._counted(invoice_id, update, property_id, change, read_back=True)
        assert written is not None
        return written

    def mark_overdue(self, property_id: str, invoice_id: str, due_date: str, entry: HistoryEntry) -> Invoice:
        """Open -> Overdue, only if still Open with that due date; the invoice as written."""
        update = leave_open(
            property_id, invoice_id, InvoiceStatus.OVERDUE, frozenset({InvoiceStatus.OPEN}), entry
        ).require("{due_date} = :due", due=due_date)
        change = CountChange.move(InvoiceStatus.OPEN, InvoiceStatus.OVERDUE)
        written = self._counted(invoice_id, update, property_id, change, read_back=True)
        assert written is not None
        return written


def _with_amount(draft: DraftRef, found: Invoice | None) -> DraftRef:
    if found is None:
        raise Refused(None)
    return dataclasses.replace(draft, amount_due=found.amount_due)


def _changed_meanwhile(refused: Refused, seen: Invoice, *still: InvoiceStatus) -> bool:
    """A refusal because the invoice changed since it was read, in a way the write could
    still apply to (read it again and retry), rather than one that answers the caller."""
    current = refused.current
    return (
        isinstance(current, Invoice)
        and current.version != seen.version
        and current.status in still
        and current.property_id == seen.property_id
    )
