"""The Invoices page, the summary behind "Publish All (12)", invoice detail, and void."""

from __future__ import annotations

import boto3

from hoa_billing.data.items import to_attr
from tests.support.api import table_items
from tests.support.stories import create_draft, create_resident, detail, publish


def _set_on_item(stack, invoice_id: str, **values) -> None:
    """Put an invoice into a state the API has no route for yet (payments, overdue)."""
    names = {f"#{k}": k for k in values}
    boto3.client("dynamodb").update_item(
        TableName=stack.physical_name("InvoicesTable"),
        Key={"invoice_id": to_attr(invoice_id)},
        UpdateExpression="SET " + ", ".join(f"#{k} = :{k}" for k in values),
        ExpressionAttributeNames=names,
        ExpressionAttributeValues={f":{k}": to_attr(v) for k, v in values.items()},
    )


def test_listing_by_status_pages_through_every_shard_newest_first_without_repeats(api, properties):
    resident_id = create_resident(api)["resident_id"]
    created = [create_draft(api, resident_id, 1000 + n)["invoice_id"] for n in range(23)]
    opened = created[:3]
    for invoice_id in opened:
        api.post(f"/properties/prop_a/invoices/{invoice_id}/publish", {})

    seen, cursor, pages = [], None, 0
    while True:
        query = {"status": "Draft", "limit": "5", **({"cursor": cursor} if cursor else {})}
        page = api.get("/properties/prop_a/invoices", query=query).body
        assert len(page["items"]) <= 5
        seen += [row["invoice_id"] for row in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if not cursor:
            break

    assert seen == list(reversed(created[3:]))
    assert pages >= 4
    open_rows = api.get("/properties/prop_a/invoices", query={"status": "Open"}).body["items"]
    assert {row["invoice_id"] for row in open_rows} == set(opened)


def test_unfiltered_listing_shows_every_invoice_grouped_in_lifecycle_order(api, properties):
    resident_id = create_resident(api)["resident_id"]
    drafts = [create_draft(api, resident_id)["invoice_id"] for _ in range(4)]
    api.post(f"/properties/prop_a/invoices/{drafts[0]}/publish", {})

    rows, cursor = [], None
    while True:
        page = api.get("/properties/prop_a/invoices", query={"limit": "2", **({"cursor": cursor} if cursor else {})})
        rows += page.body["items"]
        cursor = page.body["next_cursor"]
        if not cursor:
            break
    assert [r["status"] for r in rows] == ["Draft", "Draft", "Draft", "Open"]
    assert sorted(r["invoice_id"] for r in rows) == sorted(drafts)


def test_a_cursor_from_another_listing_or_garbage_is_a_400(api, properties):
    resident_id = create_resident(api)["resident_id"]
    for _ in range(3):
        create_draft(api, resident_id)
    cursor = api.get("/properties/prop_a/invoices", query={"status": "Draft", "limit": "1"}).body["next_cursor"]
    for bad in (cursor, "not-a-cursor!!"):
        response = api.get("/properties/prop_a/invoices", query={"status": "Open", "cursor": bad})
        assert response.status == 400
        assert response.error_code == "invalid_cursor"
    assert api.get("/properties/prop_a/invoices", query={"status": "Nope"}).status == 422
    assert api.get("/properties/prop_a/invoices", query={"limit": "1000"}).status == 422


def test_summary_counts_each_status_and_totals_the_drafts(api, properties):
    with_email = create_resident(api)["resident_id"]
    no_email = create_resident(api, email=None, name="Sam Ortiz")["resident_id"]
    drafts = [create_draft(api, with_email, 10000) for _ in range(3)]
    quiet = create_draft(api, no_email, 2500)
    publish(api, drafts[0])
    publish(api, quiet)

    summary = api.get("/properties/prop_a/invoices/summary").body

    assert summary["counts"] == {"Draft": 2, "Open": 2, "Overdue": 0, "Paid": 0, "Void": 0}
    assert summary["drafts"] == {"count": 2, "total": {"amount": 20000, "currency": "USD", "formatted": "$200.00"}}
    unreachable = api.get("/properties/prop_a/invoices", query={"email": "skipped_no_address"}).body
    assert [row["invoice_id"] for row in unreachable["items"]] == [quiet["invoice_id"]]
    assert unreachable["items"][0]["email_status"] == "skipped_no_address"


def test_detail_shows_the_publish_preview_with_the_email_checkbox(api, properties):
    with_email = create_draft(api, create_resident(api)["resident_id"], 32500)
    without = create_draft(api, create_resident(api, email=None, name="Sam Ortiz")["resident_id"])

    preview = detail(api, with_email)["publish_preview"]
    assert preview == {
        "number": with_email["number"],
        "amount": {"amount": 32500, "currency": "USD", "formatted": "$325.00"},
        "resident_name": "Pat Resident",
        "recipient_email": "pat@example.com",
        "email_checkbox": {"enabled": True, "checked_by_default": True, "disabled_reason": None},
    }
    assert detail(api, without)["publish_preview"]["email_checkbox"] == {
        "enabled": False,
        "checked_by_default": False,
        "disabled_reason": "no_address",
    }
    assert detail(api, without)["actions"] == ["publish", "edit", "delete"]


def test_voiding_an_open_invoice_records_the_reason(api, properties, stack):
    draft = create_draft(api, create_resident(api)["resident_id"])
    publish(api, draft)

    response = api.post(f"/properties/prop_a/invoices/{draft['invoice_id']}/void", {"reason": "Published by mistake"})

    assert response.status == 200
    assert response.body["status"] == "Void"
    assert response.body["void_reason"] == "Published by mistake"
    shown = detail(api, draft)
    assert shown["history"][-1]["action"] == "voided"
    assert shown["history"][-1]["reason"] == "Published by mistake"
    assert shown["actions"] == []
    stored = next(i for i in table_items(stack, "InvoicesTable") if i["invoice_id"] == draft["invoice_id"])
    assert stored["gsi_status_sk"].startswith("Void#"), "a void invoice is listed as Void, no longer as Open"


def test_an_overdue_invoice_can_be_voided(api, properties, stack):
    draft = create_draft(api, create_resident(api)["resident_id"])
    publish(api, draft)
    _set_on_item(stack, draft["invoice_id"], status="Overdue")
    response = api.post(f"/properties/prop_a/invoices/{draft['invoice_id']}/void", {"reason": "Duplicate"})
    assert response.status == 200


def test_a_draft_or_void_invoice_is_not_voidable(api, properties, stack):
    draft = create_draft(api, create_resident(api)["resident_id"])
    response = api.post(f"/properties/prop_a/invoices/{draft['invoice_id']}/void", {"reason": "Mistake"})
    assert response.status == 409
    assert response.error_code == "invoice_not_voidable"
    assert response.body["error"]["status"] == "Draft"

    publish(api, draft)
    api.post(f"/properties/prop_a/invoices/{draft['invoice_id']}/void", {"reason": "Mistake"})
    before = table_items(stack, "InvoicesTable")
    again = api.post(f"/properties/prop_a/invoices/{draft['invoice_id']}/void", {"reason": "Mistake"})
    assert (again.status, again.error_code, again.body["error"]["status"]) == (409, "invoice_not_voidable", "Void")
    assert table_items(stack, "InvoicesTable") == before


def test_an_invoice_with_a_payment_succeeded_or_processing_is_not_voidable(api, properties, stack):
    resident_id = create_resident(api)["resident_id"]
    for field in ("amount_paid", "amount_processing"):
        draft = create_draft(api, resident_id)
        publish(api, draft)
        _set_on_item(stack, draft["invoice_id"], **{field: 100})
        response = api.post(f"/properties/prop_a/invoices/{draft['invoice_id']}/void", {"reason": "Mistake"})
        assert response.status == 409
        assert response.error_code == "invoice_has_payments"
        assert detail(api, draft)["invoice"]["status"] == "Open"
        assert "void" not in detail(api, draft)["actions"]


def test_void_needs_a_reason(api, properties):
    draft = create_draft(api, create_resident(api)["resident_id"])
    publish(api, draft)
    for body in ({}, {"reason": ""}, {"reason": "  "}, None):
        response = api.post(f"/properties/prop_a/invoices/{draft['invoice_id']}/void", body)
        assert response.status == 422, body
    assert detail(api, draft)["invoice"]["status"] == "Open"
