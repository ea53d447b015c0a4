"""Properties: the caller's properties (the page header and switcher), one property's
settings, and creating a property (administrators only)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Query

from hoa_billing import compose
from hoa_billing.api.auth import AdminPrincipal, Caller
from hoa_billing.api.http import ApiFunction, json_response, refusals
from hoa_billing.api.property_schemas import PropertyIn, PropertyListOut, PropertyOut, PropertyPatch
from hoa_billing.core import errors
from hoa_billing.properties import Properties

api = ApiFunction[Properties](compose.properties, Caller.STAFF, route_callers={"POST /properties": Caller.ADMIN})
app = api.app


@app.get(
    "/properties",
    summary="The caller's properties",
    description="A manager's properties (those in the token that exist), by name; an administrator sees every "
    "property, a page at a time.",
    tags=["Properties"],
    operation_id="listProperties",
    openapi_extensions=refusals(errors.InvalidCursor),
)
def list_properties(
    limit: Annotated[int, Query(ge=1, le=100)] = 50, cursor: Annotated[str | None, Query()] = None
) -> Response[PropertyListOut]:
    principal = api.staff()
    if isinstance(principal, AdminPrincipal):
        found, next_cursor = api.deps().all(limit, cursor)
    else:
        if cursor is not None:  # a manager's list is one page: no cursor was ever issued for it
            raise errors.InvalidCursor("The cursor is not one this API issued. Start again without it.")
        found, next_cursor = api.deps().of_manager(principal.property_ids), None
    return json_response(200, PropertyListOut(items=[PropertyOut.of(p) for p in found], next_cursor=next_cursor))


@app.post(
    "/properties",
    summary="Create a property",
    description="Administrators only. The new property's id is generated; managers act on it once their token "
    "names it.",
    tags=["Properties"],
    operation_id="createProperty",
    openapi_extensions=refusals(errors.PropertyExists, idempotent=True),
    responses={201: {"description": "Created", "content": {"application/json": {"model": PropertyOut}}}},
)
def create_property(body: Annotated[PropertyIn, Body()]) -> Response[PropertyOut]:
    return api.idempotent(api.admin(), lambda: (201, PropertyOut.of(api.deps().create(body.new()))))


@app.get(
    "/properties/<property_id>",
    summary="One property",
    description="Its name (the page header), time zone, currency and who its emails are from.",
    tags=["Properties"],
    operation_id="getProperty",
    openapi_extensions=refusals(errors.PropertyNotFound),
)
def get_property(property_id: str) -> Response[PropertyOut]:
    return json_response(200, PropertyOut.of(api.deps().get(property_id)))


@app.patch(
    "/properties/<property_id>",
    summary="Change a property's settings",
    description="Only the settings sent change: name, time zone, the emails' sender name and reply-to address.",
    tags=["Properties"],
    operation_id="updateProperty",
    openapi_extensions=refusals(errors.PropertyNotFound, idempotent=True),
)
def update_property(property_id: str, body: Annotated[PropertyPatch, Body()]) -> Response[PropertyOut]:
    return api.idempotent(api.staff(), lambda: (200, PropertyOut.of(api.deps().update(property_id, body.settings()))))


lambda_handler = api.handler
