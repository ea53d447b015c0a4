"""Every operation of docs/openapi.json, sent what an attacker would send: JSON nested
thousands deep, number literals past Python's 4,300-digit limit, control and bidi
characters in every string field, bodies that are not objects, wrong and missing media
types, oversize bodies, ids, cursors and headers. Each answer is a 4xx with the
documented error body ({"error": {"code", "message"}}), and the store (every table,
byte for byte, and every queue) is as it was.

The requests go to the handlers exactly as API Gateway would send them (routes from
template.yaml). One test walks the whole corpus, so the world is built once; the size
and the result are printed in the session's summary."""

from __future__ import annotations

import base64
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import boto3
import pytest
from moto.backends import get_backend

from hoa_local import ROOT, stripe_fake
from hoa_local.apigw import http_event, load_sample
from hoa_local.template import Stack
from tests.support.api import Api, manager_claims, resident_claims
from tests.support.bulk import use_bulk_environment
from tests.support.letters import use_letters_environment
from tests.support.stories import create_draft, create_resident, draft_body, publish

DOCUMENT = json.loads((ROOT / "docs" / "openapi.json").read_text())
HUGE_INTEGER = "9" * 5000
# Characters no human text field takes: control (C0, DEL, C1), bidi, separators, and an
# unpaired surrogate (as JSON sends it). Line breaks and tabs only where text is one line.
CONTROLS = ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\u202e", "\u2066", "\u2028", "\ud800"]
LINE_BREAKS = ["\r\nBcc: evil@example.com", "\nX-Injected: 1", "\t"]
MULTILINE_FIELDS = {"memo", "reason"}  # may hold line feeds and tabs (README, "Request bodies")
NOT_OBJECTS = ["null", "[]", "[1,2,3]", '"evt"', "42", "true"]
NOT_JSON = ['{"a":', "{'a': 1}", "NaN", '{"a": Infinity}', "\x00", '{"a": 1, "a": 2}', "   "]
WRONG_TYPES = ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/json"]
BIG = "x" * 100_000
ACCOUNT, REGION = "123456789012", "us-east-1"


@dataclass
class Case:
    operation: str
    kind: str
    method: str
    path: str
    body: str | bytes | None = None
    headers: dict[str, str | None] = field(default_factory=dict)
    query: dict[str, str] | None = None
    path_params: dict[str, str] | None = None


@dataclass
class World:
    api: Api
    resident: str
    draft: str
    open_invoice: str
    job: str

    def claims(self, path: str) -> dict[str, Any] | None:
        if path.startswith("/portal/"):
            return resident_claims(self.resident, sub="sub-resident")
        if path.startswith("/webhooks/"):
            return None
        return manager_claims("prop_a")

    def concrete(self, path: str, method: str) -> str:
        invoice = self.draft if method == "DELETE" or path.endswith("/publish") else self.open_invoice
        return path.replace("{property_id}", "prop_a").replace("{invoice_id}", invoice).replace("{job_id}", self.job)

    def valid_body(self, method: str, path: str) -> dict[str, Any] | None:
        """A body that would succeed: the corpus changes one thing in it."""
        bodies: dict[str, dict[str, Any]] = {
            "POST /properties/{property_id}/residents": {"name": "Sam Doe", "unit": "2B", "email": "sam@example.com"},
            "POST /properties/{property_id}/invoices": {**draft_body(self.resident, 32500), "memo": "Spring dues"},
            "POST /properties/{property_id}/invoices/{invoice_id}/publish": {"send_email": False},
            "POST /properties/{property_id}/invoices/{invoice_id}/void": {"reason": "Published by mistake"},
            "POST /properties/{property_id}/publish-all": {"expected_count": 1},
            "POST /webhooks/stripe": stripe_fake.completed(
                stripe_fake.checkout_session(self.open_invoice, "prop_a", 32500)
            ),
        }
        return bodies.get(f"{method} {path}")


def _string_leaves(value: Any, trail: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _string_leaves(inner, (*trail, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _string_leaves(inner, (*trail, index))
    elif isinstance(value, str):
        yield trail, value


def _integer_leaves(value: Any, trail: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _integer_leaves(inner, (*trail, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _integer_leaves(inner, (*trail, index))
    elif isinstance(value, int) and not isinstance(value, bool):
        yield trail


def _replaced(body: Any, trail: tuple[Any, ...], new: Any) -> Any:
    copy = json.loads(json.dumps(body))
    target = copy
    for step in trail[:-1]:
        target = target[step]
    target[trail[-1]] = new
    return copy


def _with_field(text: str, name: str, raw: str) -> str:
    """The JSON object ``text`` with one more field whose value is written as ``raw``."""
    return ("{" if text == "{}" else text[:-1] + ", ") + f'"{name}": {raw}' + "}"


def _body_cases(world: World, operation: str, method: str, path: str, concrete: str) -> Iterator[Case]:
    valid = world.valid_body(method, path) or {}
    text = json.dumps(valid)
    signed = "/webhooks/" in path  # Stripe's own fields are trusted once the signature checks out

    def case(kind: str, body: str | bytes | None, **more: Any) -> Case:
        return Case(operation, kind, method, concrete, body, **more)

    yield case("nesting: 60 KB of arrays", "[" * 30000 + "]" * 30000)
    yield case("nesting: 10,000 objects", '{"a":' * 10_000 + "1" + "}" * 10_000)
    yield case("nesting: 1,200 arrays in an unknown field", _with_field(text, "x", "[" * 1200 + "]" * 1200))
    yield case("huge integer: unknown field", _with_field(text, "n", HUGE_INTEGER))
    for trail in _integer_leaves(valid):
        placeholder = _replaced(valid, trail, "__HUGE__")
        yield case(
            f"huge integer: {'.'.join(map(str, trail))}", json.dumps(placeholder).replace('"__HUGE__"', HUGE_INTEGER)
        )
    for other in NOT_OBJECTS:
        yield case(f"not an object: {other}", other)
    for broken in NOT_JSON:
        yield case(f"not JSON: {broken!r}", broken)
    yield case("not UTF-8", b"\xff\xfe{" + text.encode() + b"\xc3")
    yield case("oversize body (100 KB)", json.dumps({**valid, "padding": BIG}))
    for media in WRONG_TYPES:
        yield case(f"content type {media}", text, headers={"content-type": media})
    yield case("no content type", text, headers={"content-type": None})
    yield case("content type of 100 KB", text, headers={"content-type": "application/" + BIG})
    if not valid:  # a route that takes no body refuses fields
        yield case("fields on a route without a body", '{"to": "someone-else@example.com"}')
    for trail, original in [] if signed else _string_leaves(valid):
        name = str(trail[-1] if not isinstance(trail[-1], int) else trail[-2])
        bad = CONTROLS + ([] if name in MULTILINE_FIELDS else LINE_BREAKS)
        for char in bad:
            middle = max(1, len(original) // 2)  # inside: whitespace at the ends is trimmed
            changed = json.dumps(_replaced(valid, trail, original[:middle] + char + original[middle:]))
            yield case(f"{'.'.join(map(str, trail))} with U+{ord(char[0]):04X}", changed)


def _query_cases(operation: str, method: str, concrete: str, parameters: list[dict[str, Any]]) -> Iterator[Case]:
    names = {p["name"] for p in parameters if p["in"] == "query"}
    deep_cursor = base64.urlsafe_b64encode(("[" * 5000 + "]" * 5000).encode()).decode()
    forged = base64.urlsafe_b64encode(
        json.dumps({"scope": "prop_a|*", "group": "x", "shards": {"0": {"invoice_id": BIG[:5000]}}}).encode()
    ).decode()
    values: dict[str, list[str]] = {
        "limit": [HUGE_INTEGER, "-1", "0", "1e3", "abc", "10\x00", BIG],
        "cursor": [BIG, "%%%", deep_cursor, forged, "e30", "\x00\u202e"],
        "status": ["Draft\r\n", "\u202eOpen", BIG, "draft"],
    }
    for name in sorted(names):
        for value in values.get(name, [BIG, "\x00"]):
            shown = value if len(value) < 20 else f"{len(value)} characters"
            yield Case(operation, f"query {name}={shown!r}", method, concrete, query={name: value})


def _path_cases(world: World, operation: str, method: str, path: str) -> Iterator[Case]:
    """Ids no record can have, as API Gateway passes them: encoded in the raw path,
    decoded in the path parameters."""
    for name in ("property_id", "invoice_id", "job_id"):
        if "{" + name + "}" not in path:
            continue
        for bad in (BIG, "inv_\x00", "inv_\u202e1", "../../etc", "inv_" + "Å" * 10):
            target = world.concrete(path.replace("{" + name + "}", quote(bad, safe="")), method)
            shown = bad if len(bad) < 20 else f"{len(bad)} characters"
            yield Case(operation, f"path {name}={shown!r}", method, target, path_params={name: bad})


def _header_cases(operation: str, method: str, concrete: str, valid: dict[str, Any] | None) -> Iterator[Case]:
    body = json.dumps(valid) if valid is not None and method == "POST" else None
    if "/webhooks/" not in concrete:
        for key in (BIG, "key\r\nX: 1", "", "\u202ekey"):
            shown = key if len(key) < 20 else f"{len(key)} characters"
            yield Case(operation, f"Idempotency-Key {shown!r}", method, concrete, body, {"idempotency-key": key})
    if "/webhooks/" in concrete:
        yield Case(operation, "Stripe-Signature 100 KB", method, concrete, body, {"stripe-signature": "t=1,v1=" + BIG})
        yield Case(operation, "no Stripe-Signature", method, concrete, body, {"stripe-signature": None})


def corpus(world: World) -> list[Case]:
    cases: list[Case] = []
    for path, operations in DOCUMENT["paths"].items():
        for method, operation_doc in operations.items():
            method = method.upper()
            operation = f"{method} {path}"
            concrete = world.concrete(path, method)
            parameters = operation_doc.get("parameters", [])
            cases += _body_cases(world, operation, method, path, concrete)
            cases += _query_cases(operation, method, concrete, parameters)
            cases += _path_cases(world, operation, method, path)
            cases += _header_cases(operation, method, concrete, world.valid_body(method, path))
    return cases


def _send(world: World, case: Case) -> dict[str, Any]:
    found = world.api.router.find(case.method, case.path)
    assert found, case
    route, params = found
    if case.path_params:
        params = {**params, **case.path_params}
    event = http_event(
        route,
        case.path,
        params,
        query=case.query,
        body=case.body,
        claims=world.claims(case.path),
        base=load_sample(route),
    )
    headers = event["headers"]
    if "/webhooks/" in case.path and isinstance(case.body, str):
        headers["stripe-signature"] = stripe_fake.sign(case.body)  # signed: the body itself is what is tried
    for name, value in case.headers.items():
        if value is None:
            headers.pop(name, None)
        else:
            headers[name] = value
    return world.api.functions.invoke(route.function, event)


def _state(stack: Stack) -> str:
    """Every item of every table, as DynamoDB returns it, and every queue's depth: read
    through the API before and after the corpus."""
    dynamodb, sqs = boto3.client("dynamodb"), boto3.client("sqs")
    snapshot: dict[str, Any] = {}
    for logical in stack.resources("AWS::DynamoDB::Table"):
        pages = dynamodb.get_paginator("scan").paginate(TableName=stack.physical_name(logical), ConsistentRead=True)
        snapshot[logical] = sorted(json.dumps(item, sort_keys=True) for page in pages for item in page["Items"])
    for logical in stack.resources("AWS::SQS::Queue"):
        snapshot[logical] = sqs.get_queue_attributes(
            QueueUrl=stack.resolve({"Ref": logical}),
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
    return json.dumps(snapshot, sort_keys=True)


def _state_inside(stack: Stack) -> str:
    """The same, read from the embedded AWS's memory: fast enough to check after every
    request (a scan through the API costs ~80 ms here; the corpus is hundreds)."""
    dynamodb = get_backend("dynamodb")[ACCOUNT][REGION]
    sqs = get_backend("sqs")[ACCOUNT][REGION]
    snapshot: dict[str, Any] = {}
    for logical in stack.resources("AWS::DynamoDB::Table"):
        table = dynamodb.tables[stack.physical_name(logical)]
        snapshot[logical] = sorted(json.dumps(item.to_json(), sort_keys=True) for item in table.all_items())
    for logical in stack.resources("AWS::SQS::Queue"):
        queue = sqs.queues[stack.resolve({"Ref": logical}).rsplit("/", 1)[1]]
        snapshot[logical] = [queue.approximate_number_of_messages, queue.approximate_number_of_messages_not_visible]
    return json.dumps(snapshot, sort_keys=True)


def _documented_error(result: dict[str, Any]) -> str | None:
    """Why the answer is not the documented error body (None when it is)."""
    if result.get("headers", {}).get("Content-Type") != "application/json":
        return f"content type {result.get('headers')}"
    try:
        body = json.loads(result["body"])
    except (TypeError, ValueError):
        return "not JSON"
    error = body.get("error") if isinstance(body, dict) else None
    if not (isinstance(error, dict) and isinstance(error.get("code"), str) and isinstance(error.get("message"), str)):
        return f"not the error shape: {result['body'][:200]}"
    return None


@pytest.fixture
def world(api: Api, properties, stack, monkeypatch) -> World:
    use_bulk_environment(stack, monkeypatch)
    use_letters_environment(stack, monkeypatch)
    resident = create_resident(api, name="Alex A")["resident_id"]
    open_invoice = create_draft(api, resident)
    assert publish(api, open_invoice, {"send_email": False}).status == 200
    draft = create_draft(api, resident)
    job = api.post("/properties/prop_a/publish-all", {"expected_count": 1})
    assert job.status == 202, job.body
    return World(api, resident, draft["invoice_id"], open_invoice["invoice_id"], job.body["job_id"])


def test_every_operation_refuses_the_hostile_corpus_with_a_4xx_and_changes_nothing(world, stack, record_property):
    cases = corpus(world)
    before, before_inside = _state(stack), _state_inside(stack)
    statuses: Counter[int] = Counter()
    problems: list[str] = []

    for case in cases:
        result = _send(world, case)
        status = result["statusCode"]
        statuses[status] += 1
        if not 400 <= status < 500:
            problems.append(f"{case.operation} [{case.kind}]: {status} {str(result.get('body'))[:200]}")
        elif why := _documented_error(result):
            problems.append(f"{case.operation} [{case.kind}]: {status} {why}")
        if (now := _state_inside(stack)) != before_inside:
            problems.append(f"{case.operation} [{case.kind}]: the store changed")
            before_inside = now
    if _state(stack) != before:
        problems.append("after the corpus: a table or a queue differs from before")

    operations = {case.operation for case in cases}
    changed = sum(1 for p in problems if p.endswith("the store changed"))
    server_errors = sum(count for status, count in statuses.items() if status >= 500)
    summary = (
        f"hostile corpus: {len(cases)} requests over {len(operations)} operations: "
        f"{sum(c for s, c in statuses.items() if 400 <= s < 500)} x 4xx, {server_errors} x 5xx, "
        f"{sum(c for s, c in statuses.items() if s < 400)} x 2xx/3xx, {changed} state changes; "
        f"statuses {dict(sorted(statuses.items()))}"
    )
    record_property("summary", summary)
    print(summary)
    assert {f"{m.upper()} {p}" for p, ops in DOCUMENT["paths"].items() for m in ops} == operations
    assert not problems, "\n".join([summary, *problems[:60]])
