"""The resident portal: "the invoice appears in the resident's portal under Invoices".
Drafts never do, and another resident's invoices do not exist as far as a resident knows."""

from __future__ import annotations

from tests.support.api import manager_claims
from tests.support.payments import as_resident, checkout, portal_invoice, published_invoice
from tests.support.stories import create_draft, create_resident

RESIDENT_ROW_FIELDS = {
    "invoice_id", "number", "property_name", "status", "amount_due", "balance", "due_date", "can_pay",
}  # fmt: skip


def test_a_resident_sees_their_published_invoices_and_never_a_draft(api, properties):
    resident = create_resident(api)
    published = [published_invoice(api, 1000 * n, resident=resident) for n in (1, 2, 3)]
    drafts = [create_draft(api, resident["resident_id"], 500) for _ in range(2)]
    claims = as_resident(published[0])

    seen, cursor = [], None
    while True:
        page = api.get(
            "/portal/invoices", query={"limit": "2", **({"cursor": cursor} if cursor else {})}, claims=claims
        )
        assert page.status == 200, page.body
        seen += page.body["items"]
        cursor = page.body["next_cursor"]
        if not cursor:
            break

    assert {row["invoice_id"] for row in seen} == {i["invoice_id"] for i in published}
    assert all(row["status"] != "Draft" for row in seen)
    assert all(set(row) == RESIDENT_ROW_FIELDS for row in seen)
    for draft in drafts:
        response = api.get(f"/portal/invoices/{draft['invoice_id']}", claims=claims)
        assert (response.status, response.error_code) == (404, "invoice_not_found")
        assert checkout(api, draft, claims=claims).status == 404


def test_the_detail_shows_the_bill_and_nothing_internal(api, properties):
    invoice = published_invoice(api, 32500, 2500)

    shown = portal_invoice(api, invoice)

    assert shown["status"] == "Open"
    assert shown["actions"] == ["pay"]
    assert [li["amount"]["amount"] for li in shown["line_items"]] == [32500, 2500]
    assert shown["payable_now"]["amount"] == 35000
    for internal in ("history", "email", "needs_attention", "resident_name", "publish_id", "recipient", "version"):
        assert internal not in shown


def test_resident_a_can_neither_see_nor_pay_resident_bs_invoice(api, properties, fake_stripe):
    mine = published_invoice(api, resident=create_resident(api, name="Alex A"))
    theirs = published_invoice(api, 50000, resident=create_resident(api, name="Blair B"))
    claims = as_resident(mine)

    listed = api.get("/portal/invoices", claims=claims).body["items"]
    detail = api.get(f"/portal/invoices/{theirs['invoice_id']}", claims=claims)
    pay = checkout(api, theirs, claims=claims)

    assert [row["invoice_id"] for row in listed] == [mine["invoice_id"]]
    assert (detail.status, detail.error_code) == (404, "invoice_not_found")
    assert (pay.status, pay.error_code) == (404, "invoice_not_found")
    assert fake_stripe.requests == []


def test_a_voided_invoice_stays_visible_but_cannot_be_paid(api, properties):
    invoice = published_invoice(api)
    api.post(f"/properties/prop_a/invoices/{invoice['invoice_id']}/void", {"reason": "Published by mistake"})

    shown = portal_invoice(api, invoice)
    response = checkout(api, invoice)

    assert (shown["status"], shown["actions"]) == ("Void", [])
    assert (response.status, response.error_code, response.body["error"]["status"]) == (
        409,
        "invoice_not_payable",
        "Void",
    )


def test_a_manager_token_cannot_use_the_portal(api, properties):
    response = api.get("/portal/invoices", claims=manager_claims("prop_a"))
    assert (response.status, response.error_code) == (403, "forbidden")


def test_a_token_without_a_resident_id_is_refused(api, properties):
    response = api.get("/portal/invoices", claims={"sub": "someone", "role": "resident"})
    assert response.status == 401
