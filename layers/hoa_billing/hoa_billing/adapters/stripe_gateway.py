"""The Stripe adapter: the only module that imports the Stripe SDK.

It ships in the StripeLayer, which only the checkout and webhook functions carry; the
domain talks to it through ``payments.CheckoutGateway`` and ``verify_webhook``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import stripe

from hoa_billing.core import errors
from hoa_billing.payments import CheckoutRequest, CheckoutSession

# Bank debits (ACH) exist only in US dollars; every other currency is card only.
ACH_CURRENCIES = frozenset({"USD"})


class StripeCheckout:
    """Creates Checkout Sessions. ``api_key`` is asked for each session (it is cached for
    minutes by its provider), and the ``stripe.StripeClient`` is rebuilt only when the key
    changes: a rotated key is picked up without a redeploy."""

    def __init__(self, api_key: Callable[[], str], api_base: str | None = None) -> None:
        self._api_key = api_key
        self._base = {"api": api_base} if api_base else None
        self._client: tuple[str, Any] | None = None

    @property
    def client(self) -> Any:
        key = self._api_key()
        if self._client is None or self._client[0] != key:
            # Two quick retries with Stripe's back-off; the idempotency key makes them safe.
            client = stripe.StripeClient(key, base_addresses=self._base, max_network_retries=2)  # type: ignore[arg-type]
            self._client = (key, client)
        return self._client[1]

    def create_session(self, request: CheckoutRequest) -> CheckoutSession:
        methods = ["card", "us_bank_account"] if request.currency in ACH_CURRENCIES else ["card"]
        metadata = {"invoice_id": request.invoice_id, "property_id": request.property_id}
        params: dict[str, Any] = {
            "mode": "payment",
            "payment_method_types": methods,
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": request.currency.lower(),
                        "unit_amount": request.amount,
                        "product_data": {"name": request.description},
                    },
                }
            ],
            "client_reference_id": request.invoice_id,
            "metadata": metadata,
            # Copied onto the PaymentIntent, so payment_intent.* and charge.* events carry it too.
            "payment_intent_data": {"metadata": metadata, "description": request.description},
            "success_url": request.success_url,
            "cancel_url": request.cancel_url,
        }
        try:
            session = self.client.v1.checkout.sessions.create(
                params=params,  # type: ignore[arg-type]
                options={"idempotency_key": request.idempotency_key},
            )
        except stripe.StripeError as exc:
            raise errors.PaymentProviderUnavailable(
                "The payment provider did not answer as expected. Try again in a minute.",
                provider_code=getattr(exc, "code", None),
            ) from exc
        return CheckoutSession(session_id=session.id, url=str(session.url), expires_at=int(session.expires_at))


def verify_webhook(payload: bytes, signature_header: str | None, secret: str, tolerance_seconds: int) -> None:
    """Check Stripe's ``Stripe-Signature`` over the raw body; raise ``InvalidSignature``.

    Only the signature: reading the body is the domain's (``core.json_input``), so that a
    signed body that is not an event object is refused, not a crash in the SDK's parser."""
    if not signature_header:
        raise errors.InvalidSignature("The request has no Stripe-Signature header.")
    try:
        stripe.WebhookSignature.verify_header(payload, signature_header, secret, tolerance=tolerance_seconds)
    except stripe.SignatureVerificationError as exc:
        raise errors.InvalidSignature(
            "The Stripe signature does not match this endpoint's secret, or it is too old."
        ) from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise errors.InvalidSignature("The webhook body is not a Stripe event.") from exc
