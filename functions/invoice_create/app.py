"""Manager writes that create or remove drafts: residents, draft invoices, draft deletion."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from hoa_billing.api import auth
from hoa_billing.api.http import create_app, entry, idempotent, json_response
from hoa_billing.api.schemas import InvoiceIn, InvoiceOut, ResidentIn, ResidentOut
from hoa_billing.models import LineItem
from hoa_billing.service import InvoiceService, NewInvoice, NewResident
from hoa_billing.wiring import service_context

app = create_app()


def _service() -> InvoiceService:
    service: InvoiceService = app.context["service"]
    return service


@app.post(
    "/properties/<property_id>/residents",
    responses={201: {"description": "Created", "content": {"application/json": {"model": ResidentOut}}}},
)
def create_resident(property_id: str, body: Annotated[ResidentIn, Body()]) -> Response[ResidentOut]:
    manager = auth.manager(app.current_event.raw_event, property_id)

    def create() -> tuple[int, ResidentOut]:
        new = NewResident(name=body.name, unit=body.unit, email=body.email)
        return 201, ResidentOut.of(_service().create_resident(property_id, new))

    return idempotent(app, manager.subject, create)


@app.post(
    "/properties/<property_id>/invoices",
    responses={201: {"description": "Created", "content": {"application/json": {"model": InvoiceOut}}}},
)
def create_invoice(property_id: str, body: Annotated[InvoiceIn, Body()]) -> Response[InvoiceOut]:
    manager = auth.manager(app.current_event.raw_event, property_id)

    def create() -> tuple[int, InvoiceOut]:
        new = NewInvoice(
            resident_id=body.resident_id,
            line_items=[LineItem(description=li.description, amount=li.amount) for li in body.line_items],
            currency=body.currency,
            due_date=body.due_date,
            memo=body.memo,
        )
        return 201, InvoiceOut.of(_service().create_invoice(property_id, new, manager.actor()))

    return idempotent(app, manager.subject, create)


@app.delete("/properties/<property_id>/invoices/<invoice_id>")
def delete_draft(property_id: str, invoice_id: str) -> Response[dict]:
    auth.manager(app.current_event.raw_event, property_id)
    _service().delete_draft(property_id, invoice_id)
    return json_response(200, {"deleted": invoice_id})


lambda_handler = entry(app, service_context, caller="manager")
