"""Resend an Open or Overdue invoice's email to the resident's current address."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response

from hoa_billing import compose
from hoa_billing.api.auth import Caller
from hoa_billing.api.http import ApiFunction, refusals
from hoa_billing.api.schemas import InvoiceOut
from hoa_billing.core import errors
from hoa_billing.email import EmailResends

api = ApiFunction[EmailResends](compose.email_resends, Caller.MANAGER)
app = api.app


@app.post(
    "/properties/<property_id>/invoices/<invoice_id>/resend-email",
    summary="Email an invoice again",
    description="Queues the email of an Open or Overdue invoice again, to the resident's current address "
    "(422 `resident_has_no_email` without one; 429 `email_resend_too_soon` within a minute).",
    tags=["Invoices"],
    operation_id="resendInvoiceEmail",
    openapi_extensions=refusals(
        errors.InvoiceNotFound,
        errors.ResidentHasNoEmail,
        errors.EmailNotResendable,
        errors.EmailInProgress,
        errors.EmailResendTooSoon,
        idempotent=True,
    ),
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
