"""Calling the handlers exactly as API Gateway would, and reading what they left behind."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from hoa_local.apigw import Router, http_event, load_sample
from hoa_local.lambdas import Functions
from hoa_local.template import Stack

# The parameters a deployment must supply, with values for tests.
PARAMETERS = {
    "JwtIssuer": "https://auth.example.com/",
    "JwtAudience": "hoa-portal",
    "SenderEmail": "billing@maplecourt.example",
    "PortalBaseUrl": "https://portal.maplecourt.example",
}
STACK = Stack(name="hoa-test", parameters=dict(PARAMETERS))


def manager_claims(*property_ids: str, sub: str = "mgr-1") -> dict[str, Any]:
    return {"sub": sub, "role": "manager", "property_ids": f"[{' '.join(property_ids)}]", "name": "Dana Manager"}


def resident_claims(resident_id: str, sub: str = "resident-1") -> dict[str, Any]:
    return {"sub": sub, "role": "resident", "resident_id": resident_id}


@dataclass
class ApiResponse:
    status: int
    body: Any
    headers: dict[str, str]

    @property
    def error_code(self) -> str | None:
        return (self.body or {}).get("error", {}).get("code") if isinstance(self.body, dict) else None


class Api:
    """Calls handlers exactly as API Gateway would: route from template.yaml, event from
    the route's sample in events/, claims as the JWT authorizer passes them."""

    def __init__(self, stack: Stack) -> None:
        self.router = Router(stack)
        self.functions = Functions(stack)
        self.claims: dict[str, Any] | None = manager_claims("prop_a")
        # Dependencies a test gives a function instead of the composition root's, by the
        # function's logical id in template.yaml.
        self.deps: dict[str, Any] = {}

    def use(self, function: str, deps: Any) -> None:
        self.deps[function] = deps

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        raw_body: str | bytes | None = None,
        query: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        claims: dict[str, Any] | str | None = "default",
    ) -> ApiResponse:
        found = self.router.find(method, path)
        assert found, f"no route in template.yaml for {method} {path}"
        route, params = found
        text = raw_body if raw_body is not None else (json.dumps(body) if body is not None else None)
        event = http_event(
            route,
            path,
            params,
            query=query,
            headers=headers,
            body=text,
            claims=self.claims if claims == "default" else claims,  # type: ignore[arg-type]
            base=load_sample(route),
        )
        overrides = {"deps": self.deps[route.function]} if route.function in self.deps else {}
        result = self.functions.invoke(route.function, event, **overrides)
        content_type = str((result.get("headers") or {}).get("Content-Type", "application/json"))
        payload: Any = result.get("body") or None
        if payload is not None and content_type.startswith("application/json"):
            payload = json.loads(payload)
        return ApiResponse(result["statusCode"], payload, result.get("headers", {}))

    def get(self, path: str, **kwargs: Any) -> ApiResponse:
        return self.call("GET", path, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> ApiResponse:
        return self.call("POST", path, body, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> ApiResponse:
        return self.call("DELETE", path, **kwargs)


def table_items(stack: Stack, logical: str, *, counts: bool = False) -> list[dict[str, Any]]:
    """Every item of a table, as plain values: the state a test leaves behind. In the
    invoices table, the invoices, each as stored and as the domain reads it (its fields by
    their names, defaults included); each property's counts item is the summary's, and
    comes too with ``counts=True`` (the summary is how tests read it)."""
    import boto3

    from hoa_billing.data.invoice_shape import invoice_of
    from hoa_billing.data.items import from_item

    client = boto3.client("dynamodb")
    pages = client.get_paginator("scan").paginate(TableName=stack.physical_name(logical))
    items = [from_item(item) for page in pages for item in page["Items"]]
    if logical != "InvoicesTable":
        return items
    invoices = [
        {**item, **invoice_of(item).model_dump(mode="json", exclude_none=True)}
        for item in items
        if str(item["invoice_id"]).startswith("inv")
    ]
    return invoices + ([item for item in items if not str(item["invoice_id"]).startswith("inv")] if counts else [])
