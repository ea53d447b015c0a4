"""What payments ask of storage and of Stripe."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from hoa_billing.core.changes import AttentionFlag, EventClaim, PaymentChange, RefundChange
from hoa_billing.core.models import Invoice


class PaymentRecords(Protocol):
    """Payments recorded on invoices; writes raise ``errors.Refused`` (carrying the invoice
    as it stood) when the invoice changed since it was read."""

    def get(self, invoice_id: str) -> Invoice | None: ...

    def apply_payment(self, invoice: Invoice, change: PaymentChange) -> Invoice: ...

    def record_refund(self, invoice: Invoice, change: RefundChange) -> Invoice: ...

    def flag(self, invoice_id: str, flag: AttentionFlag) -> Invoice: ...


class ProcessedEvents(Protocol):
    """Stripe event ids, claimed once per delivery and marked done once applied."""

    def claim(self, event_id: str, event_type: str, now: int, lease_seconds: int, expires_at: int) -> EventClaim: ...

    def finish(self, event_id: str, outcome: str, details: dict[str, Any]) -> None: ...

    def release(self, event_id: str) -> None: ...


# Checks a webhook body's Stripe-Signature header; raises ``errors.InvalidSignature``.
Verifier = Callable[[bytes, str | None], None]


@dataclass(frozen=True)
class CheckoutRequest:
    invoice_id: str
    property_id: str
    amount: int
    currency: str
    description: str
    success_url: str
    cancel_url: str
    # Same invoice, same balance, same version: the same Checkout Session, however often
    # the resident clicks Pay. Any change to the invoice gives a new key.
    idempotency_key: str


@dataclass(frozen=True)
class CheckoutSession:
    session_id: str
    url: str
    expires_at: int


class CheckoutGateway(Protocol):
    def create_session(self, request: CheckoutRequest) -> CheckoutSession: ...
