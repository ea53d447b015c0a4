"""Manager reads: residents, the invoice list, the property summary and invoice detail."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from hoa_billing.api import auth
from hoa_billing.api.http import create_app, entry, json_response
from hoa_billing.api.schemas import (
    DraftTotal,
    EmailCheckbox,
    InvoiceDetailOut,
    InvoiceListOut,
    InvoiceOut,
    InvoiceRow,
    Money,
    PublishPreview,
    ResidentListOut,
    ResidentOut,
    SummaryOut,
)
from hoa_billing.lifecycle import manager_actions
from hoa_billing.models import InvoiceStatus
from hoa_billing.service import InvoiceService, recipient_of
from hoa_billing.wiring import service_context

app = create_app()
Limit = Annotated[int, Query(ge=1, le=100)]


def _service() -> InvoiceService:
    service: InvoiceService = app.context["service"]
    return service


@app.get("/properties/<property_id>/residents")
def list_residents(
    property_id: str, limit: Limit = 50, cursor: Annotated[str | None, Query()] = None
) -> Response[ResidentListOut]:
    auth.manager(app.current_event.raw_event, property_id)
    residents, next_cursor = _service().directory.list_residents(property_id, limit, cursor)
    return json_response(200, ResidentListOut(items=[ResidentOut.of(r) for r in residents], next_cursor=next_cursor))


@app.get("/properties/<property_id>/invoices")
def list_invoices(
    property_id: str,
    status: Annotated[InvoiceStatus | None, Query()] = None,
    limit: Limit = 50,
    cursor: Annotated[str | None, Query()] = None,
) -> Response[InvoiceListOut]:
    auth.manager(app.current_event.raw_event, property_id)
    rows, next_cursor = _service().invoices.list_for_property(property_id, status, limit, cursor)
    return json_response(200, InvoiceListOut(items=[InvoiceRow.from_row(r) for r in rows], next_cursor=next_cursor))


@app.get("/properties/<property_id>/invoices/summary")
def summary(property_id: str) -> Response[SummaryOut]:
    auth.manager(app.current_event.raw_event, property_id)
    result = _service().summary(property_id)
    return json_response(
        200,
        SummaryOut(
            counts=result.counts,
            drafts=DraftTotal(
                count=result.counts[InvoiceStatus.DRAFT], total=Money.of(result.draft_total, result.currency)
            ),
            published_without_email_address=result.published_without_address,
        ),
    )


@app.get("/properties/<property_id>/invoices/<invoice_id>")
def invoice_detail(property_id: str, invoice_id: str) -> Response[InvoiceDetailOut]:
    auth.manager(app.current_event.raw_event, property_id)
    service = _service()
    invoice = service.get_invoice(property_id, invoice_id)
    preview = None
    if invoice.status is InvoiceStatus.DRAFT:
        has_address = recipient_of(service.directory.get_resident(property_id, invoice.resident_id)) is not None
        preview = PublishPreview(
            number=invoice.number,
            amount=Money.of(invoice.amount_due, invoice.currency),
            resident_name=invoice.resident_name,
            email_checkbox=EmailCheckbox(enabled=has_address, checked_by_default=has_address),
        )
    detail = InvoiceDetailOut(
        invoice=InvoiceOut.of(invoice),
        history=invoice.history,
        actions=manager_actions(invoice),
        publish_preview=preview,
    )
    return json_response(200, detail)


lambda_handler = entry(app, service_context, caller="manager")
