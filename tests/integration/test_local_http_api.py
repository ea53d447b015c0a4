"""The local HTTP API refuses what API Gateway refuses before any function runs, the way
API Gateway does: a JSON body ``{"message": ...}``, never the HTML page of Python's
HTTP server. API Gateway's HTTP API allows 10240 bytes of request line and header
values in all; past that (or past what Python's server can read at all) the answer is
414 for the request line and 431 for the headers."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from werkzeug.wrappers import Request, Response

from hoa_local.apigw import Router
from hoa_local.http_api import LocalHttpApi, serve
from hoa_local.lambdas import Functions
from hoa_local.localauth import LocalTokens
from hoa_local.template import Stack

URI_TOO_LONG = {"message": "Request-URI Too Long"}
HEADERS_TOO_LARGE = {"message": "Request Header Fields Too Large"}


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    """The HTTP API as the local runtime serves it. Nothing here reaches a function, so
    no embedded AWS is needed."""
    stack = Stack()
    app = LocalHttpApi(Router(stack), Functions(stack), LocalTokens())

    def broken(request: Request, rest: str) -> Response:
        raise RuntimeError("a bug in a runtime-only endpoint")

    app.add_local_route("GET", "/_local/broken", broken)
    server = serve(app, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    try:
        yield f"http://{host!s}:{port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def json_error(response: requests.Response, status: int) -> Any:
    assert response.status_code == status, response.text[:200]
    assert response.headers["Content-Type"] == "application/json"
    return response.json()


def raw(base_url: str, request: bytes) -> tuple[str, dict[str, str], bytes]:
    """Send bytes no HTTP client would send; the status line, headers and body."""
    host, port = base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(request)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip() for name, value in (line.split(":", 1) for line in header_lines)}
    return status_line, headers, body


def test_an_id_of_100000_characters_is_refused_with_414_and_a_json_message(base_url):
    response = requests.get(f"{base_url}/properties/prop_a/invoices/{'x' * 100_000}", timeout=10)

    assert json_error(response, 414) == URI_TOO_LONG


def test_a_cursor_within_pythons_limit_but_over_api_gateways_quota_is_refused_with_414(base_url):
    response = requests.get(f"{base_url}/properties/prop_a/invoices", params={"cursor": "c" * 20_000}, timeout=10)

    assert json_error(response, 414) == URI_TOO_LONG


def test_a_100_kb_stripe_signature_is_refused_with_431_and_a_json_message(base_url):
    response = requests.post(
        f"{base_url}/webhooks/stripe", data=b"{}", headers={"Stripe-Signature": "t=1,v1=" + "a" * 100_000}, timeout=10
    )

    assert json_error(response, 431) == HEADERS_TOO_LARGE


def test_headers_that_together_pass_api_gateways_quota_are_refused_with_431(base_url):
    headers = {f"X-Part-{n}": "h" * 2000 for n in range(6)}  # 12,000 bytes of values, each line short

    response = requests.get(f"{base_url}/properties/prop_a/invoices", headers=headers, timeout=10)

    assert json_error(response, 431) == HEADERS_TOO_LARGE


def test_more_headers_than_the_server_reads_are_refused_with_431_in_json(base_url):
    headers = {f"X-Many-{n}": "1" for n in range(120)}

    response = requests.get(f"{base_url}/properties/prop_a/invoices", headers=headers, timeout=10)

    assert json_error(response, 431) == HEADERS_TOO_LARGE


def test_a_request_just_within_the_quota_reaches_the_api(base_url):
    response = requests.get(f"{base_url}/properties/prop_a/invoices/{'x' * 9000}", timeout=10)

    assert json_error(response, 401) == {"message": "Unauthorized"}


@pytest.mark.parametrize(
    ("request_bytes", "status", "message"),
    [
        (b"NONSENSE\r\n\r\n", "400", "Bad Request"),
        (b"GET /properties HTTP/1.1 extra\r\n\r\n", "400", "Bad Request"),
        (b"GET /properties HTTP/2.5\r\n\r\n", "505", "HTTP Version Not Supported"),
    ],
    ids=["one-word", "four-words", "http-2.5"],
)
def test_a_request_line_the_server_cannot_parse_gets_a_status_line_and_a_json_message(
    base_url, request_bytes, status, message
):
    status_line, headers, body = raw(base_url, request_bytes)

    assert status_line.split(" ", 2)[1] == status
    assert headers["content-type"] == "application/json"
    assert body == f'{{"message": "{message}"}}'.encode()


def test_a_runtime_bug_is_a_500_in_json_not_an_html_page(base_url):
    response = requests.get(f"{base_url}/_local/broken", timeout=10)

    assert json_error(response, 500) == {"message": "Internal Server Error"}
