"""Resend an Open or Overdue invoice's email to the resident's current address."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response

from hoa_billing.api import auth
from hoa_billing.api.http import create_app, entry, idempotent
from hoa_billing.api.schemas import InvoiceOut
from hoa_billing.email.wiring import email_resends
from hoa_billing.notifications import EmailResends

app = create_app()


@app.post(
    "/properties/<property_id>/invoices/<invoice_id>/resend-email",
    responses={
        202: {"description": "Accepted: the email is queued", "content": {"application/json": {"model": InvoiceOut}}}
    },
)
def resend_email(property_id: str, invoice_id: str) -> Response[InvoiceOut]:
    manager = auth.manager(app.current_event.raw_event, property_id)
    resends: EmailResends = app.context["resends"]

    def resend_once() -> tuple[int, InvoiceOut]:
        return 202, InvoiceOut.of(resends.resend(property_id, invoice_id, manager.actor()))

    return idempotent(app, manager.subject, resend_once)


lambda_handler = entry(app, lambda: {"resends": email_resends()}, caller="manager")
