"""Payments: Stripe's webhook applied to invoices at most once, and Checkout for
residents."""

from hoa_billing.payments.checkout import ResidentCheckout
from hoa_billing.payments.events import PaymentEvent, PaymentEventKind, StripeEventIn, payment_event_from
from hoa_billing.payments.ledger import Applied, PaymentLedger, Step, plan
from hoa_billing.payments.ports import (
    CheckoutGateway,
    CheckoutRequest,
    CheckoutSession,
    PaymentRecords,
    ProcessedEvents,
    Verifier,
)
from hoa_billing.payments.webhook import StripeWebhook

__all__ = [
    "Applied",
    "CheckoutGateway",
    "CheckoutRequest",
    "CheckoutSession",
    "PaymentEvent",
    "PaymentEventKind",
    "PaymentLedger",
    "PaymentRecords",
    "ProcessedEvents",
    "ResidentCheckout",
    "Step",
    "StripeEventIn",
    "StripeWebhook",
    "Verifier",
    "payment_event_from",
    "plan",
]
