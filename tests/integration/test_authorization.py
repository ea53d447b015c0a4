"""A manager acts only on the properties in their token; a broken principal is refused."""

from __future__ import annotations

import pytest

from tests.support.api import manager_claims, resident_claims, table_items
from tests.support.stories import create_draft, create_resident

ROUTES = [
    ("GET", "/properties/{p}/residents", None),
    ("POST", "/properties/{p}/residents", {"name": "Eve", "unit": "1"}),
    ("GET", "/properties/{p}/invoices", None),
    ("GET", "/properties/{p}/invoices/summary", None),
    (
        "POST",
        "/properties/{p}/invoices",
        {
            "resident_id": "res_x",
            "currency": "USD",
            "due_date": "2099-01-01",
            "line_items": [{"description": "x", "amount": 1}],
        },
    ),
    ("GET", "/properties/{p}/invoices/{i}", None),
    ("DELETE", "/properties/{p}/invoices/{i}", None),
    ("POST", "/properties/{p}/invoices/{i}/publish", {}),
    ("POST", "/properties/{p}/invoices/{i}/void", {"reason": "because"}),
    ("GET", "/properties/{p}/invoices/{i}/letter", None),
    ("GET", "/properties/{p}/publish-jobs/job_x/letters", None),
    ("GET", "/properties/{p}/publish-jobs/job_x/deliveries", None),
    ("GET", "/properties/{p}/publish-jobs/job_x/deliveries.csv", None),
]


@pytest.fixture
def invoice_of_b(api, properties):
    api.claims = manager_claims("prop_b", sub="mgr-b")
    return create_draft(api, create_resident(api, "prop_b")["resident_id"], property_id="prop_b")


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
def test_a_manager_of_property_a_can_neither_read_nor_change_property_b(api, stack, invoice_of_b, method, path, body):
    before = table_items(stack, "InvoicesTable"), table_items(stack, "PropertiesTable")
    api.claims = manager_claims("prop_a")
    response = api.call(method, path.format(p="prop_b", i=invoice_of_b["invoice_id"]), body)
    assert response.status == 403
    assert response.error_code == "forbidden"
    assert (table_items(stack, "InvoicesTable"), table_items(stack, "PropertiesTable")) == before


@pytest.mark.parametrize(
    ("claims", "status"),
    [
        (None, 401),
        ({"role": "manager", "property_ids": "[prop_b]"}, 401),
        ({"sub": "x", "role": "manager", "property_ids": 42}, 401),
        ({"sub": "x", "role": "manager", "property_ids": "[prop_b, bad id!]"}, 401),
        (resident_claims("res_1"), 403),
        ({"sub": "x", "role": "admin", "property_ids": "[prop_b]"}, 403),
    ],
)
@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
def test_a_missing_malformed_or_wrong_principal_is_refused(
    api, stack, invoice_of_b, claims, status, method, path, body
):
    before = table_items(stack, "InvoicesTable")
    response = api.call(method, path.format(p="prop_b", i=invoice_of_b["invoice_id"]), body, claims=claims)
    assert response.status == status
    assert table_items(stack, "InvoicesTable") == before


def test_property_ids_claim_is_read_in_each_shape_an_authorizer_may_pass(api, properties):
    for shape in (["prop_a"], "[prop_a]", "prop_a", "[prop_b prop_a]", "prop_b,prop_a"):
        api.claims = {"sub": "m", "role": "manager", "property_ids": shape}
        assert api.get("/properties/prop_a/invoices/summary").status == 200, shape


def test_a_stranger_s_invalid_body_is_refused_for_who_they_are_not_what_they_sent(api, stack, invoice_of_b):
    api.claims = manager_claims("prop_a")
    response = api.post("/properties/prop_b/invoices", raw_body="{broken")
    assert response.status == 403
    assert api.post("/properties/prop_b/invoices", raw_body="{broken", claims=None).status == 401
