"""Publish one Draft invoice: Draft -> Open, with or without the email notification."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from hoa_billing import compose
from hoa_billing.api.auth import Caller
from hoa_billing.api.http import ApiFunction
from hoa_billing.api.schemas import InvoiceOut, PublishIn
from hoa_billing.invoices import Invoices

api = ApiFunction[Invoices](compose.invoices, Caller.MANAGER)
app = api.app
NO_BODY = PublishIn()  # an empty body means: default email choice


@app.post("/properties/<property_id>/invoices/<invoice_id>/publish")
def publish(property_id: str, invoice_id: str, body: Annotated[PublishIn, Body()] = NO_BODY) -> Response[InvoiceOut]:
    manager = api.manager()

    def publish_once() -> tuple[int, InvoiceOut]:
        invoice = api.deps().publisher.publish_invoice(
            property_id, invoice_id, body.send_email, manager.actor(), api.idempotency_key()
        )
        return 200, InvoiceOut.of(invoice)

    return api.idempotent(manager, publish_once)


lambda_handler = api.handler
