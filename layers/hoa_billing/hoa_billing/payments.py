"""Stripe payments applied to invoices: what each webhook event does, at most once.

Each Stripe payment is a record on the invoice, ``payments.<payment_intent_id>``, whose
state only moves forward:

    (none) ---------------------------> succeeded
      |  \\--> attempt_failed --------->/    ^
      |                \\--> processing ---/
      \\-----> failed <--------------/

Every change is one conditional UpdateItem guarded by the record's current state and
the invoice's version, so a replayed event finds nothing to do and events that arrive
out of order end in the same state as in order (``plan`` is the whole rule book). The
same write moves the invoice to Paid, from Open or Overdue only, when the amount paid
reaches the amount due. Money is never dropped: a payment for a Void, Paid or unknown
invoice is recorded and flagged for a person.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from hoa_billing import errors, lifecycle
from hoa_billing.clock import Clock, SystemClock, iso
from hoa_billing.dal.invoices import ConditionFailed, InvoiceRepository, history_value, leave_open_update
from hoa_billing.dal.stripe_events import DONE, ProcessedEvents
from hoa_billing.dal.update import Update
from hoa_billing.models import Actor, ActorKind, HistoryEntry, Invoice, InvoiceStatus, PaymentRecord, PaymentState

_STRIPE_ID = re.compile(r"^\w{1,255}$")
_INVOICE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# A concurrent change to the same invoice makes a write's condition fail; the refused
# write returns the invoice as it now is, and the event is planned again from there.
MAX_ATTEMPTS = 5


class PaymentEventKind(StrEnum):
    PROCESSING = "processing"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    ATTEMPT_FAILED = "attempt_failed"
    REFUNDED = "refunded"


@dataclass(frozen=True)
class PaymentEvent:
    """A Stripe event reduced to what the ledger needs."""

    event_id: str
    event_type: str
    kind: PaymentEventKind
    invoice_id: str | None
    property_id: str | None
    payment_id: str
    amount: int
    currency: str
    session_id: str | None = None
    failure: dict[str, Any] | None = None
    charge_id: str | None = None
    amount_refunded: int = 0


class StripeEventIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str
    type: str
    created: int
    data: dict[str, Any]


_SESSION_KINDS = {
    "checkout.session.async_payment_succeeded": PaymentEventKind.SUCCEEDED,
    "checkout.session.async_payment_failed": PaymentEventKind.FAILED,
}
HANDLED_TYPES = frozenset(
    {"checkout.session.completed", *_SESSION_KINDS, "payment_intent.payment_failed", "charge.refunded"}
)


def _metadata_ids(obj: dict[str, Any]) -> tuple[str | None, str | None]:
    metadata = obj.get("metadata") or {}
    invoice_id = metadata.get("invoice_id") or obj.get("client_reference_id")
    property_id = metadata.get("property_id")
    valid = isinstance(invoice_id, str) and _INVOICE_ID.match(invoice_id)
    return (invoice_id if valid else None), (property_id if isinstance(property_id, str) else None)


def _stripe_id(value: Any) -> str:
    if isinstance(value, dict):  # an expanded object
        value = value.get("id")
    if not isinstance(value, str) or not _STRIPE_ID.match(value):
        raise errors.InvalidRequest("The Stripe event names an object id this service cannot store.")
    return value


def payment_event_from(event: StripeEventIn) -> PaymentEvent | None:
    """The payment meaning of a verified Stripe event; None for events this service ignores."""
    if event.type not in HANDLED_TYPES:
        return None
    obj = event.data.get("object")
    if not isinstance(obj, dict):
        raise errors.InvalidRequest("The Stripe event carries no object.")
    invoice_id, property_id = _metadata_ids(obj)
    common: dict[str, Any] = {
        "event_id": event.id,
        "event_type": event.type,
        "invoice_id": invoice_id,
        "property_id": property_id,
        "currency": str(obj.get("currency") or "").upper(),
    }
    if event.type.startswith("checkout.session."):
        if event.type == "checkout.session.completed":
            status = obj.get("payment_status")
            if status == "paid":
                kind = PaymentEventKind.SUCCEEDED
            elif status == "unpaid":
                kind = PaymentEventKind.PROCESSING
            else:  # no_payment_required: nothing changes hands
                return None
        else:
            kind = _SESSION_KINDS[event.type]
        session_id = _stripe_id(obj.get("id"))
        intent = obj.get("payment_intent")
        payment_id = _stripe_id(intent) if intent else session_id
        return PaymentEvent(
            kind=kind, payment_id=payment_id, amount=int(obj.get("amount_total") or 0), session_id=session_id, **common
        )
    if event.type == "payment_intent.payment_failed":
        error = obj.get("last_payment_error") or {}
        failure = {
            key: str(error[key]) for key in ("code", "decline_code", "message", "type") if error.get(key) is not None
        }
        method = (error.get("payment_method") or {}).get("type")
        if method:
            failure["payment_method"] = str(method)
        return PaymentEvent(
            kind=PaymentEventKind.ATTEMPT_FAILED,
            payment_id=_stripe_id(obj.get("id")),
            amount=int(obj.get("amount") or 0),
            failure=failure or {"message": "The payment failed."},
            **common,
        )
    # charge.refunded
    intent = obj.get("payment_intent")
    charge_id = _stripe_id(obj.get("id"))
    return PaymentEvent(
        kind=PaymentEventKind.REFUNDED,
        payment_id=_stripe_id(intent) if intent else charge_id,
        amount=int(obj.get("amount") or 0),
        charge_id=charge_id,
        amount_refunded=int(obj.get("amount_refunded") or 0),
        **common,
    )


# -- the rule book ----------------------------------------------------------------------


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


_ACTIONS = {
    PaymentState.SUCCEEDED: "payment_succeeded",
    PaymentState.PROCESSING: "payment_processing",
    PaymentState.FAILED: "payment_failed",
    PaymentState.ATTEMPT_FAILED: "payment_attempt_failed",
    None: "payment_attempt_failed",
}


@dataclass(frozen=True)
class Applied:
    outcome: str  # applied | no_change | unmatched | ignored | duplicate
    invoice_id: str | None = None
    status: InvoiceStatus | None = None
    attention: str | None = None


class PaymentLedger:
    """Applies payment events to invoices by conditional writes."""

    def __init__(self, invoices: InvoiceRepository, clock: Clock | None = None) -> None:
        self.invoices = invoices
        self.clock = clock or SystemClock()

    def apply(self, event: PaymentEvent) -> Applied:
        invoice = self.invoices.get(event.invoice_id) if event.invoice_id else None
        for _ in range(MAX_ATTEMPTS):
            if invoice is None or (event.property_id and event.property_id != invoice.property_id):
                return Applied(
                    "unmatched", event.invoice_id, attention="payment for an invoice this service does not know"
                )
            update, attention = self._update_for(invoice, event)
            if update is None:
                return Applied("no_change", invoice.invoice_id, invoice.status)
            try:
                updated = self.invoices.apply(invoice.invoice_id, update)
            except ConditionFailed as refused:
                invoice = refused.current
                continue
            return Applied("applied", updated.invoice_id, updated.status, attention)
        raise RuntimeError(f"invoice {event.invoice_id} kept changing while applying {event.event_id}")

    def _update_for(self, invoice: Invoice, event: PaymentEvent) -> tuple[Update | None, str | None]:
        if event.kind is PaymentEventKind.REFUNDED:
            return self._refund(invoice, event)
        current = invoice.payments.get(event.payment_id)
        step = plan(current, event)
        if step is None:
            return None, None
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
        if to_paid:
            update = leave_open_update(
                invoice_id=invoice.invoice_id,
                property_id=invoice.property_id,
                to_status=InvoiceStatus.PAID,
                from_statuses=lifecycle.PAYABLE,
                fields={"paid_at": iso(now)},
                history=entry,
            )
        else:
            update = Update().append("history", [history_value(entry)]).add("version", 1)
        path = f"payments.{event.payment_id}"
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
            update.set(path, record.model_dump(mode="json", exclude_none=True))
            update.require("attribute_not_exists({" + path + "})")
        else:
            if step.to_state is not None:
                update.set(f"{path}.state", step.to_state.value)
            if event.session_id and not current.session_id:
                update.set(f"{path}.session_id", event.session_id)
            if event.failure:
                update.set(f"{path}.failure", event.failure)
            update.set(f"{path}.updated_at", iso(now))
            update.require("{" + path + ".state} = :state", state=current.state.value)
        if paid:
            update.add("amount_paid", paid)
        if step.processing:
            update.add("amount_processing", step.processing)
        if attention:
            update.set("needs_attention", True)
        update.require("{version} = :version", version=invoice.version)
        return update, attention

    def _refund(self, invoice: Invoice, event: PaymentEvent) -> tuple[Update | None, str | None]:
        """Refunds are recorded and flagged; the invoice's status never moves backwards."""
        assert event.charge_id is not None
        before = invoice.refunds.get(event.charge_id)
        if event.amount_refunded <= (before or 0):
            return None, None
        attention = "payment refunded in Stripe: check the invoice balance"
        entry = HistoryEntry(
            at=self.clock.now(),
            action="payment_refunded",
            actor=stripe_actor(event),
            reason=attention,
            details={
                "payment_id": event.payment_id,
                "charge_id": event.charge_id,
                "amount_refunded": event.amount_refunded,
                "event_id": event.event_id,
            },
        )
        path = f"refunds.{event.charge_id}"
        update = (
            Update()
            .append("history", [history_value(entry)])
            .add("version", 1)
            .set(path, event.amount_refunded)
            .add("amount_refunded", event.amount_refunded - (before or 0))
            .set("needs_attention", True)
        )
        if before is None:
            update.require("attribute_not_exists({" + path + "})")
        else:
            update.require("{" + path + "} = :before", before=before)
        return update, attention


def stripe_actor(event: PaymentEvent) -> Actor:
    return Actor(kind=ActorKind.STRIPE, id=event.event_id, name=event.event_type)


# -- the webhook ------------------------------------------------------------------------

Verifier = Callable[[bytes, str | None], None]


class StripeWebhook:
    """Verify, deduplicate by event id, apply. Raises ``InvalidSignature`` before any write."""

    def __init__(
        self,
        ledger: PaymentLedger,
        events: ProcessedEvents,
        verify: Verifier,
        clock: Clock | None = None,
        remember_days: int = 30,
        lease_seconds: int = 60,
    ) -> None:
        self.ledger = ledger
        self.events = events
        self.verify = verify
        self.clock = clock or SystemClock()
        self.remember = timedelta(days=remember_days)
        self.lease_seconds = lease_seconds

    def receive(self, payload: bytes, signature: str | None) -> Applied:
        self.verify(payload, signature)
        try:
            event = StripeEventIn.model_validate(json.loads(payload))
        except (ValueError, ValidationError) as exc:
            raise errors.InvalidRequest("The webhook body is not a Stripe event.") from exc
        payment = payment_event_from(event)
        if payment is None:
            return Applied("ignored")
        now = self.clock.now()
        claim = self.events.claim(
            event.id,
            event.type,
            now=int(now.timestamp()),
            lease_seconds=self.lease_seconds,
            expires_at=int((now + self.remember).timestamp()),
        )
        if not claim.won:
            if claim.current and claim.current.get("state") == DONE:
                return Applied("duplicate", payment.invoice_id)
            raise errors.EventInProgress("This event is being processed by another delivery. Retry later.")
        try:
            applied = self.ledger.apply(payment)
        except Exception:
            self.events.release(event.id)
            raise
        details: dict[str, Any] = {
            "invoice_id": applied.invoice_id or "",
            "payment_id": payment.payment_id,
            "received_at": iso(now),
        }
        if applied.attention:
            details["attention"] = applied.attention
        self.events.finish(event.id, applied.outcome, details)
        return applied
