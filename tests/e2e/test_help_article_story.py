"""The help article, told over HTTP against `make run`'s runtime in a subprocess.

Create drafts; preview; publish one with email and one without; read the email from the
mail folder; the resident sees exactly the published invoices; pays one by card through
a signed webhook; void is allowed before payment and refused after it.
"""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import RunningRuntime, start_runtime
from tests.support.stories import property_today

PROPERTY = "prop_demo"
DUE = (property_today() + timedelta(days=20)).isoformat()


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory):
    running = start_runtime(tmp_path_factory.mktemp("story"))
    try:
        yield running
    finally:
        running.stop()


def _ok(response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def _wait_for_mail(folder: Path, needle: str, deadline_s: float = 15) -> str:
    """The stream consumer sends asynchronously, as on AWS: poll the folder, bounded."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        for eml in folder.glob("*.eml"):
            text = eml.read_text(errors="replace")
            if needle in text:
                return text
        time.sleep(0.05)
    raise AssertionError(f"no email mentioning {needle} in {folder}")


def test_the_story_of_the_help_article(runtime: RunningRuntime):
    manager = runtime.tokens.manager(PROPERTY)
    call = runtime.call

    # The demo property (Maple Court HOA) is seeded; this story adds its own residents.
    with_email = _ok(
        call(
            "POST",
            f"/properties/{PROPERTY}/residents",
            manager,
            {"name": "Robin Park", "unit": "3A", "email": "robin.park@example.com"},
        ),
        201,
    )
    no_email = _ok(call("POST", f"/properties/{PROPERTY}/residents", manager, {"name": "Lee Chen", "unit": "3B"}), 201)

    def draft(resident: dict[str, Any], amount: int) -> dict[str, Any]:
        body = {
            "resident_id": resident["resident_id"],
            "currency": "USD",
            "due_date": DUE,
            "line_items": [{"description": "Monthly assessment", "amount": amount}],
        }
        return _ok(call("POST", f"/properties/{PROPERTY}/invoices", manager, body), 201)

    emailed, quiet, mistake, partial = (
        draft(with_email, 32500),
        draft(no_email, 32500),
        draft(with_email, 1000),
        draft(with_email, 5000),
    )

    # The confirmation dialog: number, amount, resident, the email checkbox.
    preview = _ok(call("GET", f"/properties/{PROPERTY}/invoices/{emailed['invoice_id']}", manager))["publish_preview"]
    assert preview["amount"]["formatted"] == "$325.00"
    assert preview["email_checkbox"] == {"enabled": True, "checked_by_default": True, "disabled_reason": None}
    quiet_preview = _ok(call("GET", f"/properties/{PROPERTY}/invoices/{quiet['invoice_id']}", manager))
    assert quiet_preview["publish_preview"]["email_checkbox"]["enabled"] is False

    # Publish one with email and one without: Draft -> Open.
    path = f"/properties/{PROPERTY}/invoices/{{}}/publish"
    assert _ok(call("POST", path.format(emailed["invoice_id"]), manager, {"send_email": True}))["status"] == "Open"
    published_quiet = _ok(call("POST", path.format(quiet["invoice_id"]), manager, {}))
    assert published_quiet["email"]["status"] == "skipped_no_address"
    again = call("POST", path.format(emailed["invoice_id"]), manager, {"send_email": True})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "invoice_not_draft"

    # The resident receives an email with the invoice details and a Pay Now link.
    mail = _wait_for_mail(Path(runtime.ready["mail_dir"]), emailed["number"])
    assert "robin.park@example.com" in mail
    assert "$325.00" in mail
    assert f"/invoices/{emailed['invoice_id']}" in mail

    # Publish All Drafts: the button shows the count, the dialog confirms it, all become Open.
    preview_all = _ok(call("GET", f"/properties/{PROPERTY}/publish-all/preview", manager))
    drafts_left = _ok(call("GET", f"/properties/{PROPERTY}/invoices/summary", manager))["drafts"]["count"]
    assert preview_all["count"] == drafts_left >= 2  # the demo's drafts, the mistake and the partial
    published_all = runtime.cli("publish-all", "--yes")
    assert published_all.returncode == 0, published_all.stdout + published_all.stderr
    assert f"{drafts_left}/{drafts_left}  published {drafts_left}  skipped 0  failed 0  (completed)" in (
        published_all.stdout
    )
    assert _ok(call("GET", f"/properties/{PROPERTY}/invoices/summary", manager))["drafts"]["count"] == 0
    for invoice in (mistake, partial):  # residents with an address are emailed, per the article
        _wait_for_mail(Path(runtime.ready["mail_dir"]), invoice["number"])

    # The resident sees exactly the published invoices, never a draft.
    resident = runtime.tokens.resident(with_email["resident_id"])
    portal = _ok(call("GET", "/portal/invoices", resident))
    assert {row["invoice_id"] for row in portal["items"]} == {
        emailed["invoice_id"],
        mistake["invoice_id"],
        partial["invoice_id"],
    }
    assert "Draft" not in str(portal)
    assert call("GET", f"/portal/invoices/{quiet['invoice_id']}", resident).status_code == 404

    # Pay Now: a Stripe Checkout for the balance, card or bank transfer.
    session = _ok(call("POST", f"/portal/invoices/{emailed['invoice_id']}/checkout", resident))
    assert session["checkout_url"].startswith("http")
    assert session["amount"]["formatted"] == "$325.00"

    # Published by mistake, nothing paid: void is allowed.
    voided = call(
        "POST",
        f"/properties/{PROPERTY}/invoices/{mistake['invoice_id']}/void",
        manager,
        {"reason": "Published by mistake"},
    )
    assert _ok(voided)["status"] == "Void"

    # Stripe reports the card payment (a signed webhook): the invoice is Paid for both sides.
    paid = runtime.cli("stripe-event", emailed["invoice_id"], "card-paid", "--property", PROPERTY)
    assert paid.returncode == 0, paid.stdout + paid.stderr
    assert _ok(call("GET", f"/portal/invoices/{emailed['invoice_id']}", resident))["status"] == "Paid"
    assert (
        _ok(call("GET", f"/properties/{PROPERTY}/invoices/{emailed['invoice_id']}", manager))["invoice"]["status"]
        == "Paid"
    )

    # A payment has been made: void is refused (contact the resident instead).
    refused = call("POST", f"/properties/{PROPERTY}/invoices/{emailed['invoice_id']}/void", manager, {"reason": "x y"})
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "invoice_not_voidable"
    part = runtime.cli(
        "stripe-event",
        partial["invoice_id"],
        "card-paid",
        "--amount",
        "2000",
        "--property",
        PROPERTY,
    )
    assert part.returncode == 0, part.stdout + part.stderr
    refused = call("POST", f"/properties/{PROPERTY}/invoices/{partial['invoice_id']}/void", manager, {"reason": "x y"})
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "invoice_has_payments"
