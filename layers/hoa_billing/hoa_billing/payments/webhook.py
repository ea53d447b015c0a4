"""Stripe's webhook: verify, deduplicate by event id, apply."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pydantic import ValidationError

from hoa_billing.core import errors, json_input
from hoa_billing.core.clock import Clock, SystemClock, iso
from hoa_billing.payments.events import StripeEventIn, payment_event_from
from hoa_billing.payments.ledger import Applied, PaymentLedger
from hoa_billing.payments.ports import ProcessedEvents, Verifier


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
        """Apply one delivery. A body that is signed but not a Stripe event (not JSON,
        nested too deep, not an object, no id or type) is refused before any write."""
        self.verify(payload, signature)
        value = json_input.parse_json(payload)
        if not isinstance(value, dict):
            raise errors.InvalidEvent("The webhook body is not a Stripe event: it is not a JSON object.")
        try:
            event = StripeEventIn.model_validate(value)
        except ValidationError as exc:
            raise errors.InvalidEvent(
                "The webhook body is not a Stripe event: it has no valid id, type or data."
            ) from exc
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
            if claim.done:
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
