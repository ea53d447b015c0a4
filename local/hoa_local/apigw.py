"""API Gateway HTTP API (payload 2.0): the events it builds and routing by template.yaml.
Invoking the function a route names is ``hoa_local.lambdas``' part."""

from __future__ import annotations

import base64
import json
import time
import uuid
from typing import Any
from urllib.parse import urlencode

from hoa_local import EVENTS
from hoa_local.template import Route, Stack


def http_event(
    route: Route,
    path: str,
    path_parameters: dict[str, str],
    *,
    query: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    body: str | bytes | None = None,
    claims: dict[str, Any] | None = None,
    base: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An HTTP API payload-2.0 event, as API Gateway builds it after the JWT authorizer."""
    event: dict[str, Any] = json.loads(json.dumps(base)) if base else {}
    now = time.time()
    request_headers = {"content-type": "application/json", **{k.lower(): v for k, v in (headers or {}).items()}}
    is_binary = isinstance(body, bytes)
    event.update(
        {
            "version": "2.0",
            "routeKey": route.key,
            "rawPath": path,
            "rawQueryString": urlencode(query or {}),
            "headers": request_headers,
            "pathParameters": path_parameters or None,
            "queryStringParameters": query or None,
            "isBase64Encoded": is_binary,
            "body": base64.b64encode(body).decode() if isinstance(body, bytes) else body,
        }
    )
    context = event.setdefault("requestContext", {})
    context.update(
        {
            "accountId": "123456789012",
            "apiId": "local",
            "domainName": "localhost",
            "http": {
                "method": route.method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": request_headers.get("user-agent", ""),
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": route.key,
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "timeEpoch": int(now * 1000),
        }
    )
    if claims is not None and route.authorized:
        context["authorizer"] = {"jwt": {"claims": claims, "scopes": None}}
    else:
        context.pop("authorizer", None)
    if is_binary is False and body is None:
        event.pop("body", None)
    return event


def sample_event_path(route: Route) -> Any:
    return EVENTS / "http" / f"{route.function}.{route.event_name}.json"


def load_sample(route: Route) -> dict[str, Any]:
    with open(sample_event_path(route), encoding="utf-8") as handle:
        sample: dict[str, Any] = json.load(handle)
    return sample


class Router:
    """Finds the template route for a request."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.routes = stack.routes()

    def find(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        for route in self.routes:
            params = route.match(method, path)
            if params is not None:
                return route, params
        return None
