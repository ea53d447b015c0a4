"""Resident portal reads: the resident's own published invoices, and one with its payments."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from hoa_billing.api import auth
from hoa_billing.api.http import create_app, entry, json_response
from hoa_billing.api.portal_schemas import PortalInvoiceListOut, PortalInvoiceOut, PortalInvoiceRow
from hoa_billing.payment_wiring import portal_context
from hoa_billing.portal import ResidentPortal

app = create_app()


def _portal() -> ResidentPortal:
    portal: ResidentPortal = app.context["portal"]
    return portal


@app.get("/portal/invoices")
def list_invoices(
    limit: Annotated[int, Query(ge=1, le=100)] = 25, cursor: Annotated[str | None, Query()] = None
) -> Response[PortalInvoiceListOut]:
    resident = auth.resident(app.current_event.raw_event)
    invoices, next_cursor = _portal().list_invoices(resident.resident_id, limit, cursor)
    return json_response(
        200, PortalInvoiceListOut(items=[PortalInvoiceRow.of(i) for i in invoices], next_cursor=next_cursor)
    )


@app.get("/portal/invoices/<invoice_id>")
def invoice_detail(invoice_id: str) -> Response[PortalInvoiceOut]:
    resident = auth.resident(app.current_event.raw_event)
    return json_response(200, PortalInvoiceOut.of(_portal().get_invoice(resident.resident_id, invoice_id)))


lambda_handler = entry(app, portal_context, caller="resident")
