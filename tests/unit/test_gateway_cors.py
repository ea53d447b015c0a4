"""The local gateway's CORS rules, read from template.yaml and its CorsAllowedOrigins."""

from __future__ import annotations

from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request, Response

from hoa_local.cors import GatewayCors
from hoa_local.template import Stack

ORIGINS = "https://console.example.com,http://localhost:5173"


def _cors() -> GatewayCors:
    cors = GatewayCors.from_stack(Stack(parameters={"CorsAllowedOrigins": ORIGINS}))
    assert cors is not None
    return cors


def _request(method: str, **headers: str) -> Request:
    return Request(EnvironBuilder(path="/portal/invoices", method=method, headers=headers).get_environ())


def test_the_allowed_origins_are_the_parameter_split_at_commas():
    cors = _cors()

    assert cors.allow_origins == ("https://console.example.com", "http://localhost:5173")
    assert cors.allow_credentials is False
    assert cors.allows("https://console.example.com")
    assert not cors.allows("https://console.example.com.evil.example")
    assert not cors.allows("http://console.example.com")


def test_an_options_request_without_a_requested_method_is_not_a_preflight():
    cors = _cors()

    assert cors.preflight(_request("OPTIONS", Origin="https://console.example.com")) is None
    assert cors.preflight(_request("GET", Origin="https://console.example.com")) is None


def test_cors_headers_from_the_function_are_replaced_by_the_gateways():
    cors = _cors()
    from_function = Response("{}", headers={"Access-Control-Allow-Origin": "*"})

    decorated = cors.decorate(_request("GET", Origin="https://elsewhere.example"), from_function)

    assert "Access-Control-Allow-Origin" not in decorated.headers
