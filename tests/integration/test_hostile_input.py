"""Bodies an attacker would send: small JSON that used to answer 500 (deep nesting,
integer literals past Python's 4,300-digit limit), ``null`` where an object belongs,
JSON without its media type. Each is a 4xx with the error body, and changes nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from hoa_local.apigw import http_event, load_sample
from tests.support.api import ApiResponse, table_items
from tests.support.stories import create_draft, create_resident, draft_body, publish

HUGE = "9" * 5000


def send(api, method: str, path: str, raw: str | None, *, content_type: str | None = "application/json"):
    """A request whose body and Content-Type are exactly these (None: no header at all)."""
    route, params = api.router.find(method, path)
    event = http_event(route, path, params, body=raw, claims=api.claims, base=load_sample(route))
    event["headers"].pop("content-type", None)
    if content_type is not None:
        event["headers"]["content-type"] = content_type
    result = api.functions.invoke(route.function, event)
    return ApiResponse(result["statusCode"], json.loads(result["body"]), result.get("headers", {}))


def everything(stack) -> dict[str, Any]:
    return {table: table_items(stack, table) for table in ("InvoicesTable", "PropertiesTable", "PublishJobsTable")}


@pytest.fixture
def draft(api, properties):
    return create_draft(api, create_resident(api)["resident_id"])


def nested_objects(levels: int) -> str:
    return '{"a":' * levels + "1" + "}" * levels


def deep_unknown_field() -> str:
    """A 2.4 KB resident whose unknown field nests 1,200 arrays deep."""
    return '{"name": "Pat", "unit": "4A", "extra": ' + "[" * 1200 + "]" * 1200 + "}"


DEEP = {
    "60 KB of arrays": "[" * 30000 + "]" * 30000,
    "10,000 levels of objects": nested_objects(10_000),
    "1,200 levels in an unknown field": deep_unknown_field(),
}


@pytest.mark.parametrize("body", list(DEEP.values()), ids=list(DEEP))
def test_deeply_nested_json_is_invalid_json_and_creates_nothing(api, properties, stack, body):
    before = everything(stack)

    response = send(api, "POST", "/properties/prop_a/residents", body)

    assert (response.status, response.error_code) == (400, "invalid_json")
    assert response.body["error"]["message"]
    assert everything(stack) == before


def test_an_integer_longer_than_python_reads_is_invalid_json_wherever_it_is(api, draft, stack):
    resident_id = draft["resident_id"]
    line_item = json.dumps(draft_body(resident_id)).replace("32500", HUGE)
    unknown_field = '{"name": "Pat", "unit": "4A", "n": ' + HUGE + "}"
    before = everything(stack)

    answers = [
        send(api, "POST", "/properties/prop_a/residents", unknown_field),
        send(api, "POST", "/properties/prop_a/invoices", line_item),
        send(api, "POST", "/properties/prop_a/publish-all", '{"expected_count": ' + HUGE + "}"),
    ]

    assert [(r.status, r.error_code) for r in answers] == [(400, "invalid_json")] * 3
    assert everything(stack) == before


# -- what a client may rely on (README, "Request bodies") ------------------------------


@pytest.mark.parametrize("body", ["null", "[]", '"send"', "true", "0"])
def test_a_body_that_is_not_an_object_publishes_nothing(api, draft, stack, body):
    response = send(api, "POST", f"/properties/prop_a/invoices/{draft['invoice_id']}/publish", body)

    assert (response.status, response.error_code) == (422, "validation_failed")
    assert response.body["error"]["fields"][0]["field"] == "body"
    assert [i["status"] for i in table_items(stack, "InvoicesTable")] == ["Draft"]


def test_json_without_a_content_type_is_refused_on_every_route_with_a_body(api, draft, stack):
    invoice = f"/properties/prop_a/invoices/{draft['invoice_id']}"
    before = everything(stack)
    bodies = {
        "/properties/prop_a/residents": {"name": "Sam", "unit": "2B"},
        "/properties/prop_a/invoices": draft_body(draft["resident_id"]),
        f"{invoice}/publish": {"send_email": False},
        f"{invoice}/void": {"reason": "Mistake"},
        "/properties/prop_a/publish-all": {"expected_count": 1},
    }

    answers = {path: send(api, "POST", path, json.dumps(body), content_type=None) for path, body in bodies.items()}

    assert {path: (r.status, r.error_code) for path, r in answers.items()} == dict.fromkeys(
        bodies, (415, "unsupported_media_type")
    )
    assert everything(stack) == before


def test_an_empty_body_where_the_body_is_optional_takes_the_defaults(api, draft, stack):
    response = send(api, "POST", f"/properties/prop_a/invoices/{draft['invoice_id']}/publish", None, content_type=None)

    assert response.status == 200, response.body
    assert (response.body["status"], response.body["email"]["status"]) == ("Open", "queued")


def test_a_route_that_takes_no_body_refuses_fields_it_does_not_have(api, draft, stack):
    publish(api, draft, {"send_email": False})
    resend = f"/properties/prop_a/invoices/{draft['invoice_id']}/resend-email"
    before = everything(stack)

    refused = send(api, "POST", resend, '{"to": "someone-else@example.com"}')

    assert (refused.status, refused.error_code) == (422, "validation_failed")
    assert refused.body["error"]["fields"] == [{"field": "to", "message": "is not a field of this request"}]
    assert everything(stack) == before
    assert send(api, "POST", resend, "{}").status == 202


def test_a_json_media_type_with_a_charset_is_json(api, properties):
    body = '{"name": "Sam", "unit": "2B"}'
    response = send(api, "POST", "/properties/prop_a/residents", body, content_type="application/json; charset=utf-8")

    assert response.status == 201


def test_an_id_no_invoice_can_have_is_not_found_without_a_lookup(api, properties):
    response = api.get("/properties/prop_a/invoices/" + "x" * 100_000)

    assert (response.status, response.error_code) == (404, "invoice_not_found")


# -- human text --------------------------------------------------------------------------


def test_a_name_that_would_inject_an_email_header_is_refused_naming_the_field(api, properties, stack):
    response = api.post("/properties/prop_a/residents", {"name": "Eve\r\nBcc: evil@example.com", "unit": "4A"})

    assert (response.status, response.error_code) == (422, "validation_failed")
    (refused,) = response.body["error"]["fields"]
    assert refused == {"field": "name", "message": "must not contain control characters (found U+000D)"}
    assert not [i for i in table_items(stack, "PropertiesTable") if i.get("name", "").startswith("Eve")]


def test_a_memo_keeps_its_lines_but_no_other_control_character(api, properties, stack):
    resident_id = create_resident(api)["resident_id"]
    body = {**draft_body(resident_id), "memo": "Pool key\r\nreplaced\tin March"}

    kept = api.post("/properties/prop_a/invoices", body)
    refused = api.post("/properties/prop_a/invoices", {**body, "memo": "Pool \x1b[31mkey"})
    reversed_text = api.post(
        "/properties/prop_a/invoices", {**body, "line_items": [{"description": "Dues \u202eevil", "amount": 100}]}
    )

    assert kept.status == 201
    assert kept.body["memo"] == "Pool key\nreplaced\tin March"
    assert (refused.status, refused.body["error"]["fields"][0]["field"]) == (422, "memo")
    assert (reversed_text.status, reversed_text.body["error"]["fields"][0]["field"]) == (
        422,
        "line_items.0.description",
    )
