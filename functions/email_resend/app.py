"""Resend an Open or Overdue invoice's email to the resident's current address."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response

from hoa_billing import compose
from hoa_billing.api.auth import Caller
from hoa_billing.api.http import ApiFunction
from hoa_billing.api.schemas import InvoiceOut
from hoa_billing.email import EmailResends

api = ApiFunction[EmailResends](compose.email_resends, Caller.MANAGER)
app = api.app


@app.post(
    "/properties/<property_id>/invoices/<invoice_id>/resend-email",
    responses={
        202: {"description": "Accepted: the email is queued", "content": {"application/json": {"model": InvoiceOut}}}
    },
)
def resend_email(property_id: str, invoice_id: str) -> Response[InvoiceOut]:
    manager = api.manager()
    return api.idempotent(
        manager, lambda: (202, InvoiceOut.of(api.deps().resend(property_id, invoice_id, manager.actor())))
    )


lambda_handler = api.handler
