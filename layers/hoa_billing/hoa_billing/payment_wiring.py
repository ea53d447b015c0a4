"""Builds the portal, checkout, webhook and overdue services: once per process.

The Stripe adapter is imported inside the two builders that need it: only the
checkout and webhook functions carry the Stripe layer.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from hoa_billing.config import get_checkout_settings, get_settings, get_webhook_settings
from hoa_billing.dal.invoices import InvoiceRepository
from hoa_billing.dal.stripe_events import ProcessedEvents
from hoa_billing.overdue import OverdueSweep
from hoa_billing.payments import PaymentLedger, StripeWebhook
from hoa_billing.portal import ResidentCheckout, ResidentPortal
from hoa_billing.secrets import secure_parameter


@lru_cache(maxsize=1)
def resident_portal() -> ResidentPortal:
    return ResidentPortal(InvoiceRepository(get_settings().invoices_table))


@lru_cache(maxsize=1)
def resident_checkout() -> ResidentCheckout:
    from hoa_billing.stripe_gateway import StripeCheckout

    settings = get_checkout_settings()
    gateway = StripeCheckout(secure_parameter(settings.stripe_api_key_parameter), settings.stripe_api_base)
    return ResidentCheckout(resident_portal(), gateway, settings.portal_base_url)


@lru_cache(maxsize=1)
def stripe_webhook() -> StripeWebhook:
    from hoa_billing.stripe_gateway import verify_webhook

    settings = get_webhook_settings()
    secret = secure_parameter(settings.stripe_webhook_secret_parameter)

    def verify(payload: bytes, signature: str | None) -> None:
        verify_webhook(payload, signature, secret, settings.tolerance_seconds)

    return StripeWebhook(
        PaymentLedger(InvoiceRepository(get_settings().invoices_table)),
        ProcessedEvents(settings.stripe_events_table),
        verify,
        remember_days=settings.remember_days,
    )


@lru_cache(maxsize=1)
def overdue_sweep() -> OverdueSweep:
    return OverdueSweep(InvoiceRepository(get_settings().invoices_table))


def portal_context() -> dict[str, Any]:
    return {"portal": resident_portal()}


def checkout_context() -> dict[str, Any]:
    return {"checkout": resident_checkout()}


def webhook_context() -> dict[str, Any]:
    return {"webhook": stripe_webhook()}
