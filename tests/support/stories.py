"""Story-level helpers: create residents and drafts through the API, as a manager would."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hoa_billing.core.clock import SystemClock, today_in
from tests.support.api import Api

# The handlers run on the system clock; the test properties are in New York.
PROPERTY_ZONE = "America/New_York"


def property_today() -> date:
    """Today where the test properties are (what a due date is judged against)."""
    return today_in(SystemClock(), PROPERTY_ZONE)


FUTURE = (property_today() + timedelta(days=30)).isoformat()


def create_resident(
    api: Api,
    property_id: str = "prop_a",
    *,
    email: str | None = "pat@example.com",
    name: str = "Pat Resident",
    unit: str = "4A",
) -> dict[str, Any]:
    body: dict[str, Any] = {"name": name, "unit": unit}
    if email is not None:
        body["email"] = email
    response = api.post(f"/properties/{property_id}/residents", body)
    assert response.status == 201, response.body
    return response.body


def draft_body(resident_id: str, *amounts: int, due_date: str = FUTURE) -> dict[str, Any]:
    return {
        "resident_id": resident_id,
        "currency": "USD",
        "due_date": due_date,
        "line_items": [
            {"description": f"Assessment part {i + 1}", "amount": amount}
            for i, amount in enumerate(amounts or (32500,))
        ],
    }


def create_draft(api: Api, resident_id: str, *amounts: int, property_id: str = "prop_a") -> dict[str, Any]:
    response = api.post(f"/properties/{property_id}/invoices", draft_body(resident_id, *amounts))
    assert response.status == 201, response.body
    return response.body


def publish(api: Api, invoice: dict[str, Any], body: Any = None, **kwargs: Any):
    path = f"/properties/{invoice['property_id']}/invoices/{invoice['invoice_id']}/publish"
    return api.post(path, body, **kwargs)


def detail(api: Api, invoice: dict[str, Any]) -> dict[str, Any]:
    response = api.get(f"/properties/{invoice['property_id']}/invoices/{invoice['invoice_id']}")
    assert response.status == 200, response.body
    return response.body
