"""Screenshots of every screen and dialog of the web console, at desktop (1280x800) and
phone (390x844) widths, into docs/console/. It starts `make run`'s runtime on free ports,
walks the help article's story in Chromium, and shoots each step:

    .venv/bin/python scripts/console_screenshots.py [--only invoices]

Needs Debian's Chromium (apt-get install -y chromium). Looking at the PNGs is part of
changing the console.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "local")]

import requests  # noqa: E402
from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE  # noqa: E402
from tests.e2e.conftest import RunningRuntime, start_runtime  # noqa: E402

OUT = ROOT / "docs" / "console"
PROPERTY = "prop_demo"
DUE = (date.today() + timedelta(days=20)).isoformat()
LATER = (date.today() + timedelta(days=34)).isoformat()


class Camera:
    """Shoots the current state of a page at both widths (full page unless a dialog or a
    popup is open: then the viewport, as a person sees it)."""

    def __init__(self, only: str | None) -> None:
        self.only = only
        self.shot: list[str] = []

    def __call__(self, page: Page, name: str, *, settle: Callable[[], Any] | None = None) -> None:
        if self.only and self.only not in name:
            return
        popup = "dialog[open], .menu:not([hidden]), .switcher-list:not([hidden])"
        with_dialog = page.locator(popup).count() > 0
        for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(size)
            if settle:
                settle()
            page.wait_for_timeout(150)  # let layout and fonts settle after the resize
            page.screenshot(path=str(OUT / f"{name}-{label}.png"), full_page=not with_dialog, animations="disabled")
        page.set_viewport_size(DESKTOP)
        self.shot.append(name)


def api(runtime: RunningRuntime, method: str, path: str, body: Any = None, prop: str = PROPERTY) -> Any:
    response = runtime.call(method, path, runtime.tokens.manager(prop), body)
    assert response.status_code < 300, response.text
    return response.json()


def admin_api(runtime: RunningRuntime, method: str, path: str, body: Any = None) -> Any:
    response = runtime.call(method, path, runtime.tokens.admin(), body)
    assert response.status_code < 300, response.text
    return response.json()


def resident_named(runtime: RunningRuntime, name: str) -> dict[str, Any]:
    items = api(runtime, "GET", f"/properties/{PROPERTY}/residents?limit=100")["items"]
    return next(r for r in items if r["name"] == name)


def draft(runtime: RunningRuntime, resident: str, lines: list[tuple[str, int]], memo: str | None = None) -> dict:
    body: dict[str, Any] = {
        "resident_id": resident_named(runtime, resident)["resident_id"],
        "currency": "USD",
        "due_date": DUE,
        "line_items": [{"description": d, "amount": a} for d, a in lines],
    }
    if memo:
        body["memo"] = memo
    return api(runtime, "POST", f"/properties/{PROPERTY}/invoices", body)


def sign_in(page: Page, console: str, who: str, path: str = "/sign-in") -> None:
    page.goto(console + path)
    page.get_by_role("button", name=re.compile(rf"^{re.escape(who)}\b")).click()


def publish_worker(runtime: RunningRuntime, enabled: bool) -> None:
    """Pause or resume the Publish All worker's queue consumer (a job stays running)."""
    url = f"{runtime.url}/_local/event-sources/BulkPublishWorkerFunction"
    assert requests.post(url, json={"enabled": enabled}, timeout=10).ok


def email_sent(runtime: RunningRuntime, invoice_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        email = api(runtime, "GET", f"/properties/{PROPERTY}/invoices/{invoice_id}")["invoice"]["email"]
        if email["status"] == "sent":
            return dict(email["details"])
        time.sleep(0.1)
    raise AssertionError(f"no email sent for {invoice_id}")


def open_menu_item(page: Page, item: str) -> None:
    page.get_by_role("button", name="Invoice actions").click()
    page.get_by_role("menuitem", name=re.compile(rf"^{re.escape(item)}")).click()


def story(page: Page, resident: Page, runtime: RunningRuntime, shoot: Camera) -> None:
    console = runtime.ready["console_url"]
    base = f"{console}/properties/{PROPERTY}"
    pat = draft(
        runtime,
        "Pat Lee",
        [("Monthly assessment - April", 32500), ("Reserve fund contribution", 4500), ("Pool key replacement", 2500)],
        memo="Assessments are due on the 15th. Thank you for keeping your account current.",
    )
    robin = draft(runtime, "Robin Chen", [("Monthly assessment - April", 32500)])

    page.goto(console + "/sign-in")
    page.get_by_role("button", name=re.compile(r"^Dana Manager")).wait_for()
    shoot(page, "sign-in")
    page.get_by_role("button", name=re.compile(r"^Dana Manager")).click()
    page.locator(".stat").first.wait_for()
    shoot(page, "overview")

    page.goto(f"{base}/invoices")
    page.locator("table.invoices").wait_for()
    page.get_by_role("button", name=re.compile(r"^Publish All")).wait_for()
    shoot(page, "invoices")
    page.get_by_label("Search").fill("Robin")
    expect(page.locator("table.invoices tbody tr").filter(has_not_text="Robin Chen")).to_have_count(0)
    shoot(page, "invoices-search")

    page.goto(f"{base}/invoices/new")
    page.get_by_label("Resident").select_option(label="Casey Patel · unit 3B")
    page.get_by_label("Amount (USD)").fill("325.00")
    page.get_by_role("button", name="Add line").click()
    page.locator("#line-2-description").fill("Late fee")
    page.locator("#line-2-amount").fill("25")
    shoot(page, "new-invoice")

    page.goto(f"{base}/invoices/{pat['invoice_id']}")
    page.get_by_role("button", name="Invoice actions").click()
    shoot(page, "invoice-draft-menu")
    page.get_by_role("menuitem", name="Publish").click()
    shoot(page, "publish-dialog")
    page.keyboard.press("Escape")

    # Editing a draft someone else saved meanwhile.
    open_menu_item(page, "Edit draft")
    page.locator("#line-1-amount").fill("340.00")
    api(
        runtime,
        "PATCH",
        f"/properties/{PROPERTY}/invoices/{pat['invoice_id']}",
        {"version": pat["version"], "due_date": LATER, "memo": "Assessments are due on the 30th this month."},
    )
    page.get_by_role("button", name="Save draft").click()
    page.locator("#version-conflict").wait_for()
    shoot(page, "edit-draft-conflict")
    page.get_by_role("button", name="Load their version").click()
    page.get_by_role("button", name="Save draft").click()
    page.get_by_role("heading", level=1).filter(has_text="Draft").wait_for()

    page.goto(f"{base}/invoices/{robin['invoice_id']}")
    open_menu_item(page, "Publish")
    shoot(page, "publish-dialog-no-email")
    page.get_by_role("button", name="Publish Invoice").click()
    page.get_by_role("heading", level=1).filter(has_text="Open").wait_for()

    page.goto(f"{base}/invoices/{pat['invoice_id']}")
    open_menu_item(page, "Publish")
    page.get_by_role("button", name="Publish Invoice").click()
    page.get_by_role("heading", level=1).filter(has_text="Open").wait_for()
    page.locator(".toast").wait_for(state="detached", timeout=10_000)
    shoot(page, "invoice-open")
    page.get_by_role("button", name="Invoice actions").click()
    shoot(page, "invoice-open-menu")
    page.keyboard.press("Escape")

    # Publish All: the confirmation, the progress (the worker held back a moment), the end.
    # SES refuses one address (as the sandbox refuses an unverified one): the report shows it.
    refusal = {"address": "casey.patel@example.com"}
    assert requests.post(f"{runtime.url}/_local/ses/refusals", json=refusal, timeout=10).ok
    page.goto(f"{base}/invoices")
    page.get_by_role("button", name=re.compile(r"^Publish All")).click()
    page.locator("#publish-all-count").wait_for()
    shoot(page, "publish-all-dialog")
    publish_worker(runtime, False)
    try:
        page.get_by_role("button", name="Publish All", exact=True).click()
        page.locator("#count-done").wait_for()
        shoot(page, "publish-all-progress")
    finally:
        publish_worker(runtime, True)
    page.locator("#publish-progress-label[data-state]").wait_for(timeout=60_000)
    page.locator("#no-email-list").wait_for()
    page.locator("#delivery-section").wait_for()
    shoot(page, "publish-all-finished")
    report_path = page.locator("#delivery-report-link").get_attribute("href")
    # The letters for the residents the email could not reach: printed when asked for.
    page.get_by_role("button", name="Print letters").click()
    page.locator("#print-letters-link").wait_for(timeout=60_000)
    page.locator("#print-letters-link").scroll_into_view_if_needed()
    shoot(page, "publish-all-letters")
    page.get_by_role("button", name="Done").click()

    page.goto(f"{base}/invoices/{robin['invoice_id']}")
    open_menu_item(page, "Void")
    page.get_by_label("Reason").fill("Billed to the wrong unit")
    shoot(page, "void-dialog")
    page.keyboard.press("Escape")

    # The resident: My account, the invoice, a declined card, the local checkout, paid.
    sign_in(resident, console, "Pat Lee")
    resident.locator("#balance-owed").wait_for()
    shoot(resident, "portal-account")
    resident.goto(f"{console}/portal/invoices/{pat['invoice_id']}")
    resident.locator("#pay-now").wait_for()
    shoot(resident, "portal-invoice")
    page.goto(f"{base}/invoices/{pat['invoice_id']}")  # the manager keeps it open meanwhile
    page.get_by_role("button", name="Invoice actions").wait_for()
    resident.locator("#pay-now").click()
    resident.get_by_role("button", name="Decline").click()
    resident.locator("#checkout-result").wait_for()
    resident.locator("#pay-now").click()
    resident.get_by_role("button", name="Pay by card").wait_for()
    shoot(resident, "local-checkout")
    resident.get_by_role("button", name="Pay by card").click()
    resident.locator("#checkout-result").filter(has_text="paid").wait_for()
    shoot(resident, "portal-paid")

    open_menu_item(page, "Void")
    page.get_by_label("Reason").fill("Published by mistake")
    page.get_by_role("button", name="Void invoice").click()
    page.locator("#void-refused").wait_for()
    shoot(page, "void-refused")
    page.get_by_role("button", name="Close").click()
    page.get_by_role("heading", level=1).filter(has_text="Paid").wait_for()
    shoot(page, "invoice-paid")

    # A bank payment, still processing.
    sam = api(runtime, "GET", f"/properties/{PROPERTY}/invoices?status=Open&limit=100")["items"]
    sam_invoice = next(r for r in sam if r["resident_name"] == "Sam Ortiz")
    sign_in(resident, console, "Sam Ortiz", f"/sign-in?next=/portal/invoices/{sam_invoice['invoice_id']}")
    resident.locator("#pay-now").click()
    resident.get_by_role("button", name="Pay by bank account (ACH)").click()
    resident.locator("#checkout-result").wait_for()
    shoot(resident, "portal-processing")

    # Alex Kim's address bounces (as SES would report it): the list, the dialog, the profile.
    opened = api(runtime, "GET", f"/properties/{PROPERTY}/invoices?q=Alex&status=Open")["items"][0]
    sent = email_sent(runtime, opened["invoice_id"])
    bounce = {
        "kind": "bounce",
        "invoice_id": opened["invoice_id"],
        "message_id": sent["message_id"],
        "recipient": sent["to"],
    }
    assert requests.post(f"{runtime.url}/_local/ses/notifications", json=bounce, timeout=10).ok
    # The Publish All's delivery report: sent, refused, bounced, no address; then the failures.
    page.goto(f"{console}{report_path}")
    page.locator("#delivery-table").wait_for()
    expect(page.locator("#page-bounced")).to_have_text("1")
    shoot(page, "delivery-report")
    page.get_by_label("Show").select_option(label="Failed")
    expect(page.locator("#delivery-table tbody tr")).to_have_count(2)  # Casey Patel's two invoices
    shoot(page, "delivery-report-failed")
    # An invoice the email could not reach: its page offers the printed letter.
    unreached = api(runtime, "GET", f"/properties/{PROPERTY}/invoices?email=skipped_no_address&limit=1")["items"][0]
    page.goto(f"{base}/invoices/{unreached['invoice_id']}")
    page.get_by_role("button", name="Print letter").click()
    page.locator("#print-letter-link").wait_for(timeout=60_000)
    shoot(page, "invoice-letter")
    alex = draft(runtime, "Alex Kim", [("Monthly assessment - May", 32500)])
    page.goto(f"{base}/residents")
    page.locator("table.residents").wait_for()
    shoot(page, "residents")
    page.get_by_role("button", name="Add resident").click()
    page.get_by_label("Name").fill("Morgan Quinn")
    page.get_by_label("Unit").fill("4C")
    shoot(page, "add-resident-dialog")
    page.keyboard.press("Escape")
    page.goto(f"{base}/invoices/{alex['invoice_id']}")
    open_menu_item(page, "Publish")
    shoot(page, "publish-dialog-bouncing")
    page.get_by_role("link", name="their profile").click()
    page.locator("#bouncing-warning").wait_for()
    shoot(page, "resident-profile-bouncing")
    page.get_by_label("Email address").fill("alex.kim@example.org")
    page.get_by_role("button", name="Save changes").click()
    page.locator("#profile-saved").wait_for()
    page.locator(".toast").wait_for(state="detached", timeout=10_000)
    shoot(page, "resident-profile-corrected")

    # Settings, with a reply-to the API refuses.
    page.goto(f"{base}/settings")
    page.get_by_label("Replies go to").wait_for()
    shoot(page, "settings")
    page.get_by_label("Emails are sent as").fill("Maple Court Billing")
    page.get_by_label("Replies go to").fill("office@")
    page.get_by_role("button", name="Save settings").click()
    page.locator("#settings-reply-to-error:not(:empty)").wait_for()
    shoot(page, "settings-error")

    # An administrator: every property, a new one.
    sign_in(resident, console, "Avery Admin")
    resident.locator("table.properties").wait_for()
    resident.get_by_role("button", name="New property").click()
    resident.get_by_label("Name").fill("Birch Hill HOA")
    resident.get_by_label("Time zone").select_option("America/Los_Angeles")
    resident.get_by_label("Emails are sent as").fill("Birch Hill Billing")
    resident.get_by_label("Replies go to").fill("office@birchhill.example")
    shoot(resident, "new-property-dialog")
    resident.get_by_role("button", name="Create property").click()
    resident.locator("#settings-name").wait_for()
    birch = resident.url.split("/properties/")[1].split("/")[0]
    resident.goto(f"{console}/properties")
    resident.locator("table.properties").filter(has_text="Birch Hill").wait_for()
    shoot(resident, "properties-admin")

    # The manager of two properties: the switcher, and a Publish All found after a reload.
    for n, name in enumerate(["Harper Lane", "Ellis Stone", "Mina Ford"]):
        body = {"name": name, "unit": f"B{n + 1}", "email": f"{name.split()[0].lower()}@example.com"}
        person = api(runtime, "POST", f"/properties/{birch}/residents", body, prop=birch)
        line = {"description": "Monthly assessment", "amount": 29000}
        invoice = {"resident_id": person["resident_id"], "currency": "USD", "due_date": DUE, "line_items": [line]}
        api(runtime, "POST", f"/properties/{birch}/invoices", invoice, prop=birch)
    sign_in(page, console, "Dana Manager", f"/sign-in?next=/properties/{PROPERTY}")
    page.locator(".stat").first.wait_for()
    page.locator("#property-switcher").click()
    shoot(page, "property-switcher")
    page.keyboard.press("Escape")
    publish_worker(runtime, False)
    try:
        api(runtime, "POST", f"/properties/{birch}/publish-all", {"expected_count": 3}, prop=birch)
        page.goto(f"{console}/properties/{birch}/invoices")
        page.locator("#running-job").wait_for()
        shoot(page, "invoices-publish-all-running")
    finally:
        publish_worker(runtime, True)
    page.locator("#running-job[data-state='completed']").wait_for(timeout=60_000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="shoot only the screens whose name contains this")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        sys.exit("Chromium is not installed: apt-get install -y chromium")
    OUT.mkdir(parents=True, exist_ok=True)
    shoot = Camera(args.only)
    with tempfile.TemporaryDirectory() as state_dir:
        runtime = start_runtime(Path(state_dir) / "runtime")
        try:
            with sync_playwright() as driver:
                browser = driver.chromium.launch_persistent_context(
                    str(Path(state_dir) / "profile"),
                    executable_path=str(CHROMIUM),
                    args=[*CHROMIUM_ARGS, "--hide-scrollbars"],
                    headless=True,
                    viewport=DESKTOP,
                    locale="en-US",
                    timezone_id="America/New_York",
                )
                browser.set_default_timeout(20_000)
                story(browser.new_page(), browser.new_page(), runtime, shoot)
                browser.close()
        finally:
            runtime.stop()
    print(f"wrote {len(shoot.shot) * 2} screenshots to {OUT.relative_to(ROOT)}/: {', '.join(shoot.shot)}")


if __name__ == "__main__":
    main()
