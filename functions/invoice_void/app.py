"""Void an Open or Overdue invoice that has no succeeded or processing payment."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from hoa_billing import compose
from hoa_billing.api.auth import Caller
from hoa_billing.api.http import ApiFunction, refusals
from hoa_billing.api.schemas import InvoiceOut, VoidIn
from hoa_billing.core import errors
from hoa_billing.invoices import Invoices

api = ApiFunction[Invoices](compose.invoices, Caller.MANAGER)
app = api.app


@app.post(
    "/properties/<property_id>/invoices/<invoice_id>/void",
    summary="Void an invoice",
    description="For an invoice published by mistake: Open or Overdue -> Void, with a reason, only while no "
    "payment has succeeded or is processing (409 `invoice_has_payments` otherwise).",
    tags=["Invoices"],
    operation_id="voidInvoice",
    openapi_extensions=refusals(
        errors.InvoiceNotFound, errors.InvoiceNotVoidable, errors.InvoiceHasPayments, idempotent=True
    ),
)
def void(property_id: str, invoice_id: str, body: Annotated[VoidIn, Body()]) -> Response[InvoiceOut]:
    manager = api.manager()
    return api.idempotent(
        manager,
        lambda: (200, InvoiceOut.of(api.deps().voider.void(property_id, invoice_id, body.reason, manager.actor()))),
    )


lambda_handler = api.handler
