"""Manager writes that create or remove drafts: residents, draft invoices, draft deletion."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from hoa_billing import compose
from hoa_billing.api.auth import Caller
from hoa_billing.api.http import ApiFunction, json_response
from hoa_billing.api.schemas import InvoiceIn, InvoiceOut, ResidentIn, ResidentOut
from hoa_billing.invoices import Invoices

api = ApiFunction[Invoices](compose.invoices, Caller.MANAGER)
app = api.app


@app.post(
    "/properties/<property_id>/residents",
    responses={201: {"description": "Created", "content": {"application/json": {"model": ResidentOut}}}},
)
def create_resident(property_id: str, body: Annotated[ResidentIn, Body()]) -> Response[ResidentOut]:
    return api.idempotent(
        api.manager(), lambda: (201, ResidentOut.of(api.deps().residents.create(property_id, body.new())))
    )


@app.post(
    "/properties/<property_id>/invoices",
    responses={201: {"description": "Created", "content": {"application/json": {"model": InvoiceOut}}}},
)
def create_invoice(property_id: str, body: Annotated[InvoiceIn, Body()]) -> Response[InvoiceOut]:
    manager = api.manager()
    return api.idempotent(
        manager, lambda: (201, InvoiceOut.of(api.deps().drafts.create(property_id, body.new(), manager.actor())))
    )


@app.delete("/properties/<property_id>/invoices/<invoice_id>")
def delete_draft(property_id: str, invoice_id: str) -> Response[dict]:
    api.deps().drafts.delete(property_id, invoice_id)
    return json_response(200, {"deleted": invoice_id})


lambda_handler = api.handler
