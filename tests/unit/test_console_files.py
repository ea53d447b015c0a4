"""The console's static host, as a static host with the single-page fallback behaves:
files as files, routes as index.html, a missing asset as 404, config.json generated."""

from __future__ import annotations

import pytest
from werkzeug.test import Client

from hoa_local.console import WEB_ROOT, ConsoleFiles


@pytest.fixture
def client() -> Client:
    files = ConsoleFiles(WEB_ROOT, lambda: {"api_base_url": "http://127.0.0.1:3999"}, lambda: "default-src 'self'")
    return Client(files)


@pytest.mark.parametrize("route", ["/", "/portal/invoices/inv_123", "/properties/prop_demo/invoices", "/sign-in"])
def test_every_route_gets_the_page(client: Client, route: str):
    response = client.get(route)

    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == "default-src 'self'"
    assert '<script type="module" src="/app/main.js">' in response.get_data(as_text=True)


def test_modules_are_served_as_javascript(client: Client):
    response = client.get("/app/main.js")

    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.get_data() == (WEB_ROOT / "app" / "main.js").read_bytes()


def test_a_missing_asset_is_a_404_not_the_page(client: Client):
    assert client.get("/app/missing.js").status_code == 404


def test_config_json_is_generated_and_never_cached(client: Client):
    response = client.get("/config.json")

    assert response.get_json() == {"api_base_url": "http://127.0.0.1:3999"}
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", ["/../template.yaml", "/%2e%2e/template.yaml", "/app/..%2f..%2ftemplate.yaml"])
def test_nothing_outside_web_is_served(client: Client, path: str):
    response = client.get(path)

    assert (WEB_ROOT.parent / "template.yaml").exists()
    assert "AWSTemplateFormatVersion" not in response.get_data(as_text=True)


def test_only_reads_are_allowed(client: Client):
    assert client.post("/config.json").status_code == 405
