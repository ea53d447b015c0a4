"""Pay an invoice: a Stripe Checkout Session (card or bank transfer) for the remaining balance."""

from __future__ import annotations

from datetime import UTC, datetime

from aws_lambda_powertools.event_handler import Response

from hoa_billing.api import auth
from hoa_billing.api.http import create_app, entry, json_response
from hoa_billing.api.portal_schemas import CheckoutOut
from hoa_billing.api.schemas import Money
from hoa_billing.payment_wiring import checkout_context
from hoa_billing.portal import ResidentCheckout

app = create_app()


@app.post("/portal/invoices/<invoice_id>/checkout")
def checkout(invoice_id: str) -> Response[CheckoutOut]:
    resident = auth.resident(app.current_event.raw_event)
    service: ResidentCheckout = app.context["checkout"]
    invoice, amount, session = service.start(resident.resident_id, invoice_id)
    body = CheckoutOut(
        invoice_id=invoice.invoice_id,
        checkout_url=session.url,
        session_id=session.session_id,
        amount=Money.of(amount, invoice.currency),
        expires_at=datetime.fromtimestamp(session.expires_at, UTC),
    )
    return json_response(200, body)


lambda_handler = entry(app, checkout_context, caller="resident")
