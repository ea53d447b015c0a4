"""Pay an invoice: a Stripe Checkout Session (card or bank transfer) for the remaining balance."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response

from hoa_billing import compose
from hoa_billing.api.auth import Caller
from hoa_billing.api.http import ApiFunction, json_response, refusals
from hoa_billing.api.portal_schemas import CheckoutOut
from hoa_billing.core import errors
from hoa_billing.payments import ResidentCheckout

api = ApiFunction[ResidentCheckout](compose.resident_checkout, Caller.RESIDENT)
app = api.app


@app.post(
    "/portal/invoices/<invoice_id>/checkout",
    summary="Pay Now",
    description="A Stripe Checkout Session (card, or bank transfer for USD) for what is left to pay; go to "
    "`checkout_url`. 502 `payment_provider_unavailable` when Stripe does not answer.",
    tags=["Payments"],
    operation_id="startCheckout",
    openapi_extensions=refusals(errors.InvoiceNotFound, errors.InvoiceNotPayable, errors.PaymentProviderUnavailable),
)
def checkout(invoice_id: str) -> Response[CheckoutOut]:
    invoice, amount, session = api.deps().start(api.resident().resident_id, invoice_id)
    return json_response(200, CheckoutOut.of(invoice, amount, session))


lambda_handler = api.handler
