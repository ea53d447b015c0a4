"""Stripe payments applied to invoices: what each event does, at most once.

Each Stripe payment is a record on the invoice (keyed by its PaymentIntent) whose state
only moves forward:

    (none) ---------------------------> succeeded
      |  \\--> attempt_failed --------->/    ^
      |                \\--> processing ---/
      \\-----> failed <--------------/

Every change is one conditional write guarded by the record's current state and the
invoice's version, so a replayed event finds nothing to do and events that arrive out of
order end in the same state as in order (``plan`` is the whole rule book). The same
write moves the invoice to Paid, from Open or Overdue only, when the amount paid reaches
the amount due. Money is never dropped: a payment for a Void, Paid or unknown invoice is
recorded and flagged for a person.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hoa_billing.core import audit, lifecycle
from hoa_billing.core.changes import AttentionFlag, NoticeRequest, PaymentChange, RefundChange
from hoa_billing.core.clock import Clock, SystemClock
from hoa_billing.core.errors import Refused
from hoa_billing.core.models import (
    Actor,
    ActorKind,
    HistoryEntry,
    Invoice,
    InvoiceStatus,
    NoticeKind,
    PaymentRecord,
    PaymentState,
)
from hoa_billing.payments.events import PaymentEvent, PaymentEventKind
from hoa_billing.payments.ports import PaymentRecords

# A concurrent change to the same invoice makes a write's condition fail; the refused
# write returns the invoice as it now is, and the event is planned again from there.
MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class Step:
    """What one event does to one payment record and to the invoice's amounts."""

    to_state: PaymentState | None  # None: only the failure details are added
    paid: int = 0
    processing: int = 0
    attention: str | None = None


def plan(current: PaymentRecord | None, event: PaymentEvent) -> Step | None:
    """The step an event takes from the record's current state; None when it changes nothing.

    States only move forward, so whatever order Stripe delivers events in, and however
    often, the record ends in the same state with the same amounts.
    """
    state = current.state if current else None
    in_flight = current.amount if current and state is PaymentState.PROCESSING else 0
    fresh = state in (None, PaymentState.ATTEMPT_FAILED)
    kind = event.kind
    if kind is PaymentEventKind.SUCCEEDED:
        if fresh or state is PaymentState.PROCESSING:
            return Step(PaymentState.SUCCEEDED, paid=event.amount, processing=-in_flight)
        if state is PaymentState.FAILED:
            return Step(PaymentState.SUCCEEDED, paid=event.amount, attention="payment succeeded after it had failed")
        return None
    if kind is PaymentEventKind.PROCESSING:
        return Step(PaymentState.PROCESSING, processing=event.amount) if fresh else None
    if kind is PaymentEventKind.FAILED:
        if fresh or state is PaymentState.PROCESSING:
            return Step(PaymentState.FAILED, processing=-in_flight)
        return None
    if kind is PaymentEventKind.ATTEMPT_FAILED:
        if state is None:
            return Step(PaymentState.ATTEMPT_FAILED)
        if state is PaymentState.PROCESSING:  # the bank debit itself failed
            return Step(PaymentState.FAILED, processing=-in_flight)
        if current is not None and current.failure == event.failure:
            return None
        return Step(None)
    raise ValueError(f"plan() does not handle {kind}")


def _notice(invoice: Invoice, event: PaymentEvent, step: Step, paid: int, now: Any) -> NoticeRequest | None:
    """What the resident is told about this change: a receipt for money applied; a notice
    when a bank payment failed and the invoice is payable again (the pay link works).
    Nothing for a change that applies no money (a card declined at checkout is seen by
    the resident there and then)."""
    if paid > 0:
        kind, balance = NoticeKind.RECEIPT, invoice.amount_due - invoice.amount_paid - paid
    elif step.to_state is PaymentState.FAILED and invoice.status in lifecycle.PAYABLE and invoice.balance > 0:
        kind, balance = NoticeKind.PAYMENT_FAILED, invoice.balance
    else:
        return None
    return NoticeRequest(
        kind=kind,
        payment_id=event.payment_id,
        amount=paid or event.amount,
        currency=invoice.currency,
        balance_after=max(balance, 0),
        at=now,
        event_id=event.event_id,
    )


_ACTIONS = {
    PaymentState.SUCCEEDED: "payment_succeeded",
    PaymentState.PROCESSING: "payment_processing",
    PaymentState.FAILED: "payment_failed",
    PaymentState.ATTEMPT_FAILED: "payment_attempt_failed",
    None: "payment_attempt_failed",
}


@dataclass(frozen=True)
class Applied:
    outcome: str  # applied | flagged | no_change | unmatched | ignored | duplicate
    invoice_id: str | None = None
    status: InvoiceStatus | None = None
    attention: str | None = None


def stripe_actor(event: PaymentEvent) -> Actor:
    return Actor(kind=ActorKind.STRIPE, id=event.event_id, name=event.event_type)


class PaymentLedger:
    """Applies payment events to invoices by conditional writes."""

    def __init__(self, records: PaymentRecords, clock: Clock | None = None) -> None:
        self.records = records
        self.clock = clock or SystemClock()

    def apply(self, event: PaymentEvent) -> Applied:
        invoice = self.records.get(event.invoice_id) if event.invoice_id else None
        if event.amount_problem:
            return self._flag(invoice, event, event.amount_problem)
        for _ in range(MAX_ATTEMPTS):
            if invoice is None or (event.property_id and event.property_id != invoice.property_id):
                return Applied(
                    "unmatched", event.invoice_id, attention="payment for an invoice this service does not know"
                )
            try:
                if event.kind is PaymentEventKind.REFUNDED:
                    refund = self._refund(invoice, event)
                    if refund is None:
                        return Applied("no_change", invoice.invoice_id, invoice.status)
                    updated = self.records.record_refund(invoice, refund)
                    self._logged(invoice, updated, refund.entry, event, attention=refund.entry.reason)
                    return Applied("applied", updated.invoice_id, updated.status, refund.entry.reason)
                change = self._change_for(invoice, event)
                if change is None:
                    return Applied("no_change", invoice.invoice_id, invoice.status)
                updated = self.records.apply_payment(invoice, change)
            except Refused as refused:
                invoice = refused.current
                continue
            self._logged(invoice, updated, change.entry, event, attention=change.attention, paid=change.paid)
            return Applied("applied", updated.invoice_id, updated.status, change.attention)
        raise RuntimeError(f"invoice {event.invoice_id} kept changing while applying {event.event_id}")

    def _flag(self, invoice: Invoice | None, event: PaymentEvent, problem: str) -> Applied:
        """An event whose money is not money: applied to nothing, kept for a person."""
        attention = f"amount not applied, {problem}"
        unknown = f"{attention}; for an invoice this service does not know"
        if invoice is None or (event.property_id and event.property_id != invoice.property_id):
            return Applied("unmatched", event.invoice_id, attention=unknown)
        entry = HistoryEntry(
            at=self.clock.now(),
            action="payment_needs_attention",
            actor=stripe_actor(event),
            reason=attention,
            details={"payment_id": event.payment_id, "event_id": event.event_id},
        )
        try:
            flagged = self.records.flag(invoice.invoice_id, AttentionFlag(entry))
        except Refused:  # the draft was deleted meanwhile
            return Applied("unmatched", event.invoice_id, attention=unknown)
        self._logged(invoice, flagged, entry, event, attention=attention)
        return Applied("flagged", flagged.invoice_id, flagged.status, attention)

    @staticmethod
    def _logged(before: Invoice, after: Invoice, entry: HistoryEntry, event: PaymentEvent, **details: Any) -> None:
        audit.changed(
            after.invoice_id,
            after.number,
            entry,
            before=before.status.value,
            after=after.status.value,
            property_id=after.property_id,
            payment_id=event.payment_id,
            event_id=event.event_id,
            **details,
        )

    def _change_for(self, invoice: Invoice, event: PaymentEvent) -> PaymentChange | None:
        current = invoice.payments.get(event.payment_id)
        step = plan(current, event)
        if step is None:
            return None
        now = self.clock.now()
        attention = step.attention
        paid = step.paid
        if (paid or step.processing > 0) and event.currency != invoice.currency:
            attention = f"payment in {event.currency} for an invoice in {invoice.currency}"
            paid = 0
        elif (paid or step.processing > 0) and invoice.status not in lifecycle.PAYABLE:
            attention = f"payment for an invoice that is already {invoice.status}"
        new_paid = invoice.amount_paid + paid
        to_paid = invoice.status in lifecycle.PAYABLE and paid > 0 and new_paid >= invoice.amount_due
        if to_paid and new_paid > invoice.amount_due:
            attention = f"overpaid by {new_paid - invoice.amount_due} minor units"
        details: dict[str, Any] = {"payment_id": event.payment_id, "amount": event.amount, "event_id": event.event_id}
        if event.session_id:
            details["session_id"] = event.session_id
        if event.failure:
            details["failure"] = event.failure
        entry = HistoryEntry(
            at=now,
            action=_ACTIONS[step.to_state],
            actor=stripe_actor(event),
            from_status=invoice.status if to_paid else None,
            to_status=InvoiceStatus.PAID if to_paid else None,
            reason=attention,
            details=details,
        )
        record = None
        if current is None:
            record = PaymentRecord(
                payment_id=event.payment_id,
                state=step.to_state or PaymentState.ATTEMPT_FAILED,
                amount=event.amount,
                currency=event.currency,
                session_id=event.session_id,
                failure=event.failure,
                updated_at=now,
            )
        return PaymentChange(
            notice=_notice(invoice, event, step, paid, now),
            payment_id=event.payment_id,
            seen_version=invoice.version,
            entry=entry,
            at=now,
            record=record,
            seen_state=current.state if current else None,
            new_state=step.to_state,
            session_id=event.session_id
            if current is not None and event.session_id and not current.session_id
            else None,
            failure=event.failure,
            paid=paid,
            processing=step.processing,
            attention=attention,
            paid_at=now if to_paid else None,
        )

    def _refund(self, invoice: Invoice, event: PaymentEvent) -> RefundChange | None:
        """Refunds are recorded and flagged; the invoice's status never moves backwards."""
        assert event.charge_id is not None
        before = invoice.refunds.get(event.charge_id)
        if event.amount_refunded <= (before or 0):
            return None
        entry = HistoryEntry(
            at=self.clock.now(),
            action="payment_refunded",
            actor=stripe_actor(event),
            reason="payment refunded in Stripe: check the invoice balance",
            details={
                "payment_id": event.payment_id,
                "charge_id": event.charge_id,
                "amount_refunded": event.amount_refunded,
                "event_id": event.event_id,
            },
        )
        return RefundChange(
            charge_id=event.charge_id, before=before, amount_refunded=event.amount_refunded, entry=entry
        )
