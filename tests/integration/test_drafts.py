"""Creating residents and draft invoices, and the refusals that change nothing."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from hoa_billing import compose
from hoa_billing.core.clock import FixedClock
from hoa_billing.invoices import Invoices
from tests.support.api import table_items
from tests.support.stories import FUTURE, create_draft, create_resident, draft_body, property_today


def test_a_manager_adds_residents_with_and_without_an_email_address(api, properties, stack):
    with_email = create_resident(api, email="Jordan.Lee@Example.COM", name="Jordan Lee")
    without = create_resident(api, email=None, name="Sam Ortiz")

    assert with_email["email"] == "Jordan.Lee@example.com"
    assert (with_email["has_email"], without["has_email"]) == (True, False)
    listed = api.get("/properties/prop_a/residents").body
    assert {r["name"] for r in listed["items"]} == {"Jordan Lee", "Sam Ortiz"}
    assert len([i for i in table_items(stack, "PropertiesTable") if i["sk"].startswith("RESIDENT#")]) == 2


@pytest.mark.parametrize(
    "body",
    [
        {"name": "No Unit"},
        {"name": "", "unit": "1"},
        {"name": "Bad Email", "unit": "1", "email": "not-an-address"},
        {"name": "Extra", "unit": "1", "role": "admin"},
        {"name": 12, "unit": "1"},
    ],
)
def test_invalid_residents_are_refused_and_nothing_is_written(api, properties, stack, body):
    response = api.post("/properties/prop_a/residents", body)
    assert response.status == 422
    assert response.error_code == "validation_failed"
    assert response.body["error"]["fields"]
    assert not [i for i in table_items(stack, "PropertiesTable") if i["sk"].startswith("RESIDENT#")]


def test_residents_list_pages_with_a_cursor(api, properties):
    for n in range(5):
        create_resident(api, name=f"Resident {n}", unit=str(n))
    first = api.get("/properties/prop_a/residents", query={"limit": "3"}).body
    second = api.get("/properties/prop_a/residents", query={"limit": "3", "cursor": first["next_cursor"]}).body
    names = [r["name"] for r in first["items"] + second["items"]]
    assert sorted(names) == [f"Resident {n}" for n in range(5)]
    assert second["next_cursor"] is None


def test_a_draft_invoice_gets_the_next_number_and_its_total(api, properties, stack):
    resident = create_resident(api)
    first = create_draft(api, resident["resident_id"], 32500, 2500)
    second = create_draft(api, resident["resident_id"], 1000)

    assert (first["number"], second["number"]) == ("INV-00001", "INV-00002")
    assert first["status"] == "Draft"
    assert first["amount_due"] == {"amount": 35000, "currency": "USD", "formatted": "$350.00"}
    stored = {i["invoice_id"]: i for i in table_items(stack, "InvoicesTable")}
    assert stored[first["invoice_id"]]["amount_due"] == 35000
    assert "gsi_portal_pk" not in stored[first["invoice_id"]], "a draft must not be in the resident index"


def test_concurrent_creates_never_share_an_invoice_number(api, properties):
    resident_id = create_resident(api)["resident_id"]
    with ThreadPoolExecutor(max_workers=10) as pool:
        numbers = list(pool.map(lambda _: create_draft(api, resident_id)["number"], range(20)))
    assert sorted(numbers) == [f"INV-{n:05d}" for n in range(1, 21)]


BAD_DRAFTS = {
    "negative amount": lambda r: draft_body(r, -100),
    "zero amount": lambda r: draft_body(r, 0),
    "float amount": lambda r: {**draft_body(r), "line_items": [{"description": "x", "amount": 10.5}]},
    "whole float amount": lambda r: {**draft_body(r), "line_items": [{"description": "x", "amount": 10.0}]},
    "string amount": lambda r: {**draft_body(r), "line_items": [{"description": "x", "amount": "100"}]},
    "no line items": lambda r: {**draft_body(r), "line_items": []},
    "unknown field": lambda r: {**draft_body(r), "status": "Open"},
    "unknown currency": lambda r: {**draft_body(r), "currency": "XYZ"},
    "bad date": lambda r: {**draft_body(r), "due_date": "12/31/2026"},
    "missing resident": lambda r: {k: v for k, v in draft_body(r).items() if k != "resident_id"},
}


@pytest.mark.parametrize("case", sorted(BAD_DRAFTS))
def test_invalid_drafts_are_refused_with_the_field_and_nothing_is_written(api, properties, stack, case):
    resident_id = create_resident(api)["resident_id"]
    response = api.post("/properties/prop_a/invoices", BAD_DRAFTS[case](resident_id))
    assert response.status == 422, response.body
    assert response.error_code == "validation_failed"
    assert table_items(stack, "InvoicesTable") == []


def test_malformed_json_is_a_400(api, properties, stack):
    response = api.post("/properties/prop_a/invoices", raw_body='{"resident_id": ')
    assert response.status == 400
    assert response.error_code == "invalid_json"
    assert table_items(stack, "InvoicesTable") == []


def test_an_oversized_body_is_refused_before_parsing(api, properties, stack):
    resident_id = create_resident(api)["resident_id"]
    body = draft_body(resident_id)
    body["memo"] = "x" * 70_000
    response = api.post("/properties/prop_a/invoices", body)
    assert response.status == 413
    assert response.error_code == "payload_too_large"
    assert table_items(stack, "InvoicesTable") == []


def test_a_draft_for_a_resident_of_another_property_is_refused(api, properties, stack):
    api.claims["property_ids"] = "[prop_a prop_b]"
    other = create_resident(api, "prop_b")
    response = api.post("/properties/prop_a/invoices", draft_body(other["resident_id"]))
    assert response.status == 422
    assert response.error_code == "resident_not_found"
    assert table_items(stack, "InvoicesTable") == []


def test_an_unknown_resident_is_refused(api, properties, stack):
    response = api.post("/properties/prop_a/invoices", draft_body("res_unknown"))
    assert response.status == 422
    assert response.error_code == "resident_not_found"


def test_a_currency_other_than_the_property_s_is_refused(api, properties, stack):
    resident_id = create_resident(api)["resident_id"]
    response = api.post("/properties/prop_a/invoices", {**draft_body(resident_id), "currency": "EUR"})
    assert response.status == 422
    assert response.error_code == "currency_mismatch"
    assert table_items(stack, "InvoicesTable") == []


def test_due_date_is_judged_in_the_property_time_zone(api, properties, stack):
    resident_id = create_resident(api)["resident_id"]
    # 02:00 UTC on 1 March is still 28 February in New York (prop_a's zone).
    from datetime import UTC, datetime

    api.use(
        "InvoiceCreateFunction",
        Invoices.build(
            compose.invoice_store(),
            compose.invoice_listings(),
            compose.directory(),
            FixedClock(datetime(2027, 3, 1, 2, 0, tzinfo=UTC)),
        ),
    )
    assert api.post("/properties/prop_a/invoices", draft_body(resident_id, due_date="2027-02-28")).status == 201
    refused = api.post("/properties/prop_a/invoices", draft_body(resident_id, due_date="2027-02-27"))
    assert refused.status == 422
    assert refused.error_code == "due_date_in_past"
    assert len(table_items(stack, "InvoicesTable")) == 1


def test_a_yesterday_due_date_is_refused(api, properties):
    resident_id = create_resident(api)["resident_id"]
    yesterday = (property_today() - timedelta(days=1)).isoformat()
    assert api.post("/properties/prop_a/invoices", draft_body(resident_id, due_date=yesterday)).status == 422


def test_creating_for_an_unknown_property_in_the_token_is_404(api, properties):
    api.claims["property_ids"] = "[prop_a prop_gone]"
    response = api.post("/properties/prop_gone/residents", {"name": "A", "unit": "1"})
    assert response.status == 404
    assert response.error_code == "property_not_found"


def test_a_draft_can_be_deleted_but_an_open_invoice_cannot(api, properties, stack):
    resident_id = create_resident(api)["resident_id"]
    draft = create_draft(api, resident_id)
    opened = create_draft(api, resident_id)
    api.post(f"/properties/prop_a/invoices/{opened['invoice_id']}/publish", {})

    assert api.delete(f"/properties/prop_a/invoices/{draft['invoice_id']}").status == 200
    refused = api.delete(f"/properties/prop_a/invoices/{opened['invoice_id']}")

    assert refused.status == 409
    assert refused.body["error"]["status"] == "Open"
    assert [i["invoice_id"] for i in table_items(stack, "InvoicesTable")] == [opened["invoice_id"]]


def test_idempotent_create_makes_one_invoice(api, properties, stack):
    resident_id = create_resident(api)["resident_id"]
    headers = {"Idempotency-Key": "create-7"}
    first = api.post("/properties/prop_a/invoices", draft_body(resident_id, due_date=FUTURE), headers=headers)
    again = api.post("/properties/prop_a/invoices", draft_body(resident_id, due_date=FUTURE), headers=headers)
    assert first.body == again.body
    assert len(table_items(stack, "InvoicesTable")) == 1
