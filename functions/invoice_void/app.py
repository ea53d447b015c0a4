"""Void an Open or Overdue invoice that has no succeeded or processing payment."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from hoa_billing.api import auth
from hoa_billing.api.http import create_app, entry, idempotent
from hoa_billing.api.schemas import InvoiceOut, VoidIn
from hoa_billing.service import InvoiceService
from hoa_billing.wiring import service_context

app = create_app()


@app.post("/properties/<property_id>/invoices/<invoice_id>/void")
def void(property_id: str, invoice_id: str, body: Annotated[VoidIn, Body()]) -> Response[InvoiceOut]:
    manager = auth.manager(app.current_event.raw_event, property_id)
    service: InvoiceService = app.context["service"]

    def void_once() -> tuple[int, InvoiceOut]:
        return 200, InvoiceOut.of(service.void_invoice(property_id, invoice_id, body.reason, manager.actor()))

    return idempotent(app, manager.subject, void_once)


lambda_handler = entry(app, service_context, caller="manager")
