"""Manager writes on residents and drafts: add and correct residents; create, edit and
delete draft invoices."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from hoa_billing import compose
from hoa_billing.api.auth import Caller
from hoa_billing.api.http import ApiFunction, json_response, refusals
from hoa_billing.api.schemas import (
    DeletedOut,
    InvoiceDetailOut,
    InvoiceIn,
    InvoiceOut,
    InvoicePatch,
    ResidentDetailOut,
    ResidentIn,
    ResidentOut,
    ResidentPatch,
)
from hoa_billing.core import errors
from hoa_billing.invoices import Invoices

api = ApiFunction[Invoices](compose.invoices, Caller.MANAGER)
app = api.app


@app.post(
    "/properties/<property_id>/residents",
    summary="Add a resident",
    description="Name, unit and, optionally, an email address (without one, invoices are published without "
    "the email and the resident must be told another way).",
    tags=["Residents"],
    operation_id="createResident",
    openapi_extensions=refusals(errors.PropertyNotFound, idempotent=True),
    responses={201: {"description": "Created", "content": {"application/json": {"model": ResidentOut}}}},
)
def create_resident(property_id: str, body: Annotated[ResidentIn, Body()]) -> Response[ResidentOut]:
    return api.idempotent(
        api.manager(), lambda: (201, ResidentOut.of(api.deps().residents.create(property_id, body.new())))
    )


@app.patch(
    "/properties/<property_id>/residents/<resident_id>",
    summary="Correct a resident's profile",
    description='Only the fields sent change; `"email": null` removes the address. Saving an address clears '
    "its bouncing mark. Every change is in the resident's history.",
    tags=["Residents"],
    operation_id="updateResident",
    openapi_extensions=refusals(errors.ResidentNotFound, idempotent=True),
)
def update_resident(
    property_id: str, resident_id: str, body: Annotated[ResidentPatch, Body()]
) -> Response[ResidentDetailOut]:
    manager = api.manager()
    return api.idempotent(
        manager,
        lambda: (
            200,
            ResidentDetailOut.of(api.deps().residents.update(property_id, resident_id, body.edit(), manager.actor())),
        ),
    )


@app.post(
    "/properties/<property_id>/invoices",
    summary="Create a draft invoice",
    description="Line items in minor units, the property's currency and a due date (today or later where the "
    "property is). Drafts are not visible to residents until published.",
    tags=["Invoices"],
    operation_id="createInvoice",
    openapi_extensions=refusals(
        errors.PropertyNotFound,
        errors.ResidentNotInProperty,
        errors.CurrencyMismatch,
        errors.DueDateInPast,
        errors.InvalidRequest,
        idempotent=True,
    ),
    responses={201: {"description": "Created", "content": {"application/json": {"model": InvoiceOut}}}},
)
def create_invoice(property_id: str, body: Annotated[InvoiceIn, Body()]) -> Response[InvoiceOut]:
    manager = api.manager()
    return api.idempotent(
        manager, lambda: (201, InvoiceOut.of(api.deps().drafts.create(property_id, body.new(), manager.actor())))
    )


@app.patch(
    "/properties/<property_id>/invoices/<invoice_id>",
    summary="Edit a draft",
    description="Line items, due date or memo of a Draft, against the `version` the manager saw: 409 "
    "`version_conflict` if someone changed it since, 409 `invoice_not_draft` once it is published.",
    tags=["Invoices"],
    operation_id="editDraft",
    openapi_extensions=refusals(
        errors.InvoiceNotFound,
        errors.InvoiceNotDraft,
        errors.VersionConflict,
        errors.DueDateInPast,
        errors.InvalidRequest,
        idempotent=True,
    ),
)
def edit_draft(property_id: str, invoice_id: str, body: Annotated[InvoicePatch, Body()]) -> Response[InvoiceDetailOut]:
    manager = api.manager()

    def edit() -> tuple[int, InvoiceDetailOut]:
        api.deps().drafts.edit(property_id, invoice_id, body.changes(), manager.actor())
        return 200, InvoiceDetailOut.of(api.deps().reads.detail(property_id, invoice_id))

    return api.idempotent(manager, edit)


@app.delete(
    "/properties/<property_id>/invoices/<invoice_id>",
    summary="Delete a draft",
    description="Drafts are deleted, not voided. A published invoice is refused with 409 `invoice_not_draft`.",
    tags=["Invoices"],
    operation_id="deleteDraft",
    openapi_extensions=refusals(errors.InvoiceNotFound, errors.InvoiceNotDraft),
)
def delete_draft(property_id: str, invoice_id: str) -> Response[DeletedOut]:
    api.deps().drafts.delete(property_id, invoice_id)
    return json_response(200, DeletedOut(deleted=invoice_id))


lambda_handler = api.handler
