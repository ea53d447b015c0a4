"""The help article, clicked in a real browser against `make run`'s runtime.

A manager signs in, creates drafts, checks the Publish dialog, publishes one, sees a
conflicting publish explained, publishes all the rest with a progress bar, a resident
follows the email's Pay Now link and pays by card on the local checkout, the manager's
void is refused and another void goes through; a resident with only drafts sees none.
A bank payment shows as processing, then settled. Every screen fits a phone's width.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS, PHONE
from tests.browser.conftest import sign_in, wait_for_mail
from tests.e2e.conftest import RunningRuntime

pytestmark = pytest.mark.browser
PROPERTY = "prop_demo"
DUE = (date.today() + timedelta(days=20)).isoformat()


def _api(runtime: RunningRuntime, method: str, path: str, body: Any = None, status: int = 200) -> Any:
    response = runtime.call(method, path, runtime.tokens.manager(PROPERTY), body)
    assert response.status_code == status, response.text
    return response.json()


def _resident_named(runtime: RunningRuntime, name: str) -> dict[str, Any]:
    residents = _api(runtime, "GET", f"/properties/{PROPERTY}/residents?limit=100")["items"]
    return next(r for r in residents if r["name"] == name)


def _create_draft_in_console(page: Page, runtime: RunningRuntime, resident_label: str, amount: str) -> tuple[str, str]:
    """New invoice -> the form -> Create draft; returns (number, detail page URL)."""
    page.goto(f"{runtime.ready['console_url']}/properties/{PROPERTY}/invoices")
    page.get_by_role("link", name="New invoice").click()
    page.get_by_label("Resident").select_option(label=resident_label)
    page.get_by_label("Description").fill("Monthly assessment")
    page.get_by_label("Amount (USD)").fill(amount)
    page.get_by_label("Due date").fill(DUE)
    page.get_by_role("button", name="Create draft").click()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text(re.compile(r"Invoice INV-\d+"))
    expect(heading).to_contain_text("Draft")
    number = re.search(r"INV-\d+", heading.inner_text()).group(0)
    return number, page.url


def _open_menu_item(page: Page, item: str) -> None:
    page.get_by_role("button", name="Invoice actions").click()
    page.get_by_role("menuitem", name=item).click()


def test_the_help_article_clicked_from_drafts_to_a_paid_invoice(runtime: RunningRuntime, new_page):
    console = runtime.ready["console_url"]
    manager = new_page()

    # Signing in: the local runtime lists its demo principals; the manager lands on the property.
    manager.goto(console)
    expect(manager).to_have_url(re.compile(r"/sign-in"))
    sign_in(manager, console, "Dana Manager")
    expect(manager).to_have_url(f"{console}/properties/{PROPERTY}")
    manager.get_by_role("navigation", name="Property").get_by_role("link", name="Invoices").click()
    expect(manager.get_by_role("heading", name="Invoices", level=1)).to_be_visible()

    # Two drafts: one for a resident with an email address, one for a resident without.
    pat_number, pat_url = _create_draft_in_console(manager, runtime, "Pat Lee · unit 1A", "410.00")
    robin_number, robin_url = _create_draft_in_console(manager, runtime, "Robin Chen · unit 2A · no email", "215.50")

    # The Publish dialog of Pat's draft: number, amount, resident, the email box checked.
    manager.goto(pat_url)
    menu_button = manager.get_by_role("button", name="Invoice actions")
    menu_button.focus()
    manager.keyboard.press("Enter")  # the menu opens from the keyboard, focus on its first item
    expect(manager.get_by_role("menuitem", name="Publish")).to_be_focused()
    manager.keyboard.press("Escape")
    expect(menu_button).to_be_focused()
    _open_menu_item(manager, "Publish")
    dialog = manager.get_by_role("dialog", name="Publish invoice")
    summary = dialog.locator("#publish-summary")
    expect(summary).to_contain_text(pat_number)
    expect(summary).to_contain_text("$410.00")
    expect(summary).to_contain_text("Pat Lee")
    send_email = dialog.get_by_label("Send email notification")
    expect(send_email).to_be_checked()
    expect(send_email).to_be_enabled()
    for _ in range(6):  # Tab goes round inside the dialog, never to the page behind it
        manager.keyboard.press("Tab")
        assert manager.evaluate("document.querySelector('dialog[open]').contains(document.activeElement)")
    manager.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(menu_button).to_be_focused()

    # Robin's: no address, so the box is unchecked and disabled, and the dialog says why.
    manager.goto(robin_url)
    _open_menu_item(manager, "Publish")
    dialog = manager.get_by_role("dialog", name="Publish invoice")
    expect(dialog.locator("#publish-summary")).to_contain_text("$215.50")
    send_email = dialog.get_by_label("Send email notification")
    expect(send_email).not_to_be_checked()
    expect(send_email).to_be_disabled()
    expect(dialog).to_contain_text("Robin Chen has no email address on file")

    # Someone else publishes it meanwhile: the dialog says so in words.
    robin_id = robin_url.rsplit("/", 1)[1]
    _api(runtime, "POST", f"/properties/{PROPERTY}/invoices/{robin_id}/publish", {})
    dialog.get_by_role("button", name="Publish Invoice").click()
    expect(dialog.locator("#publish-conflict")).to_have_text(
        "This invoice is already Open: someone else published or changed it."
    )
    dialog.get_by_role("button", name="Close").click()
    expect(manager.get_by_role("heading", level=1)).to_contain_text("Open")

    # Publish Pat's from the dialog: Draft -> Open on screen.
    manager.goto(pat_url)
    _open_menu_item(manager, "Publish")
    manager.get_by_role("dialog", name="Publish invoice").get_by_role("button", name="Publish Invoice").click()
    expect(manager.get_by_role("heading", level=1)).to_contain_text("Open")
    expect(manager.get_by_role("dialog")).to_have_count(0)

    # Publish All (N): N is the draft count, confirmed in the dialog, then a progress bar.
    drafts = _api(runtime, "GET", f"/properties/{PROPERTY}/invoices/summary")["drafts"]["count"]
    assert drafts >= 10  # the demo's dozen
    manager.goto(f"{console}/properties/{PROPERTY}/invoices")
    manager.get_by_role("button", name=f"Publish All ({drafts})").click()
    dialog = manager.get_by_role("dialog", name="Publish all drafts")
    expect(dialog.locator("#publish-all-count")).to_contain_text(f"{drafts} draft invoices will be published")
    dialog.get_by_role("button", name="Publish All").click()
    dialog = manager.get_by_role("dialog", name="Publishing all drafts")
    expect(dialog.locator("#publish-progress")).to_be_visible()
    expect(dialog.locator("#publish-progress-label")).to_have_attribute("data-state", "completed", timeout=60_000)
    expect(dialog.locator("#count-published")).to_have_text(str(drafts))
    expect(dialog.locator("#count-failed")).to_have_text("0")
    assert dialog.locator("#publish-progress").evaluate("bar => bar.value === bar.max")
    expect(dialog.locator("#no-email-list")).to_contain_text("Robin Chen")  # notify them another way
    dialog.get_by_role("button", name="Done").click()
    expect(manager.get_by_role("button", name=re.compile(r"^Publish All"))).to_have_count(0)
    expect(manager.locator("table.invoices")).to_contain_text(pat_number)

    # The email's Pay Now link opens the resident's invoice in the portal, after signing in.
    mail = wait_for_mail(runtime.state_dir / "mail", pat_number)
    pay_now = re.search(r'href="([^"]+)"[^>]*>Pay Now<', mail.read_text()).group(1)
    pat_id = pat_url.rsplit("/", 1)[1]
    assert pay_now == f"{console}/portal/invoices/{pat_id}"
    manager.goto(pat_url)  # the manager keeps the invoice open while the resident pays
    resident = new_page()
    resident.goto(pay_now)
    expect(resident).to_have_url(re.compile(r"/sign-in\?next="))
    resident.get_by_role("button", name=re.compile(r"^Pat Lee\b")).click()
    expect(resident).to_have_url(pay_now)
    expect(resident.get_by_role("heading", level=1)).to_contain_text(pat_number)
    expect(resident.locator("#balance-due")).to_have_text("$410.00")

    # Pay Now -> the local checkout -> Pay by card -> back in the portal: paid.
    resident.get_by_role("button", name="Pay Now · $410.00").click()
    expect(resident.get_by_role("heading", name="Checkout")).to_be_visible()
    expect(resident.locator(".amount")).to_have_text("$410.00")
    resident.get_by_role("button", name="Pay by card").click()
    expect(resident).to_have_url(f"{pay_now}?checkout=success")
    expect(resident.locator("#checkout-result")).to_have_text("Payment received. This invoice is paid. Thank you!")
    expect(resident.get_by_role("heading", level=1)).to_contain_text("Paid")
    expect(resident.locator("#payment-history")).to_contain_text("Received")

    # The manager, on the page opened before the payment, tries to void: refused, in words.
    _open_menu_item(manager, "Void")
    dialog = manager.get_by_role("dialog", name=f"Void invoice {pat_number}?")
    dialog.get_by_label("Reason").fill("Published by mistake")
    dialog.get_by_role("button", name="Void invoice").click()
    refused = manager.get_by_role("dialog", name="This invoice cannot be voided")
    expect(refused.locator("#void-refused")).to_contain_text("Paid")
    refused.get_by_role("button", name="Close").click()
    expect(manager.get_by_role("heading", level=1)).to_contain_text("Paid")
    manager.get_by_role("button", name="Invoice actions").click()
    void_item = manager.get_by_role("menuitem", name=re.compile("^Void"))
    expect(void_item.and_(manager.locator(":not([aria-disabled='true'])"))).to_have_count(0)
    manager.keyboard.press("Escape")

    # Void another invoice, with a reason.
    manager.goto(robin_url)
    _open_menu_item(manager, "Void")
    dialog = manager.get_by_role("dialog", name=f"Void invoice {robin_number}?")
    dialog.get_by_role("button", name="Void invoice").click()
    expect(dialog).to_contain_text("Give a reason of at least 3 characters.")
    dialog.get_by_label("Reason").fill("Billed to the wrong unit")
    dialog.get_by_role("button", name="Void invoice").click()
    expect(manager.get_by_role("heading", level=1)).to_contain_text("Void")
    expect(manager.locator("main")).to_contain_text("Billed to the wrong unit")

    # A resident added today with only a draft sees no invoices at all.
    manager.goto(f"{console}/properties/{PROPERTY}/residents")
    manager.get_by_role("button", name="Add resident").click()
    dialog = manager.get_by_role("dialog", name="Add resident")
    dialog.get_by_label("Name").fill("Morgan Quinn")
    dialog.get_by_label("Unit").fill("4C")
    dialog.get_by_role("button", name="Add resident").click()
    expect(manager.locator("table.residents")).to_contain_text("Morgan Quinn")
    _create_draft_in_console(manager, runtime, "Morgan Quinn · unit 4C · no email", "99.00")
    morgan = new_page()
    sign_in(morgan, console, "Morgan Quinn")
    expect(morgan.get_by_role("heading", name="My account")).to_be_visible()
    expect(morgan.locator("#no-invoices")).to_contain_text("You have no invoices yet.")
    expect(morgan.locator("#paid-up")).to_have_text("Paid up")


def test_a_bank_payment_shows_processing_then_settles(runtime: RunningRuntime, new_page):
    console = runtime.ready["console_url"]
    created = _api(
        runtime,
        "POST",
        f"/properties/{PROPERTY}/residents",
        {"name": "Avery Bank", "unit": "5A", "email": "avery.bank@example.com"},
        201,
    )
    draft = _api(
        runtime,
        "POST",
        f"/properties/{PROPERTY}/invoices",
        {
            "resident_id": created["resident_id"],
            "currency": "USD",
            "due_date": DUE,
            "line_items": [{"description": "Special assessment", "amount": 120000}],
        },
        201,
    )
    _api(runtime, "POST", f"/properties/{PROPERTY}/invoices/{draft['invoice_id']}/publish", {"send_email": False})
    page = new_page()
    sign_in(page, console, "Avery Bank", f"/sign-in?next=/portal/invoices/{draft['invoice_id']}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(draft["number"])

    # A declined card: back on the invoice, told so, nothing paid.
    page.get_by_role("button", name="Pay Now · $1,200.00").click()
    page.get_by_role("button", name="Decline").click()
    expect(page).to_have_url(re.compile(r"\?checkout=cancelled$"))
    expect(page.locator("#checkout-result")).to_contain_text("Your payment did not go through: Your card was declined.")
    expect(page.locator("#amount-paid")).to_have_text("$0.00")

    # By bank account: the debit is processing; the invoice stays Open and cannot be paid twice.
    page.get_by_role("button", name="Pay Now · $1,200.00").click()
    page.get_by_role("button", name="Pay by bank account (ACH)").click()
    expect(page).to_have_url(re.compile(r"\?checkout=success$"))
    expect(page.locator("#checkout-result")).to_contain_text("Your bank payment of $1,200.00 is processing.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Open")
    expect(page.locator("#amount-processing")).to_have_text("$1,200.00")
    expect(page.get_by_role("button", name=re.compile("^Pay Now"))).to_have_count(0)

    # The bank answers (the local checkout's second button): paid.
    page.locator("#settle-link").click()
    page.get_by_role("button", name="The bank transfer arrives").click()
    expect(page.locator("#checkout-result")).to_have_text("Payment received. This invoice is paid. Thank you!")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Paid")
    expect(page.locator("#amount-paid")).to_have_text("$1,200.00")


@pytest.mark.parametrize(
    "path",
    [
        "/properties/prop_demo",
        "/properties/prop_demo/invoices",
        "/properties/prop_demo/residents",
        "/properties/prop_demo/settings",
    ],
)
def test_manager_screens_fit_a_phone(runtime: RunningRuntime, new_page, path: str):
    page = new_page(**PHONE)
    sign_in(page, runtime.ready["console_url"], "Dana Manager", f"/sign-in?next={path}")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator(".loading")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_the_portal_fits_a_phone(runtime: RunningRuntime, new_page):
    pat = _resident_named(runtime, "Pat Lee")
    body = {
        "resident_id": pat["resident_id"],
        "currency": "USD",
        "due_date": DUE,
        "line_items": [{"description": "Monthly assessment, a long description that must wrap", "amount": 32500}],
    }
    draft = _api(runtime, "POST", f"/properties/{PROPERTY}/invoices", body, 201)
    _api(runtime, "POST", f"/properties/{PROPERTY}/invoices/{draft['invoice_id']}/publish", {"send_email": False})
    page = new_page(**PHONE)
    sign_in(page, runtime.ready["console_url"], "Pat Lee")
    expect(page.get_by_role("heading", name="My account")).to_be_visible()
    expect(page.locator("main")).to_contain_text(draft["number"])
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_role("link", name=draft["number"], exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(draft["number"])
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_signing_in_through_the_issuer_uses_the_authorization_code_with_pkce(
    runtime: RunningRuntime, playwright, tmp_path
):
    """config.json names an OIDC issuer: the console goes to its sign-in page with an S256
    challenge and comes back to /auth/callback; the code and the verifier buy the token
    the API accepts. The issuer is played here by intercepted requests (and the local
    runtime's Content-Security-Policy, which names only the API, is set aside: a host
    serving this config names the issuer in its own policy)."""
    console = runtime.ready["console_url"]
    issuer = "https://issuer.example"
    seen: dict[str, Any] = {}
    cors = {"Access-Control-Allow-Origin": console, "Content-Type": "application/json"}
    browser = playwright.chromium.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, bypass_csp=True
    )
    page = browser.new_page()

    def config(route):
        body = {"api_base_url": runtime.url, "auth": {"mode": "oidc", "issuer": issuer, "client_id": "console-app"}}
        route.fulfill(json=body)

    def discovery(route):
        endpoints = {"authorization_endpoint": f"{issuer}/authorize", "token_endpoint": f"{issuer}/token"}
        route.fulfill(headers=cors, body=json.dumps({"issuer": issuer, **endpoints}))

    def authorize(route):
        query = dict(parse_qsl(urlsplit(route.request.url).query))
        seen["authorize"] = query
        back = f"{query['redirect_uri']}?code=the-code&state={query['state']}"
        # The person signs in on the issuer's page, which then sends the browser back.
        route.fulfill(content_type="text/html", body=f'<meta http-equiv="refresh" content="0;url={back}">')

    def token(route):
        if route.request.method == "OPTIONS":
            route.fulfill(status=204, headers={**cors, "Access-Control-Allow-Headers": "content-type"})
            return
        form = dict(parse_qsl(route.request.post_data or ""))
        seen["token"] = form
        digest = hashlib.sha256(form["code_verifier"].encode()).digest()
        challenge = base64.urlsafe_b64encode(digest).decode().rstrip("=")
        if form["code"] != "the-code" or challenge != seen["authorize"]["code_challenge"]:
            route.fulfill(status=400, headers=cors, body=json.dumps({"error": "invalid_grant"}))
            return
        route.fulfill(headers=cors, body=json.dumps({"id_token": runtime.tokens.manager(PROPERTY)}))

    page.route("**/config.json", config)
    page.route(f"{issuer}/.well-known/openid-configuration", discovery)
    page.route(f"{issuer}/authorize*", authorize)
    page.route(f"{issuer}/token", token)

    try:
        page.goto(f"{console}/sign-in?next=/properties/{PROPERTY}/invoices")
        page.get_by_role("button", name="Sign in").click()

        expect(page).to_have_url(f"{console}/properties/{PROPERTY}/invoices")
        expect(page.locator("table.invoices")).to_be_visible()  # the API took the issuer's token
    finally:
        browser.close()
    assert seen["authorize"]["code_challenge_method"] == "S256"
    assert seen["authorize"]["client_id"] == "console-app"
    assert seen["authorize"]["redirect_uri"] == f"{console}/auth/callback"
    assert seen["token"]["grant_type"] == "authorization_code"
    assert seen["token"]["redirect_uri"] == f"{console}/auth/callback"
