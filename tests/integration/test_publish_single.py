"""Publish a single invoice: the help article's first path, and every refusal."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from tests.support.api import table_items
from tests.support.stories import create_draft, create_resident, detail, publish


def test_publishing_a_draft_opens_it_and_records_who_and_when(api, properties):
    resident = create_resident(api)
    draft = create_draft(api, resident["resident_id"], 32500, 2500)

    response = publish(api, draft, {"send_email": True})

    assert response.status == 200
    assert response.body["status"] == "Open"
    assert response.body["email"] == {"requested": True, "status": "queued", "details": {}}
    shown = detail(api, draft)
    last = shown["history"][-1]
    assert (last["action"], last["from_status"], last["to_status"]) == ("published", "Draft", "Open")
    assert last["actor"] == {"kind": "api", "id": "mgr-1", "name": "Dana Manager"}
    # The email is on its way: resending is greyed until it is sent.
    assert shown["actions"] == ["void"]
    assert {"action": "resend_email", "reason": "email_in_progress"}.items() <= shown["unavailable_actions"][-1].items()
    assert shown["publish_preview"] is None


def test_email_defaults_to_on_when_the_resident_has_an_address(api, properties):
    draft = create_draft(api, create_resident(api)["resident_id"])
    assert publish(api, draft).body["email"]["status"] == "queued"


def test_unchecking_the_box_publishes_without_email(api, properties):
    draft = create_draft(api, create_resident(api)["resident_id"])
    response = publish(api, draft, {"send_email": False})
    assert response.status == 200
    assert response.body["email"] == {"requested": False, "status": "not_requested", "details": {}}


def test_resident_without_address_is_published_with_email_skipped(api, properties):
    draft = create_draft(api, create_resident(api, email=None)["resident_id"])
    response = publish(api, draft)
    assert response.status == 200
    assert response.body["email"]["status"] == "skipped_no_address"


def test_asking_for_email_to_a_resident_without_address_is_refused_and_changes_nothing(api, properties, stack):
    draft = create_draft(api, create_resident(api, email=None)["resident_id"])
    before = table_items(stack, "InvoicesTable")

    response = publish(api, draft, {"send_email": True})

    assert response.status == 422
    assert response.error_code == "resident_has_no_email"
    assert table_items(stack, "InvoicesTable") == before


def test_publishing_an_open_invoice_is_refused_with_its_status_and_changes_nothing(api, properties, stack):
    draft = create_draft(api, create_resident(api)["resident_id"])
    publish(api, draft)
    before = table_items(stack, "InvoicesTable")

    response = publish(api, draft)

    assert response.status == 409
    assert response.error_code == "invoice_not_draft"
    assert response.body["error"]["status"] == "Open"
    assert table_items(stack, "InvoicesTable") == before


def test_publishing_an_unknown_invoice_is_404(api, properties):
    response = api.post("/properties/prop_a/invoices/inv_missing/publish", {})
    assert response.status == 404
    assert response.error_code == "invoice_not_found"


def test_an_invoice_of_another_property_is_not_found_through_this_one(api, properties):
    api.claims["property_ids"] = "[prop_a prop_b]"
    draft_b = create_draft(api, create_resident(api, "prop_b")["resident_id"], property_id="prop_b")
    response = api.post(f"/properties/prop_a/invoices/{draft_b['invoice_id']}/publish", {})
    assert response.status == 404
    assert detail(api, draft_b)["invoice"]["status"] == "Draft"


def test_twenty_concurrent_publishes_of_one_draft_exactly_one_wins(api, properties):
    draft = create_draft(api, create_resident(api)["resident_id"])
    barrier = threading.Barrier(20)

    def attempt(_: int) -> int:
        barrier.wait()
        return publish(api, draft, {"send_email": True}).status

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = sorted(pool.map(attempt, range(20)))

    assert statuses == [200] + [409] * 19
    published = [entry for entry in detail(api, draft)["history"] if entry["action"] == "published"]
    assert len(published) == 1


def test_a_retried_publish_with_the_same_idempotency_key_returns_the_first_response(api, properties):
    draft = create_draft(api, create_resident(api)["resident_id"])
    headers = {"Idempotency-Key": "publish-attempt-1"}

    first = publish(api, draft, {"send_email": True}, headers=headers)
    retry = publish(api, draft, {"send_email": True}, headers=headers)

    assert first.status == retry.status == 200
    assert retry.body == first.body
    assert len([e for e in detail(api, draft)["history"] if e["action"] == "published"]) == 1


def test_reusing_an_idempotency_key_for_a_different_body_is_refused(api, properties):
    draft = create_draft(api, create_resident(api)["resident_id"])
    headers = {"Idempotency-Key": "k-1"}
    assert publish(api, draft, {"send_email": True}, headers=headers).status == 200
    response = publish(api, draft, {"send_email": False}, headers=headers)
    assert response.status == 422
    assert response.error_code == "idempotency_key_reused"


def test_publish_body_with_wrong_types_or_unknown_fields_is_refused(api, properties, stack):
    draft = create_draft(api, create_resident(api)["resident_id"])
    before = table_items(stack, "InvoicesTable")
    for body in ({"send_email": "yes"}, {"send_email": 1}, {"notify": True}):
        response = publish(api, draft, body)
        assert response.status == 422, body
        assert response.error_code == "validation_failed"
    assert publish(api, draft, raw_body="{not json").status == 400
    assert table_items(stack, "InvoicesTable") == before
