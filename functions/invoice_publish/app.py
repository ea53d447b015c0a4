"""Publish one Draft invoice: Draft -> Open, with or without the email notification."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from hoa_billing import compose
from hoa_billing.api.auth import Caller
from hoa_billing.api.http import ApiFunction, refusals
from hoa_billing.api.schemas import InvoiceOut, PublishIn
from hoa_billing.core import errors
from hoa_billing.invoices import Invoices

api = ApiFunction[Invoices](compose.invoices, Caller.MANAGER)
app = api.app
NO_BODY = PublishIn()  # an empty body means: default email choice


@app.post(
    "/properties/<property_id>/invoices/<invoice_id>/publish",
    summary="Publish a draft",
    description='The Publish dialog\'s "Publish Invoice": Draft -> Open, so the resident can see and pay it. '
    "`send_email` defaults to true when the resident has an address. Only Drafts can be published: Open, Paid, "
    "Overdue and Void are refused with 409 `invoice_not_draft` and their status.",
    tags=["Invoices"],
    operation_id="publishInvoice",
    openapi_extensions=refusals(
        errors.InvoiceNotFound, errors.InvoiceNotDraft, errors.ResidentHasNoEmail, idempotent=True
    ),
)
def publish(property_id: str, invoice_id: str, body: Annotated[PublishIn, Body()] = NO_BODY) -> Response[InvoiceOut]:
    manager = api.manager()

    def publish_once() -> tuple[int, InvoiceOut]:
        invoice = api.deps().publisher.publish_invoice(
            property_id, invoice_id, body.send_email, manager.actor(), api.idempotency_key()
        )
        return 200, InvoiceOut.of(invoice)

    return api.idempotent(manager, publish_once)


lambda_handler = api.handler
