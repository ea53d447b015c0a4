"""Story helpers for the portal and payments: publish an invoice as a manager, act as
its resident, and deliver Stripe events signed exactly as Stripe signs them."""

from __future__ import annotations

import time
from typing import Any

from hoa_local import stripe_fake
from tests.support.api import Api, ApiResponse, resident_claims, table_items
from tests.support.stories import create_draft, create_resident, publish


def published_invoice(api: Api, *amounts: int, resident: dict[str, Any] | None = None, **kwargs: Any) -> dict:
    resident = resident or create_resident(api)
    draft = create_draft(api, resident["resident_id"], *amounts, **kwargs)
    response = publish(api, draft, {"send_email": False})
    assert response.status == 200, response.body
    return response.body


def as_resident(invoice: dict[str, Any]) -> dict[str, Any]:
    return resident_claims(invoice["resident_id"], sub=f"sub-{invoice['resident_id']}")


def portal_invoice(api: Api, invoice: dict[str, Any]) -> dict[str, Any]:
    response = api.get(f"/portal/invoices/{invoice['invoice_id']}", claims=as_resident(invoice))
    assert response.status == 200, response.body
    return response.body


def manager_view(api: Api, invoice: dict[str, Any]) -> dict[str, Any]:
    response = api.get(f"/properties/{invoice['property_id']}/invoices/{invoice['invoice_id']}")
    assert response.status == 200, response.body
    return response.body


def checkout(api: Api, invoice: dict[str, Any], claims: dict[str, Any] | None = None) -> ApiResponse:
    return api.post(f"/portal/invoices/{invoice['invoice_id']}/checkout", claims=claims or as_resident(invoice))


def session_for(invoice: dict[str, Any], amount: int | None = None, **kwargs: Any) -> dict[str, Any]:
    """The Checkout Session Stripe would report for paying ``invoice``."""
    total = invoice["balance"]["amount"] if amount is None else amount
    return stripe_fake.checkout_session(invoice["invoice_id"], invoice["property_id"], total, **kwargs)


def deliver(
    api: Api,
    event: dict[str, Any],
    *,
    secret: str = stripe_fake.TEST_WEBHOOK_SECRET,
    timestamp: int | None = None,
    base64: bool = False,
) -> ApiResponse:
    body, signature = stripe_fake.signed(event, secret, timestamp)
    return api.post(
        "/webhooks/stripe",
        raw_body=body if base64 else body.decode(),  # bytes: API Gateway base64-encodes the body
        headers={"stripe-signature": signature},
        claims=None,
    )


def stored_invoice(stack: Any, invoice_id: str) -> dict[str, Any]:
    (item,) = [i for i in table_items(stack, "InvoicesTable") if i["invoice_id"] == invoice_id]
    return item


def payment_state(stack: Any, invoice_id: str) -> dict[str, Any]:
    """What must not depend on the order or repetition of events (times left out)."""
    item = stored_invoice(stack, invoice_id)
    return {
        "status": item["status"],
        "amount_paid": item["amount_paid"],
        "amount_processing": item["amount_processing"],
        "needs_attention": item.get("needs_attention", False),
        "payments": sorted(
            (
                {k: v for k, v in record.items() if k not in ("payment_id", "session_id", "updated_at")}
                for record in item.get("payments", {}).values()
            ),
            key=repr,
        ),
    }


def stale(seconds: int) -> int:
    return int(time.time()) - seconds
