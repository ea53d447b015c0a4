"""The template's HTTP API on localhost: each request becomes the payload-2.0 event API
Gateway would build, goes to the function template.yaml names for its route, and the
function's result becomes the HTTP response. ``/_local/...`` paths are the runtime's own
(health, schedules) and exist only here.

What API Gateway refuses before any function runs it refuses here too, with its JSON
body ``{"message": ...}``: no route, no valid token, and a request over its quota of
10240 bytes of request line and header values (414 when the request line alone is over
it, 431 otherwise). Whatever Python's HTTP server refuses on its own (a line over 64
KiB, more than 100 headers, a request line it cannot parse) is answered in JSON too."""

from __future__ import annotations

import base64
import json
import logging
import selectors
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from werkzeug.datastructures import Headers
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from hoa_local.apigw import Router, http_event
from hoa_local.cors import GatewayCors
from hoa_local.lambdas import Functions
from hoa_local.localauth import LocalTokens

log = logging.getLogger("hoa_local.http")

_TEXT_TYPES = ("application/json", "text/", "application/x-www-form-urlencoded", "application/xml", "+json")
LocalRoute = Callable[[Request, str], Response]
# API Gateway HTTP API quota: "Total combined size of request line and header values".
REQUEST_LINE_AND_HEADERS_QUOTA = 10240
# API Gateway's words for what it refuses; fixed here, as Python's own phrases differ by version.
_MESSAGES = {
    400: "Bad Request",
    404: "Not Found",
    408: "Request Timeout",
    413: "Request Entity Too Large",
    414: "Request-URI Too Long",
    431: "Request Header Fields Too Large",
    500: "Internal Server Error",
    501: "Not Implemented",
    505: "HTTP Version Not Supported",
}


def gateway_message(status: int) -> dict[str, str]:
    """API Gateway's own answer for ``status``: ``{"message": "Not Found"}``."""
    try:
        phrase = _MESSAGES.get(status) or HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    return {"message": phrase}


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
        """Register a runtime-only endpoint under ``/_local/`` (or the API docs under ``/docs``);
        ``view(request, rest_of_path)``."""
        self.local_routes[(method, prefix)] = view

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = Request(environ)
        try:
            response = self._over_quota(request) or (
                self.cors.respond(request, self.dispatch) if self.cors else self.dispatch(request)
            )
        except Exception:
            log.exception("%s %s: the local runtime failed", request.method, request.path)
            response = _json(500, gateway_message(500))
        return response(environ, start_response)

    def _over_quota(self, request: Request) -> Response | None:
        """API Gateway's answer to a request line and headers over its quota, if they are."""
        environ = request.environ
        request_line = len(f"{request.method} {environ.get('RAW_URI', '')} {environ.get('SERVER_PROTOCOL', '')}")
        header_values = sum(len(value) for _, value in request.headers.items())
        if request_line + header_values <= REQUEST_LINE_AND_HEADERS_QUOTA:
            return None
        status = 414 if request_line > REQUEST_LINE_AND_HEADERS_QUOTA else 431
        log.info(
            "%s %s -> %s (request line %d + header values %d bytes)",
            request.method,
            request.path[:80],
            status,
            request_line,
            header_values,
        )
        return _json(status, gateway_message(status))

    def dispatch(self, request: Request) -> Response:
        if request.path.startswith("/_local/") or request.path == "/docs" or request.path.startswith("/docs/"):
            return self._local(request)
        found = self.router.find(request.method, request.path)
        if found is None:
            return _json(404, gateway_message(404))
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
            return _json(500, gateway_message(500))
        response = lambda_response(result)
        log.info("%s %s -> %s (%s)", request.method, request.path, response.status_code, route.function)
        return response

    def _local(self, request: Request) -> Response:
        for (method, prefix), view in self.local_routes.items():
            if request.method == method and request.path.startswith(prefix):
                return view(request, request.path[len(prefix) :])
        return _json(404, gateway_message(404))


class GatewayRequestHandler(WSGIRequestHandler):
    """werkzeug's request handler, except that what Python's HTTP server refuses before
    the application sees the request is answered as API Gateway answers: JSON."""

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        body = json.dumps(gateway_message(code)).encode()
        self.log_error("code %d, message %s", code, message)
        if not str(getattr(self, "request_version", "")).startswith("HTTP/1."):
            self.request_version = "HTTP/1.1"  # answer with a status line, whatever the request said
        self.send_response(code, gateway_message(code)["message"])
        self.send_header("Connection", "close")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.wfile.flush()
        self._discard_unread_request()

    def _discard_unread_request(self) -> None:
        """Read what the client is still sending (the rest of an over-long line), so
        closing the connection does not reset it before the client reads the answer."""
        with selectors.DefaultSelector() as selector:
            selector.register(self.connection, selectors.EVENT_READ)
            for _ in range(1000):  # bounded: at most ~64 MB
                if not selector.select(timeout=0.05) or not self.rfile.read1(65536):
                    return


def serve(app: LocalHttpApi, host: str, port: int) -> BaseWSGIServer:
    """A threaded server bound to ``host:port`` (port 0: a free one); call serve_forever()."""
    return make_server(host, port, app, threaded=True, request_handler=GatewayRequestHandler)
