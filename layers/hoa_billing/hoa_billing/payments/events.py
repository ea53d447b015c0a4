"""Stripe events reduced to what the ledger needs: which payment, what happened to it,
how much, for which invoice. Events this service does not handle are ignored.

Amounts are read as money enters everywhere (``core.money.minor_units``): a negative
``amount_total``, ``"5000"`` or ``50.5`` is not money. Such an event is not refused
(Stripe would retry it for days and nobody would look): it carries ``amount_problem``,
and the ledger records it and flags the invoice for a person instead of applying it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from hoa_billing.core import errors, money

_STRIPE_ID = re.compile(r"^\w{1,255}$")
_INVOICE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


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
    # Why an amount in the event is not money (amounts are then 0); the ledger flags it.
    amount_problem: str | None = None


class StripeEventIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str = Field(pattern=r"^[A-Za-z0-9_]{1,255}$")
    type: str = Field(pattern=r"^[a-z0-9_.]{1,100}$")
    created: StrictInt
    data: dict[str, Any]


_SESSION_KINDS = {
    "checkout.session.async_payment_succeeded": PaymentEventKind.SUCCEEDED,
    "checkout.session.async_payment_failed": PaymentEventKind.FAILED,
}
HANDLED_TYPES = frozenset(
    {"checkout.session.completed", *_SESSION_KINDS, "payment_intent.payment_failed", "charge.refunded"}
)


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _metadata_ids(obj: dict[str, Any]) -> tuple[str | None, str | None]:
    metadata = _mapping(obj.get("metadata"))
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


class _Amounts:
    """The amounts read from one event object; the first that is not money is kept."""

    def __init__(self, obj: dict[str, Any]) -> None:
        self.obj = obj
        self.problem: str | None = None

    def read(self, key: str) -> int:
        value = self.obj.get(key)
        try:
            return money.minor_units(value)
        except money.InvalidAmount as refused:
            if self.problem is None:
                shown = repr(value)
                shown = shown if len(shown) <= 40 else shown[:37] + "..."
                self.problem = f"{key} {refused} (received {shown})"
            return 0


def payment_event_from(event: StripeEventIn) -> PaymentEvent | None:
    """The payment meaning of a verified Stripe event; None for events this service ignores."""
    if event.type not in HANDLED_TYPES:
        return None
    obj = event.data.get("object")
    if not isinstance(obj, dict):
        raise errors.InvalidRequest("The Stripe event carries no object.")
    invoice_id, property_id = _metadata_ids(obj)
    amounts = _Amounts(obj)
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
        amount = amounts.read("amount_total")
        return PaymentEvent(
            kind=kind,
            payment_id=payment_id,
            amount=amount,
            session_id=session_id,
            amount_problem=amounts.problem,
            **common,
        )
    if event.type == "payment_intent.payment_failed":
        error = _mapping(obj.get("last_payment_error"))
        failure = {
            key: str(error[key])[:500]
            for key in ("code", "decline_code", "message", "type")
            if error.get(key) is not None
        }
        method = _mapping(error.get("payment_method")).get("type")
        if method:
            failure["payment_method"] = str(method)[:100]
        amount = amounts.read("amount")
        return PaymentEvent(
            kind=PaymentEventKind.ATTEMPT_FAILED,
            payment_id=_stripe_id(obj.get("id")),
            amount=amount,
            failure=failure or {"message": "The payment failed."},
            amount_problem=amounts.problem,
            **common,
        )
    # charge.refunded
    intent = obj.get("payment_intent")
    charge_id = _stripe_id(obj.get("id"))
    amount, refunded = amounts.read("amount"), amounts.read("amount_refunded")
    return PaymentEvent(
        kind=PaymentEventKind.REFUNDED,
        payment_id=_stripe_id(intent) if intent else charge_id,
        amount=amount,
        charge_id=charge_id,
        amount_refunded=refunded,
        amount_problem=amounts.problem,
        **common,
    )
