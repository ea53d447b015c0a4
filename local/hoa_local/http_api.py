"""The template's HTTP API on localhost: each request becomes the payload-2.0 event API
Gateway would build, goes to the function template.yaml names for its route, and the
function's result becomes the HTTP response. ``/_local/...`` paths are the runtime's own
(health, schedules) and exist only here."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.datastructures import Headers
from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response

from hoa_local.apigw import Router, http_event
from hoa_local.cors import GatewayCors
from hoa_local.lambdas import Functions
from hoa_local.localauth import LocalTokens

log = logging.getLogger("hoa_local.http")

_TEXT_TYPES = ("application/json", "text/", "application/x-www-form-urlencoded", "application/xml", "+json")
LocalRoute = Callable[[Request, str], Response]


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(body), status=status, headers=headers, content_type="application/json")


def _event_headers(headers: Headers) -> dict[str, str]:
    merged: dict[str, str] = {}
    for name, value in headers.items():
        key = name.lower()
        merged[key] = f"{merged[key]},{value}" if key in merged else value
    return merged


def _event_body(request: Request) -> str | bytes | None:
    data = request.get_data()
    if not data:
        return None
    content_type = (request.content_type or "").lower()
    if any(kind in content_type for kind in _TEXT_TYPES):
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return data
    return data


def lambda_response(result: Any) -> Response:
    """Payload 2.0 response rules: a dict with statusCode is taken as is; anything else is
    JSON with status 200."""
    if not isinstance(result, dict) or "statusCode" not in result:
        return _json(200, result)
    body: str | bytes = result.get("body") or ""
    if result.get("isBase64Encoded") and isinstance(body, str):
        body = base64.b64decode(body)
    response = Response(body, status=int(result["statusCode"]))
    for name, value in (result.get("headers") or {}).items():
        response.headers[name] = str(value)
    for name, values in (result.get("multiValueHeaders") or {}).items():
        for value in values:
            response.headers.add(name, str(value))
    for cookie in result.get("cookies") or []:
        response.headers.add("Set-Cookie", cookie)
    return response


class LocalHttpApi:
    """A WSGI application that plays API Gateway's part for template.yaml's HTTP API."""

    def __init__(self, router: Router, functions: Functions, tokens: LocalTokens) -> None:
        self.router = router
        self.functions = functions
        self.tokens = tokens
        self.local_routes: dict[tuple[str, str], LocalRoute] = {}
        # The template's CorsConfiguration, applied in front of everything as API Gateway does.
        self.cors: GatewayCors | None = None

    def add_local_route(self, method: str, prefix: str, view: LocalRoute) -> None:
        """Register a runtime-only endpoint under ``/_local/``; ``view(request, rest_of_path)``."""
        self.local_routes[(method, prefix)] = view

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = Request(environ)
        response = self.cors.respond(request, self.dispatch) if self.cors else self.dispatch(request)
        return response(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        if request.path.startswith("/_local/"):
            return self._local(request)
        found = self.router.find(request.method, request.path)
        if found is None:
            return _json(404, {"message": "Not Found"})
        route, params = found
        claims = None
        if route.authorized:
            claims = self.tokens.verify(request.headers.get("Authorization"))
            if claims is None:
                log.info("%s %s -> 401 (no valid token)", request.method, request.path)
                return _json(401, {"message": "Unauthorized"}, {"www-authenticate": 'Bearer error="invalid_token"'})
        event = http_event(
            route,
            request.path,
            params,
            query={key: ",".join(request.args.getlist(key)) for key in request.args},
            headers=_event_headers(request.headers),
            body=_event_body(request),
            claims=claims,
        )
        event["rawQueryString"] = request.query_string.decode("latin-1")
        try:
            result = self.functions.invoke(route.function, event)
        except Exception:
            log.exception("%s raised for %s", route.function, route.key)
            return _json(500, {"message": "Internal Server Error"})
        response = lambda_response(result)
        log.info("%s %s -> %s (%s)", request.method, request.path, response.status_code, route.function)
        return response

    def _local(self, request: Request) -> Response:
        for (method, prefix), view in self.local_routes.items():
            if request.method == method and request.path.startswith(prefix):
                return view(request, request.path[len(prefix) :])
        return _json(404, {"message": "Not Found"})


def serve(app: LocalHttpApi, host: str, port: int) -> BaseWSGIServer:
    """A threaded server bound to ``host:port`` (port 0: a free one); call serve_forever()."""
    return make_server(host, port, app, threaded=True)
