"""Publish one Draft invoice: Draft -> Open, with or without the email notification."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from hoa_billing.api import auth
from hoa_billing.api.http import create_app, entry, idempotent
from hoa_billing.api.schemas import InvoiceOut, PublishIn
from hoa_billing.service import InvoiceService
from hoa_billing.wiring import service_context

app = create_app()
NO_BODY = PublishIn()  # an empty body means: default email choice


@app.post("/properties/<property_id>/invoices/<invoice_id>/publish")
def publish(property_id: str, invoice_id: str, body: Annotated[PublishIn, Body()] = NO_BODY) -> Response[InvoiceOut]:
    manager = auth.manager(app.current_event.raw_event, property_id)
    service: InvoiceService = app.context["service"]

    def publish_once() -> tuple[int, InvoiceOut]:
        invoice = service.publish_invoice(
            property_id, invoice_id, body.send_email, manager.actor(), app.current_event.headers.get("idempotency-key")
        )
        return 200, InvoiceOut.of(invoice)

    return idempotent(app, manager.subject, publish_once)


lambda_handler = entry(app, service_context, caller="manager")
