"""Shared fixtures: a moto-backed copy of the stack built from template.yaml, an API
client that routes through the template's routes, and principals."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }
)

from moto import mock_aws

from hoa_billing.dal.directory import DirectoryRepository
from hoa_billing.models import Property
from hoa_local.apigw import Router, http_event, load_sample
from hoa_local.lambdas import Functions
from hoa_local.moto_fixes import make_dynamodb_requests_atomic
from hoa_local.provision import provision
from hoa_local.template import Stack

make_dynamodb_requests_atomic()
# The parameters a deployment must supply, with values for tests.
PARAMETERS = {
    "JwtIssuer": "https://auth.example.com/",
    "JwtAudience": "hoa-portal",
    "SenderEmail": "billing@maplecourt.example",
    "PortalBaseUrl": "https://portal.maplecourt.example",
}
STACK = Stack(name="hoa-test", parameters=dict(PARAMETERS))
# Every function sees the same Globals environment; names are deterministic per stack.
for _key, _value in STACK.function_environment("InvoiceReadsFunction").items():
    os.environ.setdefault(_key, _value)
os.environ["POWERTOOLS_LOG_LEVEL"] = "WARNING"


@pytest.fixture
def stack() -> Iterator[Stack]:
    with mock_aws():
        yield provision(Stack(name=STACK.name, parameters=dict(PARAMETERS)), boto3.client)


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
        self.overrides: dict[str, Any] = {}

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        raw_body: str | None = None,
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
        result = self.functions.invoke(route.function, event, **self.overrides)
        payload = json.loads(result["body"]) if result.get("body") else None
        return ApiResponse(result["statusCode"], payload, result.get("headers", {}))

    def get(self, path: str, **kwargs: Any) -> ApiResponse:
        return self.call("GET", path, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> ApiResponse:
        return self.call("POST", path, body, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> ApiResponse:
        return self.call("DELETE", path, **kwargs)


@pytest.fixture
def api(stack: Stack) -> Api:
    return Api(stack)


@pytest.fixture
def directory(stack: Stack) -> DirectoryRepository:
    return DirectoryRepository(stack.physical_name("PropertiesTable"))


@pytest.fixture
def properties(directory: DirectoryRepository) -> dict[str, Property]:
    """Two properties: the manager in ``api`` manages only ``prop_a``."""
    created = {
        "prop_a": Property(property_id="prop_a", name="Maple Court HOA", time_zone="America/New_York"),
        "prop_b": Property(property_id="prop_b", name="Birch Hill HOA", time_zone="America/Los_Angeles"),
    }
    for prop in created.values():
        directory.put_property(prop)
    return created


def table_items(stack: Stack, logical: str) -> list[dict[str, Any]]:
    from hoa_billing.dal.items import from_item

    client = boto3.client("dynamodb")
    pages = client.get_paginator("scan").paginate(TableName=stack.physical_name(logical))
    return [from_item(item) for page in pages for item in page["Items"]]
