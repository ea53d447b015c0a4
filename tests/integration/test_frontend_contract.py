"""What a hosted frontend needs from the API, through template.yaml's routes: properties,
residents that can be corrected, drafts that can be edited, a truthful menu, search, and
one running Publish All with a Location that works behind the stage."""

from __future__ import annotations

import pytest

from tests.support.api import manager_claims, table_items
from tests.support.bulk import use_bulk_environment
from tests.support.stories import create_draft, create_resident, detail, publish

ADMIN = {"sub": "admin-1", "role": "admin"}


def stored(stack, logical: str, **match) -> dict:
    (item,) = [i for i in table_items(stack, logical) if all(i.get(k) == v for k, v in match.items())]
    return item


# -- properties ---------------------------------------------------------------------------


def test_a_manager_lists_their_properties_with_name_time_zone_and_currency(api, properties):
    response = api.get("/properties", claims=manager_claims("prop_a", "prop_b", "prop_gone"))

    assert response.status == 200
    assert [(p["property_id"], p["name"], p["time_zone"], p["currency"]) for p in response.body["items"]] == [
        ("prop_b", "Birch Hill HOA", "America/Los_Angeles", "USD"),
        ("prop_a", "Maple Court HOA", "America/New_York", "USD"),
    ]
    assert response.body["items"][1]["sender_name"] == "Maple Court HOA"


def test_an_administrator_creates_a_property_that_a_manager_can_then_use(api, properties, stack):
    created = api.post(
        "/properties",
        {
            "name": "Cedar Row HOA",
            "time_zone": "America/Chicago",
            "currency": "USD",
            "reply_to_email": "office@cedar.example",
        },
        claims=ADMIN,
    )

    assert created.status == 201, created.body
    pid = created.body["property_id"]
    assert stored(stack, "PropertiesTable", pk=pid)["reply_to_email"] == "office@cedar.example"
    manager = manager_claims(pid)
    resident = api.post(f"/properties/{pid}/residents", {"name": "Pat Lee", "unit": "1A"}, claims=manager)
    assert resident.status == 201
    listed = api.get("/properties", claims=ADMIN)
    assert pid in [p["property_id"] for p in listed.body["items"]]


def test_a_manager_cannot_create_a_property(api, properties, stack):
    before = table_items(stack, "PropertiesTable")
    response = api.post("/properties", {"name": "X", "time_zone": "UTC", "currency": "USD"})
    assert (response.status, response.error_code) == (403, "forbidden")
    assert table_items(stack, "PropertiesTable") == before


def test_property_settings_are_changed_and_an_unknown_time_zone_is_refused(api, properties, stack):
    changed = api.call(
        "PATCH", "/properties/prop_a", {"sender_name": "Maple Court Billing", "reply_to_email": "office@maple.example"}
    )
    refused = api.call("PATCH", "/properties/prop_a", {"time_zone": "Mars/Olympus_Mons"})

    assert changed.status == 200
    assert (changed.body["sender_name"], changed.body["reply_to_email"]) == (
        "Maple Court Billing",
        "office@maple.example",
    )
    assert refused.status == 422
    assert stored(stack, "PropertiesTable", pk="prop_a", sk="PROPERTY")["time_zone"] == "America/New_York"


# -- residents ------------------------------------------------------------------------------


def test_a_bouncing_address_is_corrected_and_the_next_publish_emails_it(api, properties, stack, directory):
    resident = create_resident(api, email="old@example.com")
    directory.mark_address_bouncing("prop_a", resident["resident_id"], "old@example.com")
    assert api.get(f"/properties/prop_a/residents/{resident['resident_id']}").body["email_state"] == "bouncing"

    response = api.call(
        "PATCH", f"/properties/prop_a/residents/{resident['resident_id']}", {"email": "new@example.com"}
    )

    assert response.status == 200, response.body
    assert (response.body["email"], response.body["email_state"]) == ("new@example.com", "ok")
    assert response.body["history"][-1]["details"]["email"] == {"from": "old@example.com", "to": "new@example.com"}
    item = stored(stack, "PropertiesTable", resident_id=resident["resident_id"])
    assert (item["email"], item["email_bouncing"]) == ("new@example.com", False)
    draft = create_draft(api, resident["resident_id"])
    assert publish(api, draft).body["email"]["status"] == "queued"


def test_an_unknown_resident_is_404(api, properties):
    assert api.get("/properties/prop_a/residents/res_missing").error_code == "resident_not_found"
    assert api.call("PATCH", "/properties/prop_a/residents/res_missing", {"unit": "1"}).status == 404


# -- drafts, the menu and the dialog ----------------------------------------------------------


def test_a_draft_is_edited_and_a_stale_version_is_refused(api, properties, stack):
    draft = create_draft(api, create_resident(api)["resident_id"], 32500)
    items = [{"description": "Monthly assessment", "amount": 32500}, {"description": "Pool key", "amount": 3000}]

    edited = api.call(
        "PATCH", f"/properties/prop_a/invoices/{draft['invoice_id']}", {"version": 1, "line_items": items}
    )
    stale = api.call("PATCH", f"/properties/prop_a/invoices/{draft['invoice_id']}", {"version": 1, "memo": "late"})

    assert edited.status == 200, edited.body
    assert (edited.body["invoice"]["amount_due"]["amount"], edited.body["invoice"]["version"]) == (35500, 2)
    assert (stale.status, stale.error_code, stale.body["error"]["current_version"]) == (409, "version_conflict", 2)
    assert stored(stack, "InvoicesTable", invoice_id=draft["invoice_id"]).get("memo") is None


def test_the_menu_offers_only_what_would_succeed_and_greys_the_rest_with_a_reason(api, properties):
    invoice = create_draft(api, create_resident(api, email=None)["resident_id"])
    publish(api, invoice)

    body = detail(api, invoice)

    assert body["actions"] == ["void"]
    greyed = {item["action"]: item["reason"] for item in body["unavailable_actions"]}
    assert greyed == {
        "publish": "invoice_not_draft",
        "edit": "invoice_not_draft",
        "delete": "invoice_not_draft",
        "resend_email": "resident_has_no_email",
    }
    resend = api.post(f"/properties/prop_a/invoices/{invoice['invoice_id']}/resend-email")
    assert resend.error_code == "resident_has_no_email"


def test_the_publish_dialog_shows_the_address_or_why_the_box_is_disabled(api, properties):
    with_email = create_draft(api, create_resident(api, email="pat@example.com")["resident_id"])
    without = create_draft(api, create_resident(api, email=None)["resident_id"])

    shown = detail(api, with_email)["publish_preview"]
    hidden = detail(api, without)["publish_preview"]

    assert shown["recipient_email"] == "pat@example.com"
    assert shown["email_checkbox"] == {"enabled": True, "checked_by_default": True, "disabled_reason": None}
    assert hidden["recipient_email"] is None
    assert hidden["email_checkbox"] == {"enabled": False, "checked_by_default": False, "disabled_reason": "no_address"}


def test_the_list_is_newest_first_and_search_finds_by_number_or_name(api, properties):
    pat = create_resident(api, name="Pat Lee")["resident_id"]
    sam = create_resident(api, name="Sam Ortiz")["resident_id"]
    first = create_draft(api, pat)
    publish(api, first, {"send_email": False})
    second = create_draft(api, sam)

    listed = api.get("/properties/prop_a/invoices").body["items"]
    by_name = api.get("/properties/prop_a/invoices", query={"q": "ortiz"}).body["items"]
    by_number = api.get("/properties/prop_a/invoices", query={"q": first["number"]}).body["items"]

    assert [row["invoice_id"] for row in listed] == [second["invoice_id"], first["invoice_id"]]
    assert [row["invoice_id"] for row in by_name] == [second["invoice_id"]]
    assert [row["invoice_id"] for row in by_number] == [first["invoice_id"]]


# -- one running Publish All ----------------------------------------------------------------


@pytest.fixture
def bulk_env(stack, monkeypatch) -> None:
    use_bulk_environment(stack, monkeypatch)


def test_a_double_click_starts_one_job_and_the_second_is_told_which_runs(api, properties, stack, bulk_env):
    for _ in range(2):
        create_draft(api, create_resident(api)["resident_id"])

    first = api.post("/properties/prop_a/publish-all", {"expected_count": 2})
    second = api.post("/properties/prop_a/publish-all", {"expected_count": 2})

    assert first.status == 202
    assert (second.status, second.error_code, second.body["error"]["job_id"]) == (
        409,
        "publish_all_running",
        first.body["job_id"],
    )
    running = api.get("/properties/prop_a/publish-jobs", query={"state": "running"}).body["items"]
    assert [job["job_id"] for job in running] == [first.body["job_id"]]
    heads = [i for i in table_items(stack, "PublishJobsTable") if i["sk"] == "JOB"]
    assert len(heads) == 1


def test_a_retry_with_the_same_key_gets_the_first_202(api, properties, bulk_env):
    create_draft(api, create_resident(api)["resident_id"])
    headers = {"Idempotency-Key": "click-1"}

    first = api.post("/properties/prop_a/publish-all", {"expected_count": 1}, headers=headers)
    again = api.post("/properties/prop_a/publish-all", {"expected_count": 1}, headers=headers)

    assert (first.status, again.status) == (202, 202)
    assert again.body == first.body


def test_the_202_carries_a_location_that_works_behind_the_stage(api, properties, bulk_env):
    create_draft(api, create_resident(api)["resident_id"])
    found = api.router.find("POST", "/properties/prop_a/publish-all")
    assert found is not None
    route, params = found
    from hoa_local.apigw import http_event, load_sample

    event = http_event(
        route,
        "/dev/properties/prop_a/publish-all",
        params,
        body='{"expected_count": 1}',
        claims=manager_claims("prop_a"),
        base=load_sample(route),
    )
    event["requestContext"]["stage"] = "dev"

    result = api.functions.invoke(route.function, event)

    import json

    body = json.loads(result["body"])
    assert result["statusCode"] == 202
    assert body["status_url"] == f"/dev/properties/prop_a/publish-jobs/{body['job_id']}"
    assert result["headers"]["Location"] == body["status_url"]
