"""After a Publish All, the manager sees who was emailed, whose email SES refused or
bounced, and who has no address: in the job's dialog, on the delivery report's page
(filtered), and in the CSV they download. Clicked in Chromium against `make run`'s
runtime, whose SES refuses one address (as SES in the sandbox refuses an unverified
recipient) and bounces another (the notification SES would publish)."""

from __future__ import annotations

import csv
import io
import re
import time
from datetime import date, timedelta
from typing import Any

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in
from tests.e2e.conftest import RunningRuntime

pytestmark = pytest.mark.browser
DUE = (date.today() + timedelta(days=20)).isoformat()
RESIDENTS = [  # name, unit, address (None: none on file)
    ("Ana Good", "A1", "ana@example.com"),
    ("Ben Good", "A2", "ben@example.com"),
    ("Cy Missing", "A3", None),
    ("Di Refused", "A4", "di@refused.example"),
    ("Ed Bounce", "A5", "ed@example.com"),
]


def _call(runtime: RunningRuntime, method: str, path: str, token: str, body: Any = None, status: int = 200) -> Any:
    response = runtime.call(method, path, token, body)
    assert response.status_code == status, response.text
    return response.json()


def _settled(runtime: RunningRuntime, prop: str, job_id: str, token: str) -> dict[str, Any]:
    """The report once no email is queued (the sender drains the queue as on AWS)."""
    deadline = time.monotonic() + 30
    while True:
        report = _call(runtime, "GET", f"/properties/{prop}/publish-jobs/{job_id}/deliveries", token)
        if report["counts"]["queued"] == 0:
            return dict(report)
        assert time.monotonic() < deadline, report["counts"]
        time.sleep(0.2)


def _bounce(runtime: RunningRuntime, prop: str, invoice_id: str, token: str) -> None:
    email = _call(runtime, "GET", f"/properties/{prop}/invoices/{invoice_id}", token)["invoice"]["email"]
    body = {
        "kind": "bounce",
        "invoice_id": invoice_id,
        "message_id": email["details"]["message_id"],
        "recipient": email["details"]["to"],
    }
    assert requests.post(f"{runtime.url}/_local/ses/notifications", json=body, timeout=30).ok


def _filter(page: Page, label: str) -> None:
    page.get_by_label("Show").select_option(label=label)


def test_a_publish_all_report_shows_who_got_the_email_and_who_did_not(runtime: RunningRuntime, new_page, tmp_path):
    admin = runtime.tokens.admin()
    prop = _call(
        runtime,
        "POST",
        "/properties",
        admin,
        {"name": "Aspen Court HOA", "time_zone": "America/New_York", "currency": "USD"},
        201,
    )["property_id"]
    manager = runtime.tokens.manager(prop)
    invoice_of: dict[str, str] = {}
    for name, unit, email in RESIDENTS:
        body = {"name": name, "unit": unit, **({"email": email} if email else {})}
        resident = _call(runtime, "POST", f"/properties/{prop}/residents", manager, body, 201)
        draft = {
            "resident_id": resident["resident_id"],
            "currency": "USD",
            "due_date": DUE,
            "line_items": [{"description": "Monthly assessment", "amount": 32500}],
        }
        invoice_of[name] = _call(runtime, "POST", f"/properties/{prop}/invoices", manager, draft, 201)["invoice_id"]
    refused = runtime.cli("email-refuse", "di@refused.example", "--url", runtime.url)
    assert refused.returncode == 0, refused.stderr

    page = new_page()
    sign_in(page, runtime.ready["console_url"], "Dana Manager", f"/sign-in?next=/properties/{prop}/invoices")
    page.get_by_role("button", name="Publish All (5)").click()
    page.get_by_role("dialog", name="Publish all drafts").get_by_role("button", name="Publish All").click()
    dialog = page.get_by_role("dialog", name="Publishing all drafts")
    expect(dialog.locator("#publish-progress-label")).to_have_attribute("data-state", "completed", timeout=30_000)

    # The dialog: the job's email delivery, whatever has gone out by now.
    section = dialog.get_by_role("region", name="Email delivery")
    expect(section.locator("#delivery-emailed")).to_have_text("4")
    expect(section.locator("#delivery-no-address")).to_have_text("1")
    expect(section.locator("#delivery-letters-ready")).to_be_visible()  # printed as the stream reaches them
    job_id = page.evaluate("() => new URL(document.querySelector('#delivery-report-link').href).pathname").split("/")[4]

    # The emails go out (one refused by SES), then one bounces.
    settled = _settled(runtime, prop, job_id, manager)
    assert settled["counts"]["failed"] == 1
    _bounce(runtime, prop, invoice_of["Ed Bounce"], manager)

    section.get_by_role("link", name="Delivery report").click()
    expect(page.get_by_role("heading", name="Delivery report", level=1)).to_be_visible()
    expect(page.locator("#delivery-lead")).to_have_text(
        "5 invoices published: 2 emailed and sent, 1 failed, 1 bounced, 1 with no email address."
    )
    for key, value in {"emailed": "4", "sent": "2", "failed": "1", "bounced": "1", "no-address": "1"}.items():
        expect(page.locator(f"#page-{key}")).to_have_text(value)
    rows = page.locator("#delivery-table tbody tr")
    expect(rows).to_have_count(5)
    expect(rows.locator("td:nth-child(2)")).to_have_text([name for name, _, _ in RESIDENTS])
    expect(rows.nth(0)).to_contain_text("ana@example.com")
    expect(rows.nth(0)).to_contain_text("Sent")

    _filter(page, "Failed")
    expect(rows).to_have_count(1)
    expect(rows.nth(0)).to_contain_text("Di Refused")
    expect(rows.nth(0).locator("td:nth-child(6)")).to_have_text("di@refused.example")
    expect(rows.nth(0).locator("td:nth-child(7)")).to_contain_text("Email address is not verified")
    assert page.url.endswith("?email=failed")
    _filter(page, "Bounced")
    expect(rows).to_have_count(1)
    expect(rows.nth(0)).to_contain_text("Ed Bounce")
    expect(rows.nth(0).locator("td:nth-child(7)")).to_have_text("smtp; 550 5.1.1 user unknown")
    _filter(page, "No address")
    expect(rows).to_have_count(1)
    expect(rows.nth(0).locator("td:nth-child(2)")).to_have_text("Cy Missing")
    expect(rows.nth(0).locator("td:nth-child(3)")).to_have_text("A3")
    expect(rows.nth(0).locator("td:nth-child(6)")).to_have_text("—")
    _filter(page, "All")
    expect(rows).to_have_count(5)

    # The CSV, fetched with the token and saved: one row per invoice.
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()
    saved = download.value
    assert saved.suggested_filename == f"publish-{job_id}-deliveries.csv"
    target = tmp_path / saved.suggested_filename
    saved.save_as(target)
    table = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert table[0] == ["Invoice", "Resident", "Unit", "Amount", "Email status", "Email address", "Reason"]
    by_name = {row[1]: row for row in table[1:]}
    assert len(table) == 6
    assert by_name["Ana Good"][2:6] == ["A1", "$325.00", "Sent", "ana@example.com"]
    assert by_name["Cy Missing"][4:] == ["No email address", "", ""]
    assert by_name["Di Refused"][4] == "Failed"
    assert re.match(r"MessageRejected: Email address is not verified", by_name["Di Refused"][6])
    assert by_name["Ed Bounce"][4:] == ["Bounced", "ed@example.com", "smtp; 550 5.1.1 user unknown"]


def test_the_report_pages_through_a_larger_job(runtime: RunningRuntime, new_page):
    admin = runtime.tokens.admin()
    body = {"name": "Linden Park HOA", "time_zone": "America/New_York", "currency": "USD"}
    prop = _call(runtime, "POST", "/properties", admin, body, 201)["property_id"]
    manager = runtime.tokens.manager(prop)
    for n in range(53):
        resident = _call(
            runtime, "POST", f"/properties/{prop}/residents", manager, {"name": f"L{n:02d}", "unit": "1"}, 201
        )
        draft = {
            "resident_id": resident["resident_id"],
            "currency": "USD",
            "due_date": DUE,
            "line_items": [{"description": "Monthly assessment", "amount": 1000 + n}],
        }
        _call(runtime, "POST", f"/properties/{prop}/invoices", manager, draft, 201)
    job_id = _call(runtime, "POST", f"/properties/{prop}/publish-all", manager, {"expected_count": 53}, 202)["job_id"]
    deadline = time.monotonic() + 30
    while _call(runtime, "GET", f"/properties/{prop}/publish-jobs/{job_id}", manager)["state"] == "running":
        assert time.monotonic() < deadline
        time.sleep(0.2)

    page = new_page()
    report = f"/properties/{prop}/publish-jobs/{job_id}/deliveries"
    sign_in(page, runtime.ready["console_url"], "Dana Manager", f"/sign-in?next={report}")
    rows = page.locator("#delivery-table tbody tr")
    expect(rows).to_have_count(50)
    expect(page.locator("#page-no-address")).to_have_text("53")
    first_page = rows.locator("td:nth-child(1)").all_inner_texts()
    page.get_by_role("button", name="Next page").click()
    expect(rows).to_have_count(3)
    expect(page.locator("#delivery-page")).to_have_text("Page 2")
    expect(page.get_by_role("button", name="Next page")).to_have_count(0)
    second_page = rows.locator("td:nth-child(1)").all_inner_texts()
    assert sorted(first_page + second_page) == first_page + second_page  # invoice-number order, none twice
    assert len(set(first_page + second_page)) == 53
    page.get_by_role("button", name="Previous page").click()
    expect(rows).to_have_count(50)
    expect(rows.first.locator("td:nth-child(1)")).to_have_text(first_page[0])
