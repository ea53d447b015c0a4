"""Every route x every kind of caller: only the right principal succeeds.

Callers: no token, a malformed token, the wrong role, a manager of another property,
another resident, and the right principal; the right principal and one of the wrong
property or resident again with the claims named as Cognito's custom attributes
(``custom:role``, ``custom:property_ids``, ``custom:resident_id``). Routes come from template.yaml, so a route
added without a row here fails ``test_every_route_is_in_the_matrix``. No response to a
resident ever contains a draft.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from hoa_local.template import Stack
from tests.support.api import Api, manager_claims, resident_claims, table_items
from tests.support.bulk import use_bulk_environment
from tests.support.letters import use_letters_environment
from tests.support.stories import create_draft, create_resident, draft_body, publish


@dataclass
class World:
    """Property A with residents A and B; each has a draft and an Open invoice."""

    draft_a: dict[str, Any]
    open_a: dict[str, Any]
    draft_b: dict[str, Any]
    open_b: dict[str, Any]
    resident_a: str
    resident_b: str
    api: Api

    def start_job(self) -> str:
        """A Publish All job on property A (its two drafts), started by its manager."""
        response = self.api.post(
            "/properties/prop_a/publish-all", {"expected_count": 2}, claims=manager_claims("prop_a")
        )
        assert response.status == 202, response.body
        return str(response.body["job_id"])


@pytest.fixture
def world(api: Api, properties, stack, monkeypatch) -> World:
    use_bulk_environment(stack, monkeypatch)
    use_letters_environment(stack, monkeypatch)
    resident_a = create_resident(api, name="Alex A")["resident_id"]
    resident_b = create_resident(api, name="Blair B", unit="9")["resident_id"]
    open_a, open_b = create_draft(api, resident_a), create_draft(api, resident_b)
    publish(api, open_a, {"send_email": False})
    publish(api, open_b, {"send_email": False})
    draft_a, draft_b = create_draft(api, resident_a), create_draft(api, resident_b)
    return World(draft_a, open_a, draft_b, open_b, resident_a, resident_b, api)


MANAGER, RESIDENT, STAFF, ADMIN = "manager", "resident", "staff", "admin"

# route key -> (who may call it, how to build (path, body) for property A / resident A, status on success)
ROUTES: dict[str, tuple[str, Any, int]] = {
    "GET /properties/{property_id}/residents": (MANAGER, lambda w: ("/properties/prop_a/residents", None), 200),
    "POST /properties/{property_id}/residents": (
        MANAGER,
        lambda w: ("/properties/prop_a/residents", {"name": "New Person", "unit": "2C"}),
        201,
    ),
    "GET /properties/{property_id}/invoices": (MANAGER, lambda w: ("/properties/prop_a/invoices", None), 200),
    "GET /properties/{property_id}/invoices/summary": (
        MANAGER,
        lambda w: ("/properties/prop_a/invoices/summary", None),
        200,
    ),
    "POST /properties/{property_id}/invoices": (
        MANAGER,
        lambda w: ("/properties/prop_a/invoices", draft_body(w.resident_a)),
        201,
    ),
    "GET /properties/{property_id}/invoices/{invoice_id}": (
        MANAGER,
        lambda w: (f"/properties/prop_a/invoices/{w.draft_a['invoice_id']}", None),
        200,
    ),
    "DELETE /properties/{property_id}/invoices/{invoice_id}": (
        MANAGER,
        lambda w: (f"/properties/prop_a/invoices/{w.draft_a['invoice_id']}", None),
        200,
    ),
    "POST /properties/{property_id}/invoices/{invoice_id}/publish": (
        MANAGER,
        lambda w: (f"/properties/prop_a/invoices/{w.draft_a['invoice_id']}/publish", {}),
        200,
    ),
    "POST /properties/{property_id}/invoices/{invoice_id}/void": (
        MANAGER,
        lambda w: (f"/properties/prop_a/invoices/{w.open_a['invoice_id']}/void", {"reason": "Mistake"}),
        200,
    ),
    "POST /properties/{property_id}/invoices/{invoice_id}/resend-email": (
        MANAGER,
        lambda w: (f"/properties/prop_a/invoices/{w.open_a['invoice_id']}/resend-email", None),
        202,
    ),
    "GET /properties/{property_id}/publish-all/preview": (
        MANAGER,
        lambda w: ("/properties/prop_a/publish-all/preview", None),
        200,
    ),
    "POST /properties/{property_id}/publish-all": (
        MANAGER,
        lambda w: ("/properties/prop_a/publish-all", {"expected_count": 2}),
        202,
    ),
    "GET /properties/{property_id}/publish-jobs/{job_id}": (
        MANAGER,
        lambda w: (f"/properties/prop_a/publish-jobs/{w.start_job()}", None),
        200,
    ),
    "GET /properties/{property_id}/publish-jobs/{job_id}/deliveries": (
        MANAGER,
        lambda w: (f"/properties/prop_a/publish-jobs/{w.start_job()}/deliveries", None),
        200,
    ),
    "GET /properties/{property_id}/publish-jobs/{job_id}/deliveries.csv": (
        MANAGER,
        lambda w: (f"/properties/prop_a/publish-jobs/{w.start_job()}/deliveries.csv", None),
        200,
    ),
    "GET /properties/{property_id}/residents/{resident_id}": (
        MANAGER,
        lambda w: (f"/properties/prop_a/residents/{w.resident_a}", None),
        200,
    ),
    "PATCH /properties/{property_id}/residents/{resident_id}": (
        MANAGER,
        lambda w: (f"/properties/prop_a/residents/{w.resident_a}", {"unit": "7C"}),
        200,
    ),
    "PATCH /properties/{property_id}/invoices/{invoice_id}": (
        MANAGER,
        lambda w: (f"/properties/prop_a/invoices/{w.draft_a['invoice_id']}", {"version": 1, "memo": "Updated"}),
        200,
    ),
    # The first ask for a letter queues its printing: 202.
    "GET /properties/{property_id}/invoices/{invoice_id}/letter": (
        MANAGER,
        lambda w: (f"/properties/prop_a/invoices/{w.open_a['invoice_id']}/letter", None),
        202,
    ),
    "GET /properties/{property_id}/publish-jobs/{job_id}/letters": (
        MANAGER,
        lambda w: (f"/properties/prop_a/publish-jobs/{w.start_job()}/letters", None),
        200,
    ),
    "GET /properties/{property_id}/publish-jobs": (
        MANAGER,
        lambda w: ("/properties/prop_a/publish-jobs", None),
        200,
    ),
    "GET /properties": (STAFF, lambda w: ("/properties", None), 200),
    "POST /properties": (
        ADMIN,
        lambda w: ("/properties", {"name": "Cedar Row HOA", "time_zone": "America/Chicago", "currency": "USD"}),
        201,
    ),
    "GET /properties/{property_id}": (STAFF, lambda w: ("/properties/prop_a", None), 200),
    "PATCH /properties/{property_id}": (STAFF, lambda w: ("/properties/prop_a", {"sender_name": "Maple Billing"}), 200),
    "GET /portal/invoices": (RESIDENT, lambda w: ("/portal/invoices", None), 200),
    "GET /portal/invoices/{invoice_id}": (
        RESIDENT,
        lambda w: (f"/portal/invoices/{w.open_a['invoice_id']}", None),
        200,
    ),
    "POST /portal/invoices/{invoice_id}/checkout": (
        RESIDENT,
        lambda w: (f"/portal/invoices/{w.open_a['invoice_id']}/checkout", None),
        200,
    ),
}
PUBLIC = {"POST /webhooks/stripe"}  # Stripe's signature is its principal: see the webhook tests

CALLERS = [
    "no token",
    "malformed token",
    "wrong role",
    "manager of another property",
    "another resident",
    "administrator",
    "right",
    "right, Cognito claim names",
    "another property or resident, Cognito claim names",
]
ADMIN_CLAIMS = {"sub": "admin-1", "role": "admin"}


def _as_cognito(claims: dict[str, Any]) -> dict[str, Any]:
    """The same principal as a Cognito ID token carries it: custom attributes, as strings."""
    renamed = {f"custom:{k}" if k in ("role", "property_ids", "resident_id") else k: v for k, v in claims.items()}
    if "custom:property_ids" in renamed:
        renamed["custom:property_ids"] = ",".join(renamed["custom:property_ids"].strip("[]").split())
    return {**renamed, "token_use": "id", "cognito:username": str(claims["sub"])}


def _claims(caller: str, audience: str, world: World) -> dict[str, Any] | None:
    right = {
        MANAGER: manager_claims("prop_a"),
        STAFF: manager_claims("prop_a"),
        ADMIN: ADMIN_CLAIMS,
        RESIDENT: resident_claims(world.resident_a, sub="sub-a"),
    }[audience]
    return {
        "no token": None,
        "malformed token": {"role": "manager" if audience != RESIDENT else "resident"},  # no subject, ids
        "wrong role": resident_claims(world.resident_a) if audience != RESIDENT else manager_claims("prop_a"),
        "manager of another property": manager_claims("prop_b", sub="mgr-b"),
        "another resident": resident_claims(world.resident_b, sub="sub-b"),
        "administrator": ADMIN_CLAIMS,
        "right": right,
        "right, Cognito claim names": _as_cognito(right),
        "another property or resident, Cognito claim names": _as_cognito(
            resident_claims(world.resident_b, sub="sub-b")
            if audience == RESIDENT
            else manager_claims("prop_b", sub="mgr-b")
        ),
    }[caller]


def _expected(caller: str, audience: str, ok: int, route_key: str) -> int:
    if caller.startswith("right"):
        return ok
    if caller == "another property or resident, Cognito claim names":
        caller = "another resident" if audience == RESIDENT else "manager of another property"
    if caller in ("no token", "malformed token"):
        return 401
    if audience == RESIDENT and caller == "another resident":
        return 404  # existence is not leaked to another resident
    if audience in (STAFF, ADMIN) and caller == "administrator":
        return ok  # administrators see and configure every property
    if route_key == "GET /properties" and caller == "manager of another property":
        return 200  # their own properties: it must simply not list property A
    return 403


def _drafts_leak(body: Any, world: World) -> bool:
    text = json.dumps(body)
    return '"Draft"' in text or world.draft_a["invoice_id"] in text or world.draft_b["invoice_id"] in text


def test_every_route_is_in_the_matrix():
    assert {route.key for route in Stack().routes()} == set(ROUTES) | PUBLIC


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("route_key", sorted(ROUTES))
def test_only_the_right_principal_succeeds(api, stack, world, route_key, caller):
    audience, build, ok = ROUTES[route_key]
    path, body = build(world)
    method = route_key.split(" ", 1)[0]
    before = table_items(stack, "InvoicesTable"), table_items(stack, "PropertiesTable")

    response = api.call(method, path, body, claims=_claims(caller, audience, world))

    expected = _expected(caller, audience, ok, route_key)
    if route_key == "GET /properties" and caller.startswith(("manager of another property", "another property")):
        assert "prop_a" not in json.dumps(response.body)
    if audience == RESIDENT and caller.startswith("another") and route_key == "GET /portal/invoices":
        expected = 200  # their own list: it must simply not contain resident A's invoices
        assert world.open_a["invoice_id"] not in json.dumps(response.body)
    assert response.status == expected, response.body
    if response.status >= 400:
        assert response.error_code, response.body
        assert (table_items(stack, "InvoicesTable"), table_items(stack, "PropertiesTable")) == before
    if audience == RESIDENT or caller in ("wrong role", "another resident"):
        assert not _drafts_leak(response.body, world)
