"""Requests no frontend would send, found by fuzzing the API: each gets a 4xx with the
error shape and changes nothing."""

from __future__ import annotations

import pytest

from hoa_local.apigw import http_event, load_sample
from tests.support.api import table_items
from tests.support.stories import create_draft, create_resident


def send_bytes(api, method, path, data: bytes, content_type="application/json"):
    route, params = api.router.find(method, path)
    event = http_event(
        route,
        path,
        params,
        headers={"content-type": content_type},
        body=data,
        claims=api.claims,
        base=load_sample(route),
    )
    return api.functions.invoke(route.function, event)


def test_a_body_that_is_not_utf8_is_refused_as_invalid_json_and_publishes_nothing(api, properties, stack):
    resident = create_resident(api)
    draft = create_draft(api, resident["resident_id"])

    result = send_bytes(api, "POST", f"/properties/prop_a/invoices/{draft['invoice_id']}/publish", b"V\xfa\xc3t,")

    assert result["statusCode"] == 400
    assert '"invalid_json"' in result["body"]
    assert [i["status"] for i in table_items(stack, "InvoicesTable")] == ["Draft"]


def test_a_currency_that_is_not_a_string_is_a_validation_error(api, properties, stack):
    resident = create_resident(api)
    body = {
        "resident_id": resident["resident_id"],
        "currency": {},
        "due_date": "2099-01-01",
        "line_items": [{"description": "Dues", "amount": 100}],
    }

    response = api.post("/properties/prop_a/invoices", body)

    assert response.status == 422
    assert response.error_code == "validation_failed"
    assert [f["field"] for f in response.body["error"]["fields"]] == ["currency"]
    assert table_items(stack, "InvoicesTable") == []


@pytest.mark.parametrize("content_type", ["text/plain", "multipart/form-data"], ids=["text_plain", "form"])
def test_a_json_body_sent_as_another_media_type_is_refused_with_415_and_publishes_nothing(
    api, properties, stack, content_type
):
    resident = create_resident(api)
    draft = create_draft(api, resident["resident_id"])
    path = f"/properties/prop_a/invoices/{draft['invoice_id']}/publish"

    response = api.post(path, raw_body='{"send_email": false}', headers={"content-type": content_type})

    assert response.status == 415
    assert response.error_code == "unsupported_media_type"
    assert [i["status"] for i in table_items(stack, "InvoicesTable")] == ["Draft"]
