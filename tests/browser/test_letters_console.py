"""Notifying a resident "another way": the printed letter, asked for from the invoice page
and opened as a PDF, clicked in Chromium against `make run`'s runtime."""

from __future__ import annotations

import re
import time
from datetime import date, timedelta
from typing import Any

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.e2e.conftest import RunningRuntime

pytestmark = pytest.mark.browser
DEMO = "prop_demo"
DUE = (date.today() + timedelta(days=20)).isoformat()


def _api(runtime: RunningRuntime, method: str, path: str, body: Any = None, *, status: int = 200) -> Any:
    response = runtime.call(method, path, runtime.tokens.manager(DEMO), body)
    assert response.status_code == status, response.text
    return response.json()


def _published(runtime: RunningRuntime, name: str, unit: str, email: str | None) -> dict[str, Any]:
    resident = {"name": name, "unit": unit, **({"email": email} if email else {})}
    resident_id = _api(runtime, "POST", f"/properties/{DEMO}/residents", resident, status=201)["resident_id"]
    draft = {
        "resident_id": resident_id,
        "currency": "USD",
        "due_date": DUE,
        "line_items": [{"description": "Monthly assessment", "amount": 31000}],
    }
    invoice = _api(runtime, "POST", f"/properties/{DEMO}/invoices", draft, status=201)
    _api(
        runtime,
        "POST",
        f"/properties/{DEMO}/invoices/{invoice['invoice_id']}/publish",
        {"send_email": email is not None},
    )
    return dict(invoice)


def test_an_invoice_the_email_cannot_reach_is_printed_as_a_letter_from_its_page(runtime: RunningRuntime, new_page):
    console = runtime.ready["console_url"]
    unreachable = _published(runtime, "Priya Raman", "9C", None)
    emailed = _published(runtime, "Omar Castillo", "9D", "omar.castillo@example.com")

    page = new_page()
    sign_in(page, console, "Dana Manager", f"/sign-in?next=/properties/{DEMO}/invoices/{unreachable['invoice_id']}")
    card = page.locator(".letter-card")
    expect(card).to_contain_text("This resident has no email address we can use.")
    expect(card).to_contain_text("Priya Raman")
    page.get_by_role("button", name="Print letter").click()
    link = page.locator("#print-letter-link")
    expect(link).to_be_visible(timeout=60_000)
    expect(link).to_be_focused()
    expect(link).to_have_text("Open letter (PDF)")

    pdf = requests.get(link.get_attribute("href") or "", timeout=10)
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF-")
    assert f"letter-{unreachable['number']}.pdf" in pdf.headers["Content-Disposition"]

    # A resident the email reached gets no letter offered.
    page.goto(f"{console}/properties/{DEMO}/invoices/{emailed['invoice_id']}")
    expect(page.get_by_role("heading", name=f"Invoice {emailed['number']}")).to_be_visible()
    expect(page.locator(".letter-card")).to_have_count(0)


def test_a_publish_all_s_letters_are_printed_as_one_pdf_from_its_dialog(runtime: RunningRuntime, new_page):
    admin = runtime.tokens.admin()
    created = runtime.call(
        "POST", "/properties", admin, {"name": "Birch Hollow HOA", "time_zone": "America/Chicago", "currency": "USD"}
    )
    assert created.status_code == 201, created.text
    prop = created.json()["property_id"]
    manager = runtime.tokens.manager(prop)
    for name, email in [("Gil Reached", "gil@example.com"), ("Hana Unlisted", None), ("Ivo Unlisted", None)]:
        body = {"name": name, "unit": "2", **({"email": email} if email else {})}
        resident = runtime.call("POST", f"/properties/{prop}/residents", manager, body).json()["resident_id"]
        draft = {
            "resident_id": resident,
            "currency": "USD",
            "due_date": DUE,
            "line_items": [{"description": "Monthly assessment", "amount": 28000}],
        }
        assert runtime.call("POST", f"/properties/{prop}/invoices", manager, draft).status_code == 201

    page = new_page()
    sign_in(page, runtime.ready["console_url"], "Dana Manager", f"/sign-in?next=/properties/{prop}/invoices")
    page.get_by_role("button", name="Publish All (3)").click()
    page.get_by_role("dialog", name="Publish all drafts").get_by_role("button", name="Publish All").click()
    dialog = page.get_by_role("dialog", name="Publishing all drafts")
    expect(dialog.locator("#publish-progress-label")).to_have_attribute("data-state", "completed", timeout=30_000)
    expect(dialog.locator("#delivery-report-link")).to_be_visible()
    job_id = page.evaluate("() => new URL(document.querySelector('#delivery-report-link').href).pathname").split("/")[4]

    # The printer reads the stream as on AWS: wait until both letters are printed.
    deadline = time.monotonic() + 30
    while True:
        counts = runtime.call("GET", f"/properties/{prop}/publish-jobs/{job_id}/deliveries", manager).json()["counts"]
        if counts.get("letters_ready") == 2:
            break
        assert time.monotonic() < deadline, counts
        time.sleep(0.2)

    letters = dialog.get_by_role("region", name="Letters to print")
    letters.get_by_role("button", name="Print letters").click()
    link = letters.locator("#print-letters-link")
    expect(link).to_have_text("Open 2 letters (PDF)", timeout=60_000)
    pdf = requests.get(link.get_attribute("href") or "", timeout=10)
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF-")
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf.content)) == 3  # the cover page and two letters
