"""In-memory fakes of the repository ports, for the domain suite (no AWS, no moto).

Each fake keeps the same contract as its DynamoDB repository: every write checks the
same condition and, when it fails, raises ``Refused`` with the record as it stood,
changing nothing. The domain suite runs the same cases against both, so a fake that
drifts from the real repository fails there.

The property counts follow the real repositories' protocol, not the invoices: a
transition of one invoice moves them with the write; a Publish All publish does not,
its chunk's record does (``FakeJobs.record_chunk``), once.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from hoa_billing.core import lifecycle
from hoa_billing.core.changes import (
    AttentionFlag,
    DraftEdit,
    EmailClaim,
    EmailDelivery,
    EmailOutcome,
    EventClaim,
    NoticeRequest,
    PaymentChange,
    PropertyChange,
    Publication,
    RefundChange,
    Resend,
    ResidentChange,
    Voiding,
)
from hoa_billing.core.errors import InvalidCursor, Refused
from hoa_billing.core.jobs import (
    AnotherJobStarted,
    ChunkTally,
    FanOutMoved,
    FanOutProgress,
    JobExists,
    JobFailure,
    PublishJob,
)
from hoa_billing.core.models import (
    DraftAmount,
    DraftRef,
    DueInvoice,
    EmailStatus,
    HistoryEntry,
    Invoice,
    InvoiceListing,
    InvoiceStatus,
    Property,
    Resident,
    ResidentInvoiceRow,
    StatusTotals,
)


def _cursor(scope: str, after: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"scope": scope, "after": after}).encode()).decode()


def _after(cursor: str | None, scope: str) -> str | None:
    if cursor is None:
        return None
    try:
        state = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidCursor("The cursor is not one this API issued. Start again without it.") from exc
    if not isinstance(state, dict) or state.get("scope") != scope:
        raise InvalidCursor("The cursor belongs to a different listing. Start again without it.")
    return str(state["after"])


class FakeCounts:
    """Each property's counts per status and drafts' total, as the counts item holds them."""

    def __init__(self) -> None:
        self.counts: dict[str, dict[InvoiceStatus, int]] = {}
        self.draft_totals: dict[str, int] = {}

    def move(
        self,
        property_id: str,
        from_status: InvoiceStatus | None,
        to_status: InvoiceStatus | None,
        draft_total: int = 0,
        times: int = 1,
    ) -> None:
        counts = self.counts.setdefault(property_id, dict.fromkeys(InvoiceStatus, 0))
        if from_status is not None:
            counts[from_status] -= times
        if to_status is not None:
            counts[to_status] += times
        self.draft_totals[property_id] = self.draft_totals.get(property_id, 0) + draft_total

    def totals(self, property_id: str) -> StatusTotals:
        counts = self.counts.get(property_id, dict.fromkeys(InvoiceStatus, 0))
        return StatusTotals(
            {status: max(0, count) for status, count in counts.items()},
            max(0, self.draft_totals.get(property_id, 0)),
        )


class FakeInvoices:
    """Every invoice port at once (store, listings, outbox, payment records, due
    listing): one dict of invoices, as the one table behind the real repositories."""

    def __init__(self) -> None:
        self.items: dict[str, Invoice] = {}
        self.message_ids: dict[str, str] = {}  # stored beside the invoice, not in the model
        self.writes = 0  # conditional writes attempted (refused ones included)
        self.counts = FakeCounts()
        # Receipts and payment notices queued with their payment: (invoice, kind, payment).
        self.notices: dict[tuple[str, str, str], NoticeRequest] = {}

    # -- helpers -------------------------------------------------------------------

    def _current(self, invoice_id: str) -> Invoice | None:
        found = self.items.get(invoice_id)
        return found.model_copy(deep=True) if found else None

    def _require(self, invoice_id: str, condition: bool) -> Invoice:
        self.writes += 1
        current = self._current(invoice_id)
        if current is None or not condition:
            raise Refused(current)
        return current

    def _save(self, invoice: Invoice) -> Invoice:
        self.items[invoice.invoice_id] = invoice.model_copy(deep=True)
        return invoice.model_copy(deep=True)

    @staticmethod
    def _recorded(invoice: Invoice, entry: HistoryEntry, **changes: Any) -> Invoice:
        return invoice.model_copy(
            update={**changes, "history": [*invoice.history, entry], "version": invoice.version + 1}
        )

    def _check(self, invoice_id: str, check: Any) -> Invoice:
        current = self.items.get(invoice_id)
        return self._require(invoice_id, current is not None and bool(check(current)))

    # -- InvoiceStore ----------------------------------------------------------------

    def add_draft(self, invoice: Invoice) -> None:
        self.writes += 1
        if invoice.invoice_id in self.items:
            raise Refused(self._current(invoice.invoice_id))
        self._save(invoice)
        self.counts.move(invoice.property_id, None, invoice.status, invoice.amount_due)

    def get(self, invoice_id: str) -> Invoice | None:
        return self._current(invoice_id)

    def delete_draft(self, property_id: str, invoice_id: str) -> None:
        current = self._check(invoice_id, lambda i: i.status is InvoiceStatus.DRAFT and i.property_id == property_id)
        del self.items[invoice_id]
        self.counts.move(property_id, InvoiceStatus.DRAFT, None, -current.amount_due)

    def publish(self, draft: DraftRef, publication: Publication, *, read_back: bool = True) -> Invoice | None:
        current = self._check(
            draft.invoice_id,
            lambda i: (
                i.status in lifecycle.PUBLISHABLE
                and i.property_id == draft.property_id
                and i.resident_id == draft.resident_id
                and i.due_date.isoformat() == draft.due_date
                and draft.amount_due in (None, i.amount_due)
            ),
        )
        published = self._save(
            self._recorded(
                current,
                publication.entry,
                status=lifecycle.PUBLISHED_TO,
                published_at=publication.at,
                published_by=publication.entry.actor,
                email_requested=publication.email_requested,
                email_status=publication.email_status,
                recipient=publication.recipient,
                publish_id=publication.publish_id,
            )
        )
        if publication.job_id is None:  # a Publish All publish is counted with its chunk
            self.counts.move(current.property_id, current.status, lifecycle.PUBLISHED_TO, -current.amount_due)
        return published if read_back else None

    def void(self, property_id: str, invoice_id: str, voiding: Voiding) -> Invoice:
        current = self._check(
            invoice_id,
            lambda i: (
                i.status in lifecycle.VOIDABLE
                and i.status is voiding.from_status
                and i.property_id == property_id
                and i.amount_paid == 0
                and i.amount_processing == 0
            ),
        )
        self.counts.move(property_id, current.status, InvoiceStatus.VOID)
        return self._save(
            self._recorded(
                current, voiding.entry, status=InvoiceStatus.VOID, voided_at=voiding.at, void_reason=voiding.reason
            )
        )

    def edit_draft(self, property_id: str, invoice_id: str, edit: DraftEdit) -> Invoice:
        current = self._check(
            invoice_id,
            lambda i: (
                i.status in lifecycle.PUBLISHABLE and i.property_id == property_id and i.version == edit.seen_version
            ),
        )
        self.counts.move(property_id, None, None, edit.amount_due - current.amount_due)
        return self._save(
            self._recorded(
                current,
                edit.entry,
                line_items=edit.line_items,
                amount_due=edit.amount_due,
                due_date=edit.due_date,
                memo=edit.memo,
            )
        )

    def mark_overdue(self, property_id: str, invoice_id: str, due_date: str, entry: HistoryEntry) -> Invoice:
        current = self._check(
            invoice_id,
            lambda i: (
                i.status is InvoiceStatus.OPEN and i.property_id == property_id and i.due_date.isoformat() == due_date
            ),
        )
        overdue = self._save(self._recorded(current, entry, status=InvoiceStatus.OVERDUE))
        self.counts.move(property_id, InvoiceStatus.OPEN, InvoiceStatus.OVERDUE)
        return overdue

    # -- listings ----------------------------------------------------------------------

    def _of_property(self, property_id: str, status: InvoiceStatus | None = None) -> list[Invoice]:
        return [
            i for i in self.items.values() if i.property_id == property_id and (status is None or i.status is status)
        ]

    def page(
        self,
        property_id: str,
        status: InvoiceStatus | None,
        limit: int,
        cursor: str | None,
        search: str | None = None,
        email: EmailStatus | None = None,
    ) -> tuple[list[InvoiceListing], str | None]:
        scope = f"{property_id}|{status or '*'}|{search or ''}" + (f"|{email}" if email else "")
        found = [
            i
            for i in self._of_property(property_id, status)
            if _found_by(i, search)
            and (
                email is None or (_listed_email(i) is email and (status is not None or i.status in lifecycle.EMAILABLE))
            )
        ]
        ordered = sorted(found, key=lambda i: i.invoice_id, reverse=True)
        after = _after(cursor, scope)
        if after is not None:
            ordered = [i for i in ordered if i.invoice_id < after]
        page = ordered[:limit]
        rows = [InvoiceListing.model_validate({**i.model_dump(), "email_status": _listed_email(i)}) for i in page]
        return rows, (_cursor(scope, page[-1].invoice_id) if len(ordered) > limit else None)

    def status_totals(self, property_id: str) -> StatusTotals:
        return self.counts.totals(property_id)

    def count(self, property_id: str, status: InvoiceStatus) -> int:
        return len(self._of_property(property_id, status))

    def draft_amounts(self, property_id: str) -> list[DraftAmount]:
        return [DraftAmount(i.resident_id, i.amount_due) for i in self._of_property(property_id, InvoiceStatus.DRAFT)]

    def draft_refs(self, property_id: str, position: str | None, limit: int) -> tuple[list[DraftRef], str | None]:
        after = _after(position, f"drafts|{property_id}") or ""
        drafts = sorted(
            (i for i in self._of_property(property_id, InvoiceStatus.DRAFT) if i.invoice_id > after),
            key=lambda i: i.invoice_id,
        )
        page = drafts[:limit]
        refs = [
            DraftRef(
                i.invoice_id, property_id, i.resident_id, i.due_date.isoformat(), i.number, amount_due=i.amount_due
            )
            for i in page
        ]
        more = len(drafts) > limit
        return refs, (_cursor(f"drafts|{property_id}", page[-1].invoice_id) if more else None)

    def for_resident(
        self, resident_id: str, limit: int, cursor: str | None
    ) -> tuple[list[ResidentInvoiceRow], str | None]:
        scope = f"resident|{resident_id}"
        after = _after(cursor, scope)
        published = sorted(
            (i for i in self.items.values() if i.resident_id == resident_id and i.status in lifecycle.PUBLISHED),
            key=lambda i: i.invoice_id,
            reverse=True,
        )
        if after is not None:
            published = [i for i in published if i.invoice_id < after]
        page = published[:limit]
        more = len(published) > limit
        rows = [ResidentInvoiceRow.model_validate(i.model_dump()) for i in page]
        return rows, (_cursor(scope, page[-1].invoice_id) if more else None)

    def get_for_resident(self, resident_id: str, invoice_id: str) -> Invoice | None:
        found = self.items.get(invoice_id)
        if found is None or found.resident_id != resident_id or found.status not in lifecycle.PUBLISHED:
            return None
        return found.model_copy(deep=True)

    def due_before(self, day_exclusive: str) -> Iterator[DueInvoice]:
        for i in list(self.items.values()):
            if i.status is InvoiceStatus.OPEN and i.due_date.isoformat() < day_exclusive:
                yield DueInvoice(i.invoice_id, i.property_id, i.due_date.isoformat(), i.time_zone)

    # -- the email outbox --------------------------------------------------------------

    def delivery_of(self, stream_record: dict[str, Any]) -> EmailDelivery:
        """A fake stream record: ``{"invoice_id", "token"}``; the request is the one queued."""
        invoice = self.items[stream_record["invoice_id"]]
        request_id = invoice.email_request_id or invoice.publish_id
        assert request_id is not None
        return EmailDelivery(stream_record["invoice_id"], request_id, stream_record["token"], invoice.model_copy())

    @staticmethod
    def _requested(invoice: Invoice, request_id: str) -> bool:
        return invoice.email_request_id == request_id or (
            invoice.email_request_id is None and invoice.publish_id == request_id
        )

    def claim_email(self, invoice_id: str, claim: EmailClaim, seen: Invoice | None = None) -> Invoice:
        def claimable(i: Invoice) -> bool:
            free = i.email_status is EmailStatus.QUEUED or (
                i.email_status is EmailStatus.SENDING
                and (
                    i.email_claim_token == claim.token
                    or (i.email_claim_at is not None and i.email_claim_at < claim.stale_before)
                )
            )
            return i.status in lifecycle.EMAILABLE and free and self._requested(i, claim.request_id)

        current = self._check(invoice_id, claimable)
        return self._save(
            current.model_copy(
                update={
                    "email_status": EmailStatus.SENDING,
                    "email_claim_token": claim.token,
                    "email_claim_at": claim.at,
                    "email_attempts": current.email_attempts + 1,
                }
            )
        )

    def _holding(self, invoice_id: str, token: str) -> Invoice:
        return self._check(invoice_id, lambda i: i.email_status is EmailStatus.SENDING and i.email_claim_token == token)

    def release_email(self, invoice_id: str, token: str, details: dict[str, Any]) -> None:
        current = self._holding(invoice_id, token)
        self._save(
            current.model_copy(
                update={
                    "email_status": EmailStatus.QUEUED,
                    "email_details": details,
                    "email_claim_token": None,
                    "email_claim_at": None,
                }
            )
        )

    def record_email_outcome(self, invoice_id: str, outcome: EmailOutcome) -> None:
        current = self._holding(invoice_id, outcome.token)
        self._save(
            self._recorded(
                current,
                outcome.entry,
                email_status=outcome.status,
                email_details=outcome.details,
                email_claim_token=None,
                email_claim_at=None,
            )
        )
        if outcome.message_id:
            self.message_ids[invoice_id] = outcome.message_id
        else:
            self.message_ids.pop(invoice_id, None)

    def cancel_email(self, invoice_id: str, request_id: str, details: dict[str, Any], entry: HistoryEntry) -> None:
        current = self._check(
            invoice_id, lambda i: i.email_status is EmailStatus.QUEUED and self._requested(i, request_id)
        )
        self._save(self._recorded(current, entry, email_status=EmailStatus.FAILED, email_details=details))

    def queue_resend(self, property_id: str, invoice_id: str, resend: Resend) -> Invoice:
        current = self._check(
            invoice_id,
            lambda i: (
                i.status in lifecycle.EMAILABLE
                and i.property_id == property_id
                and i.email_status not in (EmailStatus.QUEUED, EmailStatus.SENDING)
                and (i.email_requested_at is None or i.email_requested_at <= resend.not_since)
            ),
        )
        return self._save(
            self._recorded(
                current,
                resend.entry,
                email_status=EmailStatus.QUEUED,
                email_requested=True,
                email_request_id=resend.request_id,
                email_requested_at=resend.at,
                recipient=resend.recipient,
                email_details={
                    "request_id": resend.request_id,
                    "to": resend.recipient.email,
                    "queued_at": resend.at.isoformat(),
                },
                email_attempts=0,
                email_claim_token=None,
                email_claim_at=None,
            )
        )

    def record_bounce(self, invoice_id: str, message_id: str, details: dict[str, Any], entry: HistoryEntry) -> None:
        current = self._check(
            invoice_id,
            lambda i: i.email_status is EmailStatus.SENT and self.message_ids.get(invoice_id) == message_id,
        )
        self._save(self._recorded(current, entry, email_status=EmailStatus.BOUNCED, email_details=details))

    # -- payment records -------------------------------------------------------------

    def apply_payment(self, invoice: Invoice, change: PaymentChange) -> Invoice:
        def applies(i: Invoice) -> bool:
            record = i.payments.get(change.payment_id)
            if change.record is not None:
                record_ok = record is None
            else:
                record_ok = record is not None and record.state == change.seen_state
            paying_ok = change.paid_at is None or (
                i.status in lifecycle.PAYABLE and i.property_id == invoice.property_id
            )
            return i.version == change.seen_version and record_ok and paying_ok

        notice_key = (invoice.invoice_id, change.notice.kind.value, change.payment_id) if change.notice else None
        current = self._check(invoice.invoice_id, lambda i: applies(i) and notice_key not in self.notices)
        if change.notice is not None and notice_key is not None:
            self.notices[notice_key] = change.notice
        payments = dict(current.payments)
        if change.record is not None:
            payments[change.payment_id] = change.record
        else:
            record = payments[change.payment_id]
            updates: dict[str, Any] = {"updated_at": change.at}
            if change.new_state is not None:
                updates["state"] = change.new_state
            if change.session_id:
                updates["session_id"] = change.session_id
            if change.failure:
                updates["failure"] = change.failure
            payments[change.payment_id] = record.model_copy(update=updates)
        updates = {
            "payments": payments,
            "amount_paid": current.amount_paid + change.paid,
            "amount_processing": current.amount_processing + change.processing,
        }
        if change.attention:
            updates["needs_attention"] = True
        if change.paid_at is not None:
            updates.update(status=InvoiceStatus.PAID, paid_at=change.paid_at)
            self.counts.move(current.property_id, current.status, InvoiceStatus.PAID)
        return self._save(self._recorded(current, change.entry, **updates))

    def queued_notices(self, invoice_id: str) -> list[tuple[str, str, int, int]]:
        return [
            (n.kind.value, n.payment_id, n.amount, n.balance_after)
            for (i, _, _), n in sorted(self.notices.items(), key=lambda kv: kv[1].at)
            if i == invoice_id
        ]

    def record_refund(self, invoice: Invoice, change: RefundChange) -> Invoice:
        current = self._check(invoice.invoice_id, lambda i: i.refunds.get(change.charge_id) == change.before)
        return self._save(
            self._recorded(
                current,
                change.entry,
                refunds={**current.refunds, change.charge_id: change.amount_refunded},
                amount_refunded=current.amount_refunded + change.amount_refunded - (change.before or 0),
                needs_attention=True,
            )
        )

    def flag(self, invoice_id: str, flag: AttentionFlag) -> Invoice:
        current = self._check(invoice_id, lambda i: True)
        return self._save(self._recorded(current, flag.entry, needs_attention=True))


def _listed_email(invoice: Invoice) -> EmailStatus:
    """The email state the Invoices page lists: a sender's claim shows as still queued."""
    return EmailStatus.QUEUED if invoice.email_status is EmailStatus.SENDING else invoice.email_status


def _found_by(invoice: Invoice, search: str | None) -> bool:
    """As the real listing searches: an invoice number (``INV-00012``, ``12``), else part of
    the resident's name, ignoring case."""
    if not search:
        return True
    number = re.match(r"^(?:INV-)?0*(\d{1,9})$", search.strip(), re.IGNORECASE)
    if number:
        return invoice.number == f"INV-{int(number.group(1)):05d}"
    return search.strip().casefold() in invoice.resident_name.casefold()


class FakeDirectory:
    def __init__(self) -> None:
        self.properties: dict[str, Property] = {}
        self.sequences: dict[str, int] = {}
        self.residents: dict[tuple[str, str], Resident] = {}

    def put_property(self, prop: Property) -> None:
        self.properties[prop.property_id] = prop.model_copy()

    def create_property(self, prop: Property) -> None:
        if prop.property_id in self.properties:
            raise Refused(self.properties[prop.property_id])
        self.put_property(prop)

    def update_property(self, property_id: str, change: PropertyChange) -> Property:
        current = self.properties.get(property_id)
        if current is None:
            raise Refused(None)
        updates = {
            f: getattr(change, f)
            for f in ("name", "time_zone", "sender_name", "reply_to_email")
            if getattr(change, f) is not None
        }
        if change.clear_reply_to:
            updates["reply_to_email"] = None
        self.properties[property_id] = current.model_copy(update=updates)
        return self.properties[property_id].model_copy()

    def get_properties(self, property_ids: list[str]) -> list[Property]:
        return [self.properties[p].model_copy() for p in property_ids[:100] if p in self.properties]

    def list_properties(self, limit: int, cursor: str | None) -> tuple[list[Property], str | None]:
        after = _after(cursor, "properties") or ""
        ordered = sorted((p for p in self.properties.values() if p.property_id > after), key=lambda p: p.property_id)
        page = ordered[:limit]
        return [p.model_copy() for p in page], (
            _cursor("properties", page[-1].property_id) if len(ordered) > limit else None
        )

    def update_resident(self, property_id: str, resident_id: str, change: ResidentChange) -> Resident:
        current = self.residents.get((property_id, resident_id))
        if current is None:
            raise Refused(None)
        updates: dict[str, Any] = {"history": [*current.history, change.entry], "version": current.version + 1}
        if change.name is not None:
            updates["name"] = change.name
        if change.unit is not None:
            updates["unit"] = change.unit
        if change.email is not None:
            updates["email"] = change.email
        elif change.clear_email:
            updates["email"] = None
        if change.email_changes:
            updates["email_bouncing"] = False
        self.residents[(property_id, resident_id)] = current.model_copy(update=updates)
        return self.residents[(property_id, resident_id)].model_copy()

    def get_property(self, property_id: str) -> Property | None:
        found = self.properties.get(property_id)
        return found.model_copy() if found else None

    def next_invoice_number(self, property_id: str) -> tuple[int, Property] | None:
        prop = self.get_property(property_id)
        if prop is None:
            return None
        self.sequences[property_id] = self.sequences.get(property_id, 0) + 1
        return self.sequences[property_id], prop

    def add_resident(self, resident: Resident) -> None:
        key = (resident.property_id, resident.resident_id)
        if key in self.residents:
            raise Refused(self.residents[key])
        self.residents[key] = resident.model_copy()

    def get_resident(self, property_id: str, resident_id: str) -> Resident | None:
        found = self.residents.get((property_id, resident_id))
        return found.model_copy() if found else None

    def list_residents(self, property_id: str, limit: int, cursor: str | None) -> tuple[list[Resident], str | None]:
        scope = f"residents|{property_id}"
        after = _after(cursor, scope) or ""
        residents = sorted(
            (r for (p, rid), r in self.residents.items() if p == property_id and rid > after),
            key=lambda r: r.resident_id,
        )
        page = residents[:limit]
        more = len(residents) > limit
        return [r.model_copy() for r in page], (_cursor(scope, page[-1].resident_id) if more else None)

    def all_residents(self, property_id: str) -> Iterator[Resident]:
        for (p, _), resident in sorted(self.residents.items()):
            if p == property_id:
                yield resident.model_copy()

    def mark_address_bouncing(self, property_id: str, resident_id: str, address: str) -> bool:
        resident = self.residents.get((property_id, resident_id))
        if resident is None or resident.email != address:
            return False
        self.residents[(property_id, resident_id)] = resident.model_copy(update={"email_bouncing": True})
        return True


class FakeJobs:
    """``counts``: the invoices' property counts, moved by each chunk once (None: not kept)."""

    def __init__(self, counts: FakeCounts | None = None) -> None:
        self.jobs: dict[str, PublishJob] = {}
        self.markers: set[tuple[str, str]] = set()
        self.failures: dict[str, dict[str, str]] = {}
        self.latest_of: dict[str, str] = {}
        self.counts = counts

    def create(self, job: PublishJob, replacing: str | None = None) -> None:
        if job.job_id in self.jobs:
            raise JobExists(job.job_id)
        if self.latest_of.get(job.property_id) != replacing:
            raise AnotherJobStarted(self.latest_of.get(job.property_id))
        self.jobs[job.job_id] = job.model_copy(deep=True)
        self.latest_of[job.property_id] = job.job_id

    def latest(self, property_id: str) -> PublishJob | None:
        job_id = self.latest_of.get(property_id)
        return self.get(job_id) if job_id else None

    def for_property(self, property_id: str, limit: int, cursor: str | None) -> tuple[list[PublishJob], str | None]:
        scope = f"jobs|{property_id}"
        after = _after(cursor, scope)
        keyed = sorted(
            ((f"{j.started_at.isoformat()}#{j.job_id}", j) for j in self.jobs.values() if j.property_id == property_id),
            key=lambda pair: pair[0],
            reverse=True,
        )
        if after is not None:
            keyed = [(k, j) for k, j in keyed if k < after]
        page = keyed[:limit]
        return [j.model_copy(deep=True) for _, j in page], (_cursor(scope, page[-1][0]) if len(keyed) > limit else None)

    def get(self, job_id: str) -> PublishJob | None:
        found = self.jobs.get(job_id)
        return found.model_copy(deep=True) if found else None

    def get_with_failures(self, job_id: str, max_failures: int) -> PublishJob | None:
        job = self.get(job_id)
        if job is None:
            return None
        failures = sorted(self.failures.get(job_id, {}).items(), reverse=True)[:max_failures]
        return job.model_copy(update={"failures": [JobFailure(invoice_id=i, reason=r) for i, r in failures]})

    def record_fan_out(
        self, job_id: str, seen: FanOutProgress, step: FanOutProgress, enqueued: int, at: datetime, unlisted: int = 0
    ) -> None:
        job = self.jobs[job_id]
        if job.fan_out.seq != seen.seq:
            raise FanOutMoved(job_id)
        self.jobs[job_id] = job.model_copy(
            update={
                "fan_out": step,
                "enumerated": job.enumerated + enqueued,
                "unlisted": job.unlisted + unlisted,
                "updated_at": at,
            }
        )

    def record_chunk(self, job_id: str, message_id: str, tally: ChunkTally, at: datetime) -> bool:
        if (job_id, message_id) in self.markers:
            return False
        job = self.jobs.get(job_id)
        if job is None:
            raise Refused(1)
        self.markers.add((job_id, message_id))
        self.jobs[job_id] = job.model_copy(
            update={
                "published": job.published + tally.published,
                "skipped": job.skipped + tally.skipped,
                "failed": job.failed + len(tally.failures),
                "updated_at": at,
            }
        )
        self.failures.setdefault(job_id, {}).update(dict(tally.failures))
        if self.counts is not None and tally.property_id and tally.published:
            self.counts.move(
                tally.property_id,
                InvoiceStatus.DRAFT,
                InvoiceStatus.OPEN,
                -tally.published_amount,
                times=tally.published,
            )
        return True


class FakeQueue:
    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []

    def send(self, body: dict[str, Any]) -> None:
        self.messages.append(json.loads(json.dumps(body)))

    def send_all(self, bodies: Sequence[dict[str, Any]]) -> None:
        for body in bodies:
            self.send(body)

    def take(self) -> list[dict[str, Any]]:
        taken, self.messages = self.messages, []
        return taken


class FakeProcessedEvents:
    def __init__(self) -> None:
        self.events: dict[str, dict[str, Any]] = {}

    def claim(self, event_id: str, event_type: str, now: int, lease_seconds: int, expires_at: int) -> EventClaim:
        current = self.events.get(event_id)
        if current is not None and not (current["state"] == "processing" and current["lease_until"] < now):
            return EventClaim(won=False, done=current["state"] == "done")
        self.events[event_id] = {"state": "processing", "lease_until": now + lease_seconds, "type": event_type}
        return EventClaim(won=True)

    def finish(self, event_id: str, outcome: str, details: dict[str, Any]) -> None:
        current = self.events.get(event_id)
        if current is None or current["state"] != "processing":
            if (current or {}).get("state") != "done":
                raise Refused(current)
            return
        self.events[event_id] = {"state": "done", "outcome": outcome, "details": details}

    def release(self, event_id: str) -> None:
        if self.events.get(event_id, {}).get("state") == "processing":
            del self.events[event_id]

    def get(self, event_id: str) -> dict[str, Any] | None:
        return self.events.get(event_id)


class FakeEmailSender:
    """The mail service: accepts every message unless told to refuse."""

    def __init__(self) -> None:
        self.sent: list[Any] = []
        self.failures: list[Exception] = []

    def send(self, message: Any) -> str:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(message)
        return f"msg-{len(self.sent)}"
