"""Resident portal reads: the resident's own published invoices, and one with its payments."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from hoa_billing import compose
from hoa_billing.api.auth import Caller
from hoa_billing.api.http import ApiFunction, json_response, refusals
from hoa_billing.api.portal_schemas import PortalInvoiceListOut, PortalInvoiceOut, PortalInvoiceRow
from hoa_billing.core import errors
from hoa_billing.portal import ResidentPortal

api = ApiFunction[ResidentPortal](compose.resident_portal, Caller.RESIDENT)
app = api.app


@app.get(
    "/portal/invoices",
    summary="My invoices",
    description="The signed-in resident's published invoices, newest first. Never a Draft.",
    tags=["Portal"],
    operation_id="listMyInvoices",
)
def list_invoices(
    limit: Annotated[int, Query(ge=1, le=100)] = 25, cursor: Annotated[str | None, Query()] = None
) -> Response[PortalInvoiceListOut]:
    invoices, next_cursor = api.deps().list_invoices(api.resident().resident_id, limit, cursor)
    return json_response(
        200, PortalInvoiceListOut(items=[PortalInvoiceRow.of(i) for i in invoices], next_cursor=next_cursor)
    )


@app.get(
    "/portal/invoices/<invoice_id>",
    summary="One of my invoices",
    description="The bill: line items, amount paid, balance due, due date and payments. Another resident's "
    "invoice is 404, exactly like one that does not exist.",
    tags=["Portal"],
    operation_id="getMyInvoice",
    openapi_extensions=refusals(errors.InvoiceNotFound),
)
def invoice_detail(invoice_id: str) -> Response[PortalInvoiceOut]:
    return json_response(200, PortalInvoiceOut.of(api.deps().get_invoice(api.resident().resident_id, invoice_id)))


lambda_handler = api.handler
