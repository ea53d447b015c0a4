"""Publishing: Draft -> Open, the one operation single publish and Publish All share.

One conditional write (``status = Draft`` evaluated by DynamoDB); the row carries the
email request, so the table's stream is the email's outbox and there is no second write
to lose.
"""

from __future__ import annotations

from typing import Literal, overload

from hoa_billing.core import audit, errors
from hoa_billing.core.changes import Publication
from hoa_billing.core.clock import Clock, SystemClock, derived_id, new_id
from hoa_billing.core.errors import Refused
from hoa_billing.core.lifecycle import PUBLISHABLE, PUBLISHED_TO
from hoa_billing.core.models import Actor, DraftRef, EmailStatus, HistoryEntry, Invoice, InvoiceStatus, Recipient
from hoa_billing.invoices.lookup import get_invoice, not_draft, owned
from hoa_billing.invoices.ports import Directory, InvoiceStore


def publish_id_for(invoice_id: str, actor: Actor, request_key: str) -> str:
    """The same request (key, caller, invoice) always names the same publish."""
    return derived_id("pub", invoice_id, actor.kind, actor.id, request_key)


def email_status_for(send_email: bool, recipient: Recipient | None) -> EmailStatus:
    if recipient is None:
        return EmailStatus.SKIPPED_NO_ADDRESS
    return EmailStatus.QUEUED if send_email else EmailStatus.NOT_REQUESTED


class Publisher:
    def __init__(self, store: InvoiceStore, directory: Directory, clock: Clock | None = None) -> None:
        self.store = store
        self.directory = directory
        self.clock = clock or SystemClock()

    def publish_invoice(
        self,
        property_id: str,
        invoice_id: str,
        send_email: bool | None,
        actor: Actor,
        request_key: str | None = None,
    ) -> Invoice:
        """Publish one draft, as from the invoice detail page's confirmation dialog.

        ``send_email`` None takes the dialog's default: checked when the resident has an
        address. ``request_key`` (the caller's Idempotency-Key) names the publish: a
        retry of a request that already took effect (its answer was lost, or the function
        died before the key's record was completed) finds its own publish and succeeds.
        """
        publish_id = publish_id_for(invoice_id, actor, request_key) if request_key else None
        invoice = get_invoice(self.store, property_id, invoice_id)
        if publish_id is not None and invoice.publish_id == publish_id:
            return invoice
        if invoice.status not in PUBLISHABLE:
            raise not_draft(invoice)
        resident = self.directory.get_resident(property_id, invoice.resident_id)
        recipient = resident.recipient() if resident else None
        if send_email is None:
            send_email = recipient is not None
        if send_email and recipient is None:
            raise errors.ResidentHasNoEmail(
                f"{invoice.resident_name} has no email address on file, so no email can be sent. "
                "Publish without the email and notify them another way, or add an address first.",
                resident_id=invoice.resident_id,
            )
        draft = DraftRef(
            invoice_id,
            property_id,
            invoice.resident_id,
            invoice.due_date.isoformat(),
            invoice.number,
            amount_due=invoice.amount_due,
        )
        return self.publish_draft(draft, recipient=recipient, send_email=send_email, actor=actor, publish_id=publish_id)

    @overload
    def publish_draft(
        self,
        draft: DraftRef,
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
        draft: DraftRef,
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
        draft: DraftRef,
        *,
        recipient: Recipient | None,
        send_email: bool,
        actor: Actor,
        job_id: str | None = None,
        publish_id: str | None = None,
        read_back: bool = True,
    ) -> Invoice | None:
        """The one Draft -> Open operation, shared by single and bulk publish.

        When the write is refused because this very publish already took effect (the SDK
        retried a write whose answer was lost), the publish succeeded: it says so.
        ``read_back=False`` (a bulk worker, which never looks at the published invoice):
        the same write, answered without the item; returns None.
        """
        now = self.clock.now()
        publish_id = publish_id or new_id("pub")
        email_status = email_status_for(send_email, recipient)
        details: dict[str, str] = {"email": email_status.value}
        if job_id:
            details["job_id"] = job_id
        entry = HistoryEntry(
            at=now,
            action="published",
            actor=actor,
            from_status=InvoiceStatus.DRAFT,
            to_status=PUBLISHED_TO,
            details=details,
        )
        publication = Publication(
            publish_id=publish_id,
            at=now,
            entry=entry,
            email_status=email_status,
            recipient=recipient if recipient and send_email else None,
            job_id=job_id,
        )
        try:
            published = self.store.publish(draft, publication, read_back=read_back)
        except Refused as refused:
            current = owned(refused.current, draft.property_id, draft.invoice_id)
            if current.publish_id == publish_id:
                return current if read_back else None
            raise not_draft(current) from None
        audit.changed(
            draft.invoice_id,
            published.number if published else draft.number,
            entry,
            email=email_status.value,
            property_id=draft.property_id,
            resident_id=draft.resident_id,
            job_id=job_id,
            publish_id=publish_id,
        )
        return published
