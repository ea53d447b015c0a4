"""``hoa invoice INV-00012``: status, email delivery and history by number, through the
API as the operator's command calls it (the handlers routed by template.yaml)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import boto3
import pytest

from hoa_billing.core.clock import FixedClock
from hoa_local import invoice_report
from hoa_local.cli import build_parser
from tests.support.outbox import PORTAL, SENDER, Outbox
from tests.support.stories import create_draft, create_resident, publish


class ApiTarget:
    """The command's view of an API (``cli.Target``), answered by the test client."""

    def __init__(self, api, *, searches: bool = False) -> None:
        self.api = api
        self.searches = searches  # an API with ?q=: it lists only what matches
        self.paths: list[str] = []

    def call(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
        self.paths.append(path)
        url = urlsplit(path)
        query = dict(parse_qsl(url.query))
        wanted = query.pop("q", None)
        if self.searches and wanted:  # every match in one answer
            query = {"limit": "100"}
        response = self.api.call(method, url.path, body, query=query or None)
        assert response.status < 400, response.body
        if self.searches and wanted:
            response.body["items"] = [row for row in response.body["items"] if row["number"] == wanted]
            response.body["next_cursor"] = None
        return response.body

    def require_property(self, args: argparse.Namespace) -> str:
        return "prop_a"


@pytest.fixture
def outbox(stack, properties) -> Outbox:
    stack.parameters.update(SenderEmail=SENDER, PortalBaseUrl=PORTAL)
    boto3.client("ses").verify_email_identity(EmailAddress=SENDER)
    return Outbox(stack, FixedClock(datetime(2026, 3, 2, 15, 0, tzinfo=UTC)))


def invoice_command(target: ApiTarget, number: str, capsys) -> tuple[int, str, str]:
    args = build_parser().parse_args(["invoice", number])
    code = invoice_report.show(args, target)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_report_says_the_email_went_out_with_its_message_id_and_who_did_what(api, outbox, capsys):
    pat = create_resident(api, name="Pat Lee", email="pat@example.com")
    others = [create_draft(api, pat["resident_id"]) for _ in range(3)]
    wanted = create_draft(api, pat["resident_id"], 32500)
    assert publish(api, wanted, {"send_email": True}).status == 200
    outbox.run()

    code, out, _ = invoice_command(ApiTarget(api), wanted["number"], capsys)

    assert code == 0
    (message,) = outbox.sent()
    assert out.splitlines()[0].startswith(f"{wanted['number']}  Open  $325.00")
    assert f"Email      sent to pat@example.com at 2026-03-02T15:00:00.000Z, SES message id {message.id}" in out
    assert "created" in out
    assert "Draft -> Open" in out
    assert "api mgr-1 (Dana Manager)" in out
    assert all(other["number"] not in out for other in others)


def test_a_resident_without_an_address_is_told_another_way(api, properties, capsys):
    quiet = create_draft(api, create_resident(api, email=None)["resident_id"])
    publish(api, quiet)

    code, out, _ = invoice_command(ApiTarget(api), quiet["number"].lower(), capsys)

    assert code == 0
    assert "not sent: the resident had no usable address" in out


def test_the_number_is_found_by_search_when_the_api_has_it_and_by_paging_otherwise(api, properties):
    resident_id = create_resident(api)["resident_id"]
    drafts = [create_draft(api, resident_id) for _ in range(5)]

    searching, listing = ApiTarget(api, searches=True), ApiTarget(api)
    found = [invoice_report.find(t, "prop_a", drafts[0]["number"], page_size=2) for t in (searching, listing)]

    assert [row["invoice_id"] for row in found] == [drafts[0]["invoice_id"]] * 2
    assert len(searching.paths) == 1
    assert len(listing.paths) == 3  # newest first: the first draft is on the last page


def test_a_number_no_invoice_has_is_an_error(api, properties, capsys):
    code, _, err = invoice_command(ApiTarget(api), "INV-99999", capsys)

    assert code == 2
    assert "no invoice numbered INV-99999" in err
