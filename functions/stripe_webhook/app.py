"""Stripe webhook: verify the signature on the raw body, apply each event at most once.

No JWT on this route: Stripe signs every delivery with the endpoint secret instead.
Answers 2xx once the event is recorded; 400 for a bad or stale signature (nothing
changed); 5xx only when the event could not be recorded, so that Stripe retries it.
"""

from __future__ import annotations

import base64
import binascii

from aws_lambda_powertools.event_handler import Response

from hoa_billing import compose
from hoa_billing.api.auth import Caller
from hoa_billing.api.http import ApiFunction, json_response, refusals
from hoa_billing.core import errors
from hoa_billing.core.errors import InvalidSignature
from hoa_billing.core.observability import logger, metrics
from hoa_billing.payments import StripeWebhook

api = ApiFunction[StripeWebhook](compose.stripe_webhook, Caller.PUBLIC, signed_body=True)  # Stripe signs the body
app = api.app


def raw_body() -> bytes:
    """The exact bytes Stripe signed (API Gateway base64-encodes bodies it sees as binary)."""
    event = app.current_event.raw_event
    body = event.get("body") or ""
    if not event.get("isBase64Encoded"):
        return str(body).encode("utf-8")
    try:
        return base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidSignature("The webhook body is not valid base64.") from exc


@app.post(
    "/webhooks/stripe",
    summary="Stripe's events",
    description="No JWT: Stripe's signature over the raw body is verified instead (400 `invalid_signature`, "
    "nothing changed). Each event is applied at most once; 5xx only when it could not be recorded, so that "
    "Stripe retries it.",
    tags=["Payments"],
    operation_id="receiveStripeEvent",
    openapi_extensions=refusals(
        errors.InvalidSignature, errors.InvalidEvent, errors.InvalidRequest, errors.EventInProgress
    ),
)
def stripe_webhook() -> Response[dict]:
    applied = api.deps().receive(raw_body(), app.current_event.headers.get("stripe-signature"))
    metrics.add_metric(name=f"StripeEvent_{applied.outcome}", unit="Count", value=1)
    if applied.attention:
        metrics.add_metric(name="PaymentNeedsAttention", unit="Count", value=1)
        logger.warning("payment needs attention", invoice_id=applied.invoice_id, reason=applied.attention)
    return json_response(200, {"received": True, "outcome": applied.outcome})


lambda_handler = api.handler
