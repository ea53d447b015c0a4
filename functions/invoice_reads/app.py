"""Manager reads: residents, the invoice list, the property summary and invoice detail."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from hoa_billing import compose
from hoa_billing.api.auth import Caller
from hoa_billing.api.http import ApiFunction, json_response
from hoa_billing.api.schemas import (
    InvoiceDetailOut,
    InvoiceListOut,
    InvoiceRow,
    ResidentListOut,
    ResidentOut,
    SummaryOut,
)
from hoa_billing.core.models import InvoiceStatus
from hoa_billing.invoices import Invoices

api = ApiFunction[Invoices](compose.invoices, Caller.MANAGER)
app = api.app
Limit = Annotated[int, Query(ge=1, le=100)]


@app.get("/properties/<property_id>/residents")
def list_residents(
    property_id: str, limit: Limit = 50, cursor: Annotated[str | None, Query()] = None
) -> Response[ResidentListOut]:
    residents, next_cursor = api.deps().residents.list(property_id, limit, cursor)
    return json_response(200, ResidentListOut(items=[ResidentOut.of(r) for r in residents], next_cursor=next_cursor))


@app.get("/properties/<property_id>/invoices")
def list_invoices(
    property_id: str,
    status: Annotated[InvoiceStatus | None, Query()] = None,
    limit: Limit = 50,
    cursor: Annotated[str | None, Query()] = None,
) -> Response[InvoiceListOut]:
    rows, next_cursor = api.deps().reads.page(property_id, status, limit, cursor)
    return json_response(200, InvoiceListOut(items=[InvoiceRow.of(r) for r in rows], next_cursor=next_cursor))


@app.get("/properties/<property_id>/invoices/summary")
def summary(property_id: str) -> Response[SummaryOut]:
    return json_response(200, SummaryOut.of(api.deps().reads.summary(property_id)))


@app.get("/properties/<property_id>/invoices/<invoice_id>")
def invoice_detail(property_id: str, invoice_id: str) -> Response[InvoiceDetailOut]:
    return json_response(200, InvoiceDetailOut.of(api.deps().reads.detail(property_id, invoice_id)))


lambda_handler = api.handler
