"""Domain operations: what managers, schedules and webhooks can do to invoices.

Each operation validates what it is given, makes at most one conditional write that
DynamoDB evaluates atomically, and turns a refused condition into the domain error
that explains why (using the item DynamoDB returned, never a second read).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal, overload

from hoa_billing import errors, lifecycle
from hoa_billing.clock import Clock, SystemClock, derived_id, iso, new_id, today_in
from hoa_billing.dal.directory import DirectoryRepository
from hoa_billing.dal.invoices import (
    ConditionFailed,
    InvoiceRepository,
    leave_open_update,
    publish_update,
)
from hoa_billing.models import (
    Actor,
    EmailStatus,
    HistoryEntry,
    Invoice,
    InvoiceStatus,
    LineItem,
    Property,
    Recipient,
    Resident,
)
from hoa_billing.money import MAX_AMOUNT_MINOR


@dataclass(frozen=True)
class NewResident:
    name: str
    unit: str
    email: str | None = None


@dataclass(frozen=True)
class NewInvoice:
    resident_id: str
    line_items: list[LineItem]
    currency: str
    due_date: date
    memo: str | None = None


@dataclass(frozen=True)
class DraftToPublish:
    """What the publish transition needs to know about a draft, however it was found."""

    invoice_id: str
    property_id: str
    resident_id: str
    due_date: str


@dataclass
class PropertySummary:
    counts: dict[InvoiceStatus, int]
    draft_total: int
    currency: str
    published_without_address: list[dict[str, Any]] = field(default_factory=list)


def email_status_for(send_email: bool, recipient: Recipient | None) -> EmailStatus:
    if recipient is None:
        return EmailStatus.SKIPPED_NO_ADDRESS
    return EmailStatus.QUEUED if send_email else EmailStatus.NOT_REQUESTED


class InvoiceService:
    def __init__(
        self,
        invoices: InvoiceRepository,
        directory: DirectoryRepository,
        clock: Clock | None = None,
    ) -> None:
        self.invoices = invoices
        self.directory = directory
        self.clock = clock or SystemClock()

    # -- residents -------------------------------------------------------------------

    def require_property(self, property_id: str) -> Property:
        prop = self.directory.get_property(property_id)
        if prop is None:
            raise errors.PropertyNotFound(f"Property {property_id} does not exist.", property_id=property_id)
        return prop

    def create_resident(self, property_id: str, new: NewResident) -> Resident:
        self.require_property(property_id)
        resident = Resident(
            resident_id=new_id("res"),
            property_id=property_id,
            name=new.name,
            unit=new.unit,
            email=new.email,
            created_at=self.clock.now(),
        )
        self.directory.put_resident(resident)
        return resident

    def require_resident(self, property_id: str, resident_id: str) -> Resident:
        resident = self.directory.get_resident(property_id, resident_id)
        if resident is None:
            raise errors.ResidentNotInProperty(
                f"Resident {resident_id} is not a resident of property {property_id}.",
                resident_id=resident_id,
            )
        return resident

    # -- drafts ----------------------------------------------------------------------

    def create_invoice(self, property_id: str, new: NewInvoice, actor: Actor) -> Invoice:
        resident = self.require_resident(property_id, new.resident_id)
        amount_due = sum(item.amount for item in new.line_items)
        if amount_due > MAX_AMOUNT_MINOR:
            raise errors.InvalidRequest(
                "The invoice total is larger than any assessment this system accepts.", field="line_items"
            )
        prop = self.require_property(property_id)
        if new.currency != prop.currency:
            raise errors.CurrencyMismatch(
                f"This property bills in {prop.currency}; the invoice says {new.currency}.", field="currency"
            )
        today = today_in(self.clock, prop.time_zone)
        if new.due_date < today:
            raise errors.DueDateInPast(
                f"The due date {new.due_date.isoformat()} is before today ({today.isoformat()}) "
                f"in the property's time zone.",
                field="due_date",
            )
        taken = self.directory.next_invoice_number(property_id)
        if taken is None:
            raise errors.PropertyNotFound(f"Property {property_id} does not exist.", property_id=property_id)
        sequence, prop = taken
        now = self.clock.now()
        invoice = Invoice(
            invoice_id=new_id("inv"),
            property_id=property_id,
            property_name=prop.name,
            time_zone=prop.time_zone,
            resident_id=resident.resident_id,
            resident_name=resident.name,
            number=f"INV-{sequence:05d}",
            status=InvoiceStatus.DRAFT,
            currency=new.currency,
            line_items=new.line_items,
            amount_due=amount_due,
            due_date=new.due_date,
            memo=new.memo,
            created_at=now,
            created_by=actor,
            history=[HistoryEntry(at=now, action="created", actor=actor, to_status=InvoiceStatus.DRAFT)],
        )
        self.invoices.put_new(invoice)
        return invoice

    def get_invoice(self, property_id: str, invoice_id: str) -> Invoice:
        invoice = self.invoices.get(invoice_id)
        if invoice is None or invoice.property_id != property_id:
            raise errors.InvoiceNotFound(f"Invoice {invoice_id} was not found.", invoice_id=invoice_id)
        return invoice

    def delete_draft(self, property_id: str, invoice_id: str) -> None:
        try:
            self.invoices.delete_draft(invoice_id, property_id)
        except ConditionFailed as refused:
            current = self._owned(refused.current, property_id, invoice_id)
            raise errors.InvoiceNotDraft(
                f"Invoice {current.number} is {current.status}; only drafts can be deleted. "
                "Void it instead if no payment has been made.",
                status=current.status.value,
            ) from None

    # -- publish ---------------------------------------------------------------------

    def publish_invoice(
        self,
        property_id: str,
        invoice_id: str,
        send_email: bool | None,
        actor: Actor,
        request_key: str | None = None,
    ) -> Invoice:
        """Publish one draft, as from the invoice detail page's confirmation dialog.

        ``request_key`` (the caller's Idempotency-Key) names the publish: a retry of a
        request that already took effect (its answer was lost, or the function died
        before the key's record was completed) finds its own publish and succeeds.
        """
        publish_id = publish_id_for(invoice_id, actor, request_key) if request_key else None
        invoice = self.get_invoice(property_id, invoice_id)
        if publish_id is not None and invoice.publish_id == publish_id:
            return invoice
        if invoice.status is not InvoiceStatus.DRAFT:
            raise self._not_draft(invoice)
        resident = self.directory.get_resident(property_id, invoice.resident_id)
        recipient = recipient_of(resident)
        if send_email is None:
            send_email = recipient is not None
        if send_email and recipient is None:
            raise errors.ResidentHasNoEmail(
                f"{invoice.resident_name} has no email address on file, so no email can be sent. "
                "Publish without the email and notify them another way, or add an address first.",
                resident_id=invoice.resident_id,
            )
        draft = DraftToPublish(invoice_id, property_id, invoice.resident_id, invoice.due_date.isoformat())
        return self.publish_draft(draft, recipient=recipient, send_email=send_email, actor=actor, publish_id=publish_id)

    @overload
    def publish_draft(
        self,
        draft: DraftToPublish,
        *,
        recipient: Recipient | None,
        send_email: bool,
        actor: Actor,
        job_id: str | None = None,
        publish_id: str | None = None,
        read_back: Literal[True] = True,
    ) -> Invoice: ...

    @overload
    def publish_draft(
        self,
        draft: DraftToPublish,
        *,
        recipient: Recipient | None,
        send_email: bool,
        actor: Actor,
        job_id: str | None = None,
        publish_id: str | None = None,
        read_back: Literal[False],
    ) -> None: ...

    def publish_draft(
        self,
        draft: DraftToPublish,
        *,
        recipient: Recipient | None,
        send_email: bool,
        actor: Actor,
        job_id: str | None = None,
        publish_id: str | None = None,
        read_back: bool = True,
    ) -> Invoice | None:
        """The one Draft -> Open operation, shared by single and bulk publish.

        One conditional UpdateItem (``status = Draft`` evaluated by DynamoDB). The row
        carries the email request, so the table's stream is the outbox for the email.
        When the write is refused because this very publish already took effect (the
        SDK retried a write whose answer was lost), the publish succeeded: it says so.

        ``read_back=False`` (a bulk worker, which never looks at the published invoice):
        the same write, answered without the item; returns None.
        """
        now = self.clock.now()
        publish_id = publish_id or new_id("pub")
        email_status = email_status_for(send_email, recipient)
        fields: dict[str, Any] = {
            "published_at": iso(now),
            "published_by": actor.model_dump(mode="json", exclude_none=True),
            "email_requested": email_status is EmailStatus.QUEUED,
            "email_status": email_status.value,
            "recipient": recipient.model_dump() if recipient and send_email else None,
            "publish_id": publish_id,
        }
        details: dict[str, Any] = {"email": email_status.value}
        if job_id:
            details["job_id"] = job_id
        entry = HistoryEntry(
            at=now,
            action="published",
            actor=actor,
            from_status=InvoiceStatus.DRAFT,
            to_status=InvoiceStatus.OPEN,
            details=details,
        )
        update = publish_update(
            invoice_id=draft.invoice_id,
            property_id=draft.property_id,
            resident_id=draft.resident_id,
            due_date=draft.due_date,
            fields=fields,
            history=entry,
        )
        try:
            if not read_back:
                self.invoices.write(draft.invoice_id, update)
                return None
            return self.invoices.apply(draft.invoice_id, update)
        except ConditionFailed as refused:
            current = self._owned(refused.current, draft.property_id, draft.invoice_id)
            if current.publish_id == publish_id:
                return current if read_back else None
            raise self._not_draft(current) from None

    # -- void ------------------------------------------------------------------------

    def void_invoice(self, property_id: str, invoice_id: str, reason: str, actor: Actor) -> Invoice:
        now = self.clock.now()
        entry = HistoryEntry(at=now, action="voided", actor=actor, to_status=InvoiceStatus.VOID, reason=reason)
        update = leave_open_update(
            invoice_id=invoice_id,
            property_id=property_id,
            to_status=InvoiceStatus.VOID,
            from_statuses=lifecycle.VOIDABLE,
            fields={"voided_at": iso(now), "void_reason": reason},
            history=entry,
        ).require("{amount_paid} = :zero AND {amount_processing} = :zero", zero=0)
        try:
            return self.invoices.apply(invoice_id, update)
        except ConditionFailed as refused:
            current = self._owned(refused.current, property_id, invoice_id)
            if current.status not in lifecycle.VOIDABLE:
                hint = " Delete it instead." if current.status is InvoiceStatus.DRAFT else ""
                raise errors.InvoiceNotVoidable(
                    f"Invoice {current.number} is {current.status}; only Open or Overdue invoices can be voided.{hint}",
                    status=current.status.value,
                ) from None
            raise errors.InvoiceHasPayments(
                f"Invoice {current.number} has a payment that succeeded or is still processing, "
                "so it cannot be voided. Contact the resident directly to resolve it.",
                status=current.status.value,
                amount_paid=current.amount_paid,
                amount_processing=current.amount_processing,
            ) from None

    # -- reads -----------------------------------------------------------------------

    def summary(self, property_id: str) -> PropertySummary:
        prop = self.require_property(property_id)
        counts = dict.fromkeys(InvoiceStatus, 0)
        draft_total = 0
        without_address: list[dict[str, Any]] = []
        rows = self.invoices.scan_property(
            property_id,
            ["gsi_status_sk", "amount_due", "email_status", "invoice_id", "number", "resident_id", "resident_name"],
        )
        for row in rows:
            status = InvoiceStatus(row["gsi_status_sk"].split("#", 1)[0])
            counts[status] += 1
            if status is InvoiceStatus.DRAFT:
                draft_total += int(row["amount_due"])
            elif row.get("email_status") == EmailStatus.SKIPPED_NO_ADDRESS.value and status in (
                InvoiceStatus.OPEN,
                InvoiceStatus.OVERDUE,
            ):
                without_address.append(
                    {key: row[key] for key in ("invoice_id", "number", "resident_id", "resident_name")}
                )
        return PropertySummary(counts, draft_total, prop.currency, without_address)

    # -- helpers -----------------------------------------------------------------------

    @staticmethod
    def _owned(current: Invoice | None, property_id: str, invoice_id: str) -> Invoice:
        if current is None or current.property_id != property_id:
            raise errors.InvoiceNotFound(f"Invoice {invoice_id} was not found.", invoice_id=invoice_id)
        return current

    @staticmethod
    def _not_draft(invoice: Invoice) -> errors.InvoiceNotDraft:
        return errors.InvoiceNotDraft(
            f"Invoice {invoice.number} is {invoice.status}; only Draft invoices can be published.",
            status=invoice.status.value,
        )


def publish_id_for(invoice_id: str, actor: Actor, request_key: str) -> str:
    """The same request (key, caller, invoice) always names the same publish."""
    return derived_id("pub", invoice_id, actor.kind, actor.id, request_key)


def recipient_of(resident: Resident | None) -> Recipient | None:
    if resident is None or not resident.can_receive_email or resident.email is None:
        return None
    return Recipient(name=resident.name, email=resident.email)
