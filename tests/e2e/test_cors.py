"""CORS as API Gateway applies the template's CorsConfiguration, against the local runtime:
the console's origin gets the template's answer to a browser preflight and the allow
header on real responses; any other origin gets neither."""

from __future__ import annotations

import pytest
import requests

from hoa_local.template import Stack
from tests.e2e.conftest import RunningRuntime

pytestmark = pytest.mark.e2e
CONFIGURED = Stack().resources("AWS::Serverless::HttpApi")["HttpApi"]["CorsConfiguration"]
PATH = "/properties/prop_demo/invoices"


def manager(runtime: RunningRuntime) -> str:
    return runtime.tokens.manager("prop_demo")


def preflight(runtime: RunningRuntime, origin: str, method: str = "POST") -> requests.Response:
    return requests.options(
        runtime.url + PATH,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "authorization,content-type,idempotency-key",
        },
        timeout=10,
    )


def cors_headers(response: requests.Response) -> dict[str, str]:
    return {k.lower(): v for k, v in response.headers.items() if k.lower().startswith("access-control-")}


def test_the_consoles_preflight_gets_the_templates_answer(local_runtime: RunningRuntime):
    console = local_runtime.ready["console_url"]

    answer = preflight(local_runtime, console)

    assert answer.status_code == 204
    assert cors_headers(answer) == {
        "access-control-allow-origin": console,
        "access-control-allow-methods": ",".join(CONFIGURED["AllowMethods"]),
        "access-control-allow-headers": ",".join(CONFIGURED["AllowHeaders"]),
        "access-control-max-age": str(CONFIGURED["MaxAge"]),
    }
    assert "access-control-allow-credentials" not in cors_headers(answer)  # bearer tokens, no cookies


def test_a_preflight_needs_no_token_and_no_route(local_runtime: RunningRuntime):
    console = local_runtime.ready["console_url"]

    answer = requests.options(
        local_runtime.url + "/no/such/route",
        headers={"Origin": console, "Access-Control-Request-Method": "GET"},
        timeout=10,
    )

    assert answer.status_code == 204
    assert answer.headers["access-control-allow-origin"] == console


def test_a_disallowed_origin_gets_no_allow_header(local_runtime: RunningRuntime):
    answer = preflight(local_runtime, "https://elsewhere.example")
    real = requests.get(
        local_runtime.url + PATH,
        headers={"Origin": "https://elsewhere.example", "Authorization": f"Bearer {manager(local_runtime)}"},
        timeout=10,
    )

    assert answer.status_code == 204
    assert cors_headers(answer) == {}
    assert real.status_code == 200  # the API answers; the browser withholds it from that page
    assert cors_headers(real) == {}


def test_real_responses_to_the_console_carry_the_allow_and_expose_headers(local_runtime: RunningRuntime):
    console = local_runtime.ready["console_url"]
    auth = {"Authorization": f"Bearer {manager(local_runtime)}"}

    ok = requests.get(local_runtime.url + PATH, headers={"Origin": console, **auth}, timeout=10)
    refused = requests.get(local_runtime.url + PATH, headers={"Origin": console}, timeout=10)

    assert ok.status_code == 200
    assert ok.headers["access-control-allow-origin"] == console
    assert ok.headers["access-control-expose-headers"] == ",".join(CONFIGURED["ExposeHeaders"])
    assert refused.status_code == 401  # the page can read why: the gateway's answers carry CORS too
    assert refused.headers["access-control-allow-origin"] == console
