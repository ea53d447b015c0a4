"""Manager reads: residents, the invoice list, the property summary and invoice detail."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from hoa_billing import compose
from hoa_billing.api.auth import Caller
from hoa_billing.api.http import ApiFunction, json_response, refusals
from hoa_billing.api.schemas import (
    InvoiceDetailOut,
    InvoiceListOut,
    InvoiceRow,
    ResidentDetailOut,
    ResidentListOut,
    ResidentOut,
    SearchText,
    SummaryOut,
)
from hoa_billing.core import errors
from hoa_billing.core.models import EmailStatus, InvoiceStatus
from hoa_billing.invoices import Invoices

api = ApiFunction[Invoices](compose.invoices, Caller.MANAGER)
app = api.app
Limit = Annotated[int, Query(ge=1, le=100, description="Rows per page.")]
Cursor = Annotated[str | None, Query(description="The next_cursor of the previous page.", max_length=4096)]


@app.get(
    "/properties/<property_id>/residents",
    summary="List residents",
    description="The Residents page: every resident with their unit and whether they can be emailed "
    "(`email_state`: ok, missing or bouncing).",
    tags=["Residents"],
    operation_id="listResidents",
)
def list_residents(property_id: str, limit: Limit = 50, cursor: Cursor = None) -> Response[ResidentListOut]:
    residents, next_cursor = api.deps().residents.list(property_id, limit, cursor)
    return json_response(200, ResidentListOut(items=[ResidentOut.of(r) for r in residents], next_cursor=next_cursor))


@app.get(
    "/properties/<property_id>/residents/<resident_id>",
    summary="One resident's profile",
    description="Name, unit, email address and its state, and every change made to the profile "
    '("Verify the resident has a valid email address. Go to Residents to check their profile.").',
    tags=["Residents"],
    operation_id="getResident",
    openapi_extensions=refusals(errors.ResidentNotFound),
)
def get_resident(property_id: str, resident_id: str) -> Response[ResidentDetailOut]:
    return json_response(200, ResidentDetailOut.of(api.deps().residents.get(property_id, resident_id)))


@app.get(
    "/properties/<property_id>/invoices",
    summary="List invoices",
    description="The Invoices page: newest first across statuses, or one status with `status`; `q` finds "
    "invoices by number (`INV-00012` or `12`) or by part of the resident's name; "
    "`email=skipped_no_address` finds the published invoices whose resident had no email address.",
    tags=["Invoices"],
    operation_id="listInvoices",
)
def list_invoices(
    property_id: str,
    status: Annotated[InvoiceStatus | None, Query(description="Only invoices in this status.")] = None,
    q: Annotated[
        SearchText | None,
        Query(min_length=1, max_length=120, description="An invoice number or part of a resident's name."),
    ] = None,
    email: Annotated[
        EmailStatus | None,
        Query(
            description="Only invoices in this email state, among Open and Overdue unless `status` says which: "
            "`skipped_no_address` lists the residents to notify another way."
        ),
    ] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Response[InvoiceListOut]:
    rows, next_cursor = api.deps().reads.page(property_id, status, limit, cursor, q, email)
    return json_response(200, InvoiceListOut(items=[InvoiceRow.of(r) for r in rows], next_cursor=next_cursor))


@app.get(
    "/properties/<property_id>/invoices/summary",
    summary="Counts per status and the drafts' total",
    description='What the Invoices page shows at the top, and the count on the "Publish All (N)" button.',
    tags=["Invoices"],
    operation_id="getInvoiceSummary",
    openapi_extensions=refusals(errors.PropertyNotFound),
)
def summary(property_id: str) -> Response[SummaryOut]:
    return json_response(200, SummaryOut.of(api.deps().reads.summary(property_id)))


@app.get(
    "/properties/<property_id>/invoices/<invoice_id>",
    summary="One invoice",
    description="The invoice detail page: the invoice with its payments and history, the actions that would "
    "succeed now (the ⋮ menu; the rest greyed with a reason), and for a Draft what its Publish dialog shows.",
    tags=["Invoices"],
    operation_id="getInvoice",
    openapi_extensions=refusals(errors.InvoiceNotFound),
)
def invoice_detail(property_id: str, invoice_id: str) -> Response[InvoiceDetailOut]:
    return json_response(200, InvoiceDetailOut.of(api.deps().reads.detail(property_id, invoice_id)))


lambda_handler = api.handler
