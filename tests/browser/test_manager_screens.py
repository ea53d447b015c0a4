"""The manager's and administrator's screens on the API's full contract, clicked in
Chromium against `make run`'s runtime.

Why a menu item is greyed, told to the mouse, the keyboard and the screen reader; the
payments on an invoice; a draft edited while someone else edits it; a bouncing address
corrected, then the next invoice emailed to it; a property created by an administrator,
switched to and reconfigured by its manager; and a Publish All found again after the
page is reloaded while it runs.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
import requests
from playwright.sync_api import Page, expect

from hoa_local import stripe_fake
from tests.browser.conftest import sign_in, wait_for_mail
from tests.e2e.conftest import RunningRuntime

pytestmark = pytest.mark.browser
DEMO = "prop_demo"
DUE = (date.today() + timedelta(days=20)).isoformat()
LATER = (date.today() + timedelta(days=45)).isoformat()


def _api(
    runtime: RunningRuntime, method: str, path: str, body: Any = None, *, status: int = 200, prop: str = DEMO
) -> Any:
    response = runtime.call(method, path, runtime.tokens.manager(prop), body)
    assert response.status_code == status, response.text
    return response.json()


def _admin(runtime: RunningRuntime, method: str, path: str, body: Any = None, status: int = 200) -> Any:
    response = runtime.call(method, path, runtime.tokens.admin(), body)
    assert response.status_code == status, response.text
    return response.json()


def _resident(runtime: RunningRuntime, name: str, unit: str, email: str | None = None, prop: str = DEMO) -> str:
    body = {"name": name, "unit": unit, **({"email": email} if email else {})}
    return str(_api(runtime, "POST", f"/properties/{prop}/residents", body, status=201, prop=prop)["resident_id"])


def _draft(runtime: RunningRuntime, resident_id: str, amount: int = 32500, prop: str = DEMO, **extra: Any) -> dict:
    body = {
        "resident_id": resident_id,
        "currency": "USD",
        "due_date": DUE,
        "line_items": [{"description": "Monthly assessment", "amount": amount}],
        **extra,
    }
    return dict(_api(runtime, "POST", f"/properties/{prop}/invoices", body, status=201, prop=prop))


def _publish(runtime: RunningRuntime, invoice_id: str, send_email: bool, prop: str = DEMO) -> None:
    _api(runtime, "POST", f"/properties/{prop}/invoices/{invoice_id}/publish", {"send_email": send_email}, prop=prop)


def _email_sent(runtime: RunningRuntime, invoice_id: str, deadline_s: float = 20) -> dict[str, Any]:
    """The email's details once the sender has recorded it sent (the stream consumer runs it)."""
    deadline = time.monotonic() + deadline_s
    while True:
        email = _api(runtime, "GET", f"/properties/{DEMO}/invoices/{invoice_id}")["invoice"]["email"]
        if email["status"] == "sent":
            return dict(email["details"])
        assert time.monotonic() < deadline, f"the email of {invoice_id} is still {email['status']}"
        time.sleep(0.1)


def _menu_item(page: Page, name: str):
    return page.get_by_role("menuitem", name=re.compile(rf"^{re.escape(name)}"))


@pytest.fixture
def paused_publish_worker(runtime: RunningRuntime) -> Iterator:
    """The Publish All worker's queue consumer, paused (as its event source mapping can be)
    until the test resumes it: a job stays running meanwhile."""

    def set_enabled(enabled: bool) -> None:
        url = f"{runtime.url}/_local/event-sources/BulkPublishWorkerFunction"
        assert requests.post(url, json={"enabled": enabled}, timeout=10).ok

    set_enabled(False)
    try:
        yield lambda: set_enabled(True)
    finally:
        set_enabled(True)


def test_greyed_actions_say_why_and_the_invoice_lists_its_payments(runtime: RunningRuntime, new_page):
    console = runtime.ready["console_url"]
    # An Open invoice of a resident without an address: nothing to resend to.
    quiet = _draft(runtime, _resident(runtime, "Noor Haddad", "6A"))
    _publish(runtime, quiet["invoice_id"], send_email=False)
    # An Open invoice with a payment received and a card declined: it cannot be voided.
    paying = _draft(runtime, _resident(runtime, "Lee Park", "6B"), amount=40000)
    _publish(runtime, paying["invoice_id"], send_email=False)
    session = stripe_fake.checkout_session(paying["invoice_id"], DEMO, 40000, payment_intent="pi_declined_card")
    declined = stripe_fake.payment_failed(
        session, code="card_declined", message="Your card was declined.", method="card"
    )
    assert stripe_fake.post_event(f"{runtime.url}/webhooks/stripe", declined)[0] == 200
    assert runtime.cli("stripe-event", paying["invoice_id"], "card-paid", "--amount", "15000").returncode == 0

    page = new_page()
    sign_in(page, console, "Dana Manager", f"/sign-in?next=/properties/{DEMO}/invoices/{quiet['invoice_id']}")
    menu = page.get_by_role("button", name="Invoice actions")
    menu.focus()
    page.keyboard.press("Enter")
    resend = _menu_item(page, "Resend email")
    # The keyboard reaches the greyed item; a screen reader hears the API's reason with it.
    for _ in range(6):
        if page.evaluate("document.activeElement.textContent.startsWith('Resend email')"):
            break
        page.keyboard.press("ArrowDown")
    expect(resend).to_be_focused()
    expect(resend).to_have_attribute("aria-disabled", "true")
    reason = "The resident has no email address on file. Add one on their profile, or notify them another way."
    expect(resend).to_have_accessible_description(reason)
    expect(resend).to_have_attribute("title", reason)  # the mouse's tooltip
    page.keyboard.press("Enter")  # choosing it does nothing
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.locator(".toast")).to_have_count(0)
    page.keyboard.press("Escape")
    expect(menu).to_be_focused()

    page.goto(f"{console}/properties/{DEMO}/invoices/{paying['invoice_id']}")
    payments = page.locator("#payments")
    expect(payments.locator("tbody tr")).to_have_count(2)
    expect(payments.locator("tr.payment-attempt_failed")).to_contain_text("$400.00")
    expect(payments.locator("tr.payment-attempt_failed")).to_contain_text("Declined")
    expect(payments.locator("tr.payment-attempt_failed")).to_contain_text("Your card was declined.")
    expect(payments.locator("tr.payment-succeeded")).to_contain_text("$150.00")
    expect(payments.locator("tr.payment-succeeded")).to_contain_text("Received")
    expect(payments.locator("tr.payment-succeeded")).to_contain_text(re.compile(r"\d{4}, \d{1,2}:\d{2} [AP]M E[SD]T"))
    page.get_by_role("button", name="Invoice actions").click()
    void = _menu_item(page, "Void")
    expect(void).to_have_attribute("aria-disabled", "true")
    expect(void).to_have_accessible_description(
        "A payment was made or is still processing. Contact the resident directly to resolve it."
    )
    void.click(force=True)  # a pointer on the greyed item: nothing opens
    expect(page.get_by_role("dialog")).to_have_count(0)


def test_a_draft_edited_meanwhile_shows_what_changed_and_keeps_the_managers_changes(runtime: RunningRuntime, new_page):
    console = runtime.ready["console_url"]
    draft = _draft(runtime, _resident(runtime, "Ines Moreau", "7A", "ines@example.com"), memo="April dues")
    url = f"{console}/properties/{DEMO}/invoices/{draft['invoice_id']}"
    page = new_page()
    sign_in(page, console, "Dana Manager", f"/sign-in?next=/properties/{DEMO}/invoices/{draft['invoice_id']}")
    page.get_by_role("button", name="Invoice actions").click()
    _menu_item(page, "Edit draft").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Edit draft {draft['number']}")
    page.get_by_label("Amount (USD)").fill("350.00")
    page.get_by_label("Memo (optional)").fill("April dues, with the new rate")

    # Meanwhile someone else saves the same draft: a later due date and a second line.
    _api(
        runtime,
        "PATCH",
        f"/properties/{DEMO}/invoices/{draft['invoice_id']}",
        {
            "version": draft["version"],
            "due_date": LATER,
            "line_items": [
                {"description": "Monthly assessment", "amount": 32500},
                {"description": "Pool key replacement", "amount": 3000},
            ],
        },
    )
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator("#version-conflict")).to_contain_text(
        f"Someone else saved draft {draft['number']} while you were editing it."
    )
    changes = page.locator("#conflict-changes")
    expect(changes).to_contain_text("Line 2 added: Pool key replacement, $30.00")
    expect(changes).to_contain_text("Total: $325.00 → $355.00")
    expect(changes).to_contain_text(re.compile(r"Due date: \w{3} \d{1,2}, \d{4} → \w{3} \d{1,2}, \d{4}"))
    expect(page.get_by_label("Amount (USD)")).to_have_value("350.00")  # the manager's change is still there

    # Theirs, loaded: their second line and date are in the form; then the manager's change again.
    page.get_by_role("button", name="Load their version").click()
    expect(page.locator("#line-3-description")).to_have_value("Pool key replacement")
    expect(page.get_by_label("Due date")).to_have_value(LATER)
    page.locator("#line-2-amount").fill("350.00")
    page.get_by_role("button", name="Save draft").click()
    expect(page).to_have_url(url)
    expect(page.locator(".lines")).to_contain_text("$350.00")
    expect(page.locator(".lines")).to_contain_text("Pool key replacement")
    expect(page.locator(".lines tfoot")).to_contain_text("$380.00")
    saved = _api(runtime, "GET", f"/properties/{DEMO}/invoices/{draft['invoice_id']}")["invoice"]
    assert [li["amount"]["amount"] for li in saved["line_items"]] == [35000, 3000]
    assert saved["due_date"] == LATER

    # Published while the manager edits it: the form says so, nothing is saved.
    page.get_by_role("button", name="Invoice actions").click()
    _menu_item(page, "Edit draft").click()
    page.get_by_label("Memo (optional)").fill("Too late")
    _publish(runtime, draft["invoice_id"], send_email=False)
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator("#not-draft")).to_contain_text(f"Invoice {draft['number']} is Open now")
    assert _api(runtime, "GET", f"/properties/{DEMO}/invoices/{draft['invoice_id']}")["invoice"]["memo"] == "April dues"


def test_a_bouncing_address_corrected_on_the_profile_gets_the_next_invoice(runtime: RunningRuntime, new_page):
    console = runtime.ready["console_url"]
    resident_id = _resident(runtime, "Quinn Okafor", "8A", "quinn.old@example.com")
    first = _draft(runtime, resident_id)
    _publish(runtime, first["invoice_id"], send_email=True)
    wait_for_mail(runtime.state_dir / "mail", first["number"])
    sent = _email_sent(runtime, first["invoice_id"])
    bounce = {
        "kind": "bounce",
        "invoice_id": first["invoice_id"],
        "message_id": sent["message_id"],
        "recipient": sent["to"],
    }
    assert requests.post(f"{runtime.url}/_local/ses/notifications", json=bounce, timeout=10).ok
    second = _draft(runtime, resident_id, amount=28000)

    page = new_page()
    sign_in(page, console, "Dana Manager", f"/sign-in?next=/properties/{DEMO}/residents")
    row = page.locator(f"tr[data-resident-id='{resident_id}']")
    expect(row.locator(".badge")).to_have_text("Bouncing")

    # The Publish dialog: no email can go out, and it says why and where to fix it.
    page.goto(f"{console}/properties/{DEMO}/invoices/{second['invoice_id']}")
    page.get_by_role("button", name="Invoice actions").click()
    _menu_item(page, "Publish").click()
    dialog = page.get_by_role("dialog", name="Publish invoice")
    expect(dialog.get_by_label("Send email notification")).to_be_disabled()
    expect(dialog.locator("#publish-recipient dd")).to_have_text("Address bouncing")
    expect(dialog.locator("#send-email-reason")).to_contain_text("address bounce, so none can be sent")
    dialog.get_by_role("link", name="their profile").click()

    # The profile: the warning, the correction, the warning gone, the change in the history.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Quinn Okafor")
    expect(page.locator("#bouncing-warning")).to_contain_text("Emails to quinn.old@example.com bounce")
    page.get_by_label("Email address").fill("quinn@example.com")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("#profile-saved")).to_have_text("Saved. Invoice emails now go to quinn@example.com.")
    expect(page.locator("#bouncing-warning")).to_have_count(0)
    expect(page.locator("#email-state")).to_have_text("OK")
    expect(page.locator("#resident-history")).to_contain_text("Email: quinn.old@example.com → quinn@example.com")

    # The next invoice: the box checked, the new address named, and the email goes there.
    page.goto(f"{console}/properties/{DEMO}/invoices/{second['invoice_id']}")
    page.get_by_role("button", name="Invoice actions").click()
    _menu_item(page, "Publish").click()
    dialog = page.get_by_role("dialog", name="Publish invoice")
    send_email = dialog.get_by_label("Send email notification")
    expect(send_email).to_be_enabled()
    expect(send_email).to_be_checked()
    expect(dialog.locator("#publish-recipient dd")).to_have_text("quinn@example.com")
    dialog.get_by_role("button", name="Publish Invoice").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Open")
    mail = wait_for_mail(runtime.state_dir / "mail", second["number"])
    assert "quinn@example.com" in mail.with_suffix(".eml").read_text()


def test_an_administrator_creates_a_property_its_manager_switches_to_and_configures(runtime: RunningRuntime, new_page):
    console = runtime.ready["console_url"]
    admin = new_page()
    sign_in(admin, console, "Avery Admin")
    expect(admin.get_by_role("heading", name="Properties", level=1)).to_be_visible()
    admin.get_by_role("button", name="New property").click()
    dialog = admin.get_by_role("dialog", name="New property")
    dialog.get_by_label("Name").fill("Birch Hill HOA")
    dialog.get_by_label("Time zone").select_option("America/Los_Angeles")
    dialog.get_by_label("Replies go to").fill("office@")
    dialog.get_by_role("button", name="Create property").click()
    # The API's refusal, under the field it is about, in the form's words.
    expect(dialog.locator("#property-reply-to-error")).to_have_text(
        "Must be a valid email address, like resident@example.com."
    )
    expect(dialog).to_contain_text("Check this field: Replies go to.")
    expect(dialog.get_by_label("Replies go to")).to_be_focused()
    dialog.get_by_label("Replies go to").fill("office@birchhill.example")
    dialog.get_by_role("button", name="Create property").click()
    expect(admin.get_by_role("heading", name="Settings", level=1)).to_be_visible()
    expect(admin.locator("#property-name")).to_have_text("Birch Hill HOA")
    expect(admin.get_by_label("Emails are sent as")).to_have_value("Birch Hill HOA")  # the name, by default
    expect(admin.get_by_role("navigation", name="Property").get_by_role("link")).to_have_text(
        ["All properties", "Settings"]
    )
    birch = admin.url.split("/properties/")[1].split("/")[0]
    _resident(runtime, "Tomo Sato", "1", prop=birch)

    # The manager now has two properties: the header switches between them.
    manager = new_page()
    sign_in(manager, console, "Dana Manager", f"/sign-in?next=/properties/{DEMO}")
    expect(manager.get_by_role("heading", name="Maple Court HOA", level=1)).to_be_visible()
    switcher = manager.get_by_role("button", name=re.compile("Maple Court HOA"))
    switcher.click()
    manager.get_by_role("link", name="Birch Hill HOA").click()
    expect(manager).to_have_url(f"{console}/properties/{birch}")
    expect(manager.locator("#property-name")).to_have_text("Birch Hill HOA")

    manager.get_by_role("navigation", name="Property").get_by_role("link", name="Settings").click()
    manager.get_by_label("Name").fill("Birch Hill Commons")
    manager.get_by_label("Time zone").select_option("Asia/Tokyo")
    manager.get_by_label("Emails are sent as").fill("Birch Hill Billing")
    manager.get_by_label("Replies go to").fill("not an address")
    manager.get_by_role("button", name="Save settings").click()
    expect(manager.locator("#settings-reply-to-error")).to_have_text(
        "Must be a valid email address, like resident@example.com."
    )
    assert _admin(runtime, "GET", f"/properties/{birch}")["name"] == "Birch Hill HOA"  # nothing saved
    manager.get_by_label("Replies go to").fill("billing@birchhill.example")
    manager.get_by_role("button", name="Save settings").click()
    expect(manager.locator("#settings-saved")).to_have_text("Settings saved.")
    expect(manager.locator("#property-name")).to_have_text("Birch Hill Commons")  # the header follows

    manager.reload()
    expect(manager.get_by_label("Name")).to_have_value("Birch Hill Commons")
    expect(manager.get_by_label("Time zone")).to_have_value("Asia/Tokyo")
    expect(manager.get_by_label("Emails are sent as")).to_have_value("Birch Hill Billing")
    expect(manager.get_by_label("Replies go to")).to_have_value("billing@birchhill.example")
    assert _admin(runtime, "GET", f"/properties/{birch}") == {
        "property_id": birch,
        "name": "Birch Hill Commons",
        "time_zone": "Asia/Tokyo",
        "currency": "USD",
        "sender_name": "Birch Hill Billing",
        "reply_to_email": "billing@birchhill.example",
    }
    # Times are shown in the property's time zone, whatever the browser's.
    manager.get_by_role("navigation", name="Property").get_by_role("link", name="Residents").click()
    manager.get_by_role("link", name="Tomo Sato").click()
    expect(manager.locator("#resident-facts")).to_contain_text("GMT+9")


def test_a_publish_all_is_found_again_after_a_reload_and_a_second_start_follows_it(
    runtime: RunningRuntime, new_page, paused_publish_worker
):
    console = runtime.ready["console_url"]
    cedar = _admin(
        runtime,
        "POST",
        "/properties",
        {"name": "Cedar Row HOA", "time_zone": "America/Chicago", "currency": "USD"},
        201,
    )["property_id"]
    for n in range(3):
        _draft(runtime, _resident(runtime, f"Cedar Resident {n}", f"C{n}", prop=cedar), prop=cedar)
    invoices = f"/properties/{cedar}/invoices"

    # A second tab has the confirmation open before the first starts the job.
    other = new_page()
    sign_in(other, console, "Dana Manager", f"/sign-in?next={invoices}")
    other.get_by_role("button", name="Publish All (3)").click()
    expect(other.locator("#publish-all-count")).to_contain_text("3 draft invoices will be published")

    page = new_page()
    sign_in(page, console, "Dana Manager", f"/sign-in?next={invoices}")
    page.get_by_role("button", name="Publish All (3)").click()
    page.get_by_role("dialog", name="Publish all drafts").get_by_role("button", name="Publish All").click()
    dialog = page.get_by_role("dialog", name="Publishing all drafts")
    expect(dialog.locator("#count-done")).to_have_text("0 of 3")  # running: the worker is paused

    # Reloaded while it runs: the page finds the job and shows its progress, not a new start.
    page.reload()
    banner = page.locator("#running-job")
    expect(banner).to_contain_text("Publish All is running: 0 of 3 done.")
    expect(banner.locator("progress")).to_have_attribute("max", "3")
    expect(page.get_by_role("button", name="Publish All running…")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile(r"^Publish All \("))).to_have_count(0)

    # The other tab confirms too: it is shown the running job instead of an error.
    other.get_by_role("dialog", name="Publish all drafts").get_by_role("button", name="Publish All").click()
    running = other.get_by_role("dialog", name="Publishing all drafts")
    expect(running.locator("#publish-all-note")).to_contain_text("A Publish All is already running for this property")
    expect(running.locator("#count-done")).to_have_text("0 of 3")

    paused_publish_worker()  # the worker resumes; both pages follow the job to its end
    expect(banner).to_have_attribute("data-state", "completed", timeout=30_000)
    expect(banner).to_contain_text("Publish All finished: 3 published, 0 skipped, 0 failed.")
    expect(page.locator("table.invoices .status-open")).to_have_count(3)
    expect(page.get_by_role("button", name=re.compile(r"^Publish All"))).to_have_count(0)
    expect(running.locator("#publish-progress-label")).to_have_attribute("data-state", "completed", timeout=30_000)
    expect(running.locator("#count-published")).to_have_text("3")
