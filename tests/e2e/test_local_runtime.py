"""The help article's story, over HTTP, against the local runtime started as `make run`
starts it: drafts, the publish preview, publishing with and without email, the summary
counts, voiding, and an API that refuses requests without a valid token."""

from __future__ import annotations

import time
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import boto3
import pytest

from hoa_local.localauth import LocalTokens
from tests.e2e.conftest import RunningRuntime, start_runtime
from tests.support.stories import property_today

pytestmark = pytest.mark.e2e
DUE = (property_today() + timedelta(days=30)).isoformat()


def manager(rt: RunningRuntime) -> str:
    return rt.tokens.manager(rt.ready["property_id"])


def create_resident(rt: RunningRuntime, name: str, email: str | None) -> dict[str, Any]:
    body = {"name": name, "unit": "9Z"} | ({"email": email} if email else {})
    response = rt.call("POST", f"/properties/{rt.ready['property_id']}/residents", manager(rt), body)
    assert response.status_code == 201, response.text
    return response.json()


def create_draft(rt: RunningRuntime, resident: dict[str, Any], amount: int) -> dict[str, Any]:
    body = {
        "resident_id": resident["resident_id"],
        "currency": "USD",
        "due_date": DUE,
        "line_items": [{"description": "Monthly assessment", "amount": amount}],
    }
    response = rt.call("POST", f"/properties/{rt.ready['property_id']}/invoices", manager(rt), body)
    assert response.status_code == 201, response.text
    return response.json()


def invoice_path(invoice: dict[str, Any], action: str = "") -> str:
    return f"/properties/{invoice['property_id']}/invoices/{invoice['invoice_id']}" + (f"/{action}" if action else "")


def summary(rt: RunningRuntime) -> dict[str, Any]:
    response = rt.call("GET", f"/properties/{rt.ready['property_id']}/invoices/summary", manager(rt))
    assert response.status_code == 200, response.text
    return response.json()


def test_the_demo_property_starts_with_a_dozen_drafts(local_runtime):
    counts = summary(local_runtime)["counts"]

    assert counts["Draft"] >= 12
    listed = local_runtime.call("GET", "/properties/prop_demo/invoices?status=Draft&limit=5", manager(local_runtime))
    assert listed.status_code == 200
    assert len(listed.json()["items"]) == 5


def test_publish_one_with_email_and_one_without_then_void_the_mistake(local_runtime):
    rt = local_runtime
    before = summary(rt)
    with_email = create_resident(rt, "Morgan Email", "morgan@example.com")
    no_email = create_resident(rt, "Quinn NoEmail", None)
    first = create_draft(rt, with_email, 32500)
    second = create_draft(rt, no_email, 12000)
    assert first["status"] == second["status"] == "Draft"

    # The detail page's Publish dialog: number, amount, resident, email checkbox.
    preview = rt.call("GET", invoice_path(first), manager(rt)).json()["publish_preview"]
    assert preview["number"] == first["number"]
    assert preview["amount"]["formatted"] == "$325.00"
    assert preview["resident_name"] == "Morgan Email"
    assert preview["email_checkbox"] == {"enabled": True, "checked_by_default": True, "disabled_reason": None}
    no_email_preview = rt.call("GET", invoice_path(second), manager(rt)).json()["publish_preview"]
    assert no_email_preview["email_checkbox"] == {
        "enabled": False,
        "checked_by_default": False,
        "disabled_reason": "no_address",
    }

    published = rt.call("POST", invoice_path(first, "publish"), manager(rt), {"send_email": True})
    assert published.status_code == 200, published.text
    assert published.json()["status"] == "Open"
    assert published.json()["email"]["requested"] is True

    refused = rt.call("POST", invoice_path(second, "publish"), manager(rt), {"send_email": True})
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "resident_has_no_email"
    quiet = rt.call("POST", invoice_path(second, "publish"), manager(rt), {"send_email": False})
    assert quiet.status_code == 200, quiet.text
    assert quiet.json()["status"] == "Open"
    assert quiet.json()["email"]["requested"] is False

    again = rt.call("POST", invoice_path(first, "publish"), manager(rt), {"send_email": True})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "invoice_not_draft"

    after = summary(rt)
    assert after["counts"]["Open"] == before["counts"]["Open"] + 2
    assert after["counts"]["Draft"] == before["counts"]["Draft"]

    voided = rt.call("POST", invoice_path(first, "void"), manager(rt), {"reason": "Published by mistake"})
    assert voided.status_code == 200, voided.text
    assert voided.json()["status"] == "Void"
    assert summary(rt)["counts"]["Void"] == before["counts"]["Void"] + 1
    history = rt.call("GET", invoice_path(first), manager(rt)).json()["history"]
    # The email is sent asynchronously (the stream), so its entry may fall anywhere after "published".
    assert [e["action"] for e in history if e["action"] in ("published", "voided")] == ["published", "voided"]


def test_the_api_refuses_requests_without_a_valid_token(local_runtime):
    rt = local_runtime
    path = f"/properties/{rt.ready['property_id']}/invoices/summary"
    forged = LocalTokens(secret="not-the-runtime-secret-not-the-runtime").manager(rt.ready["property_id"])

    for token in (None, "not-a-jwt", forged):
        response = rt.call("GET", path, token)
        assert response.status_code == 401
        assert response.json() == {"message": "Unauthorized"}
    other_property = rt.call("GET", path, rt.tokens.manager("prop_elsewhere"))
    assert other_property.status_code == 403


def test_the_cli_lists_the_invoices_of_the_running_runtime(local_runtime):
    result = local_runtime.cli("list-invoices", "--status", "Draft", "--limit", "3")

    assert result.returncode == 0, result.stderr
    assert result.stdout.count("Draft") >= 3
    assert "3 invoice(s)" in result.stdout


def test_trigger_reports_a_property_the_scheduled_publish_cannot_find_and_fails(local_runtime):
    before = summary(local_runtime)["counts"]

    result = local_runtime.cli("trigger", "MonthlyPublishAll", "--property", "prop_nowhere")

    assert result.returncode == 1, result.stdout + result.stderr
    assert "prop_nowhere: no such property; nothing published" in result.stdout
    assert summary(local_runtime)["counts"] == before


def test_trigger_refuses_properties_for_a_schedule_that_publishes_none(local_runtime):
    result = local_runtime.cli("trigger", "Daily", "--property", "prop_demo")

    assert result.returncode == 2
    assert "OverdueSweepFunction.Daily publishes no properties" in result.stderr


def test_an_email_ses_accepts_is_written_to_the_mail_folder(local_runtime):
    ses = boto3.client(
        "sesv2",
        endpoint_url=local_runtime.ready["aws_endpoint"],
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    ses.send_email(
        FromEmailAddress="billing@example.com",
        Destination={"ToAddresses": ["pat.lee@example.com"]},
        Content={
            "Simple": {"Subject": {"Data": "Invoice e2e"}, "Body": {"Html": {"Data": "<p>Pay Now</p>"}}},
        },
    )
    folder = Path(local_runtime.ready["mail_dir"])
    deadline = time.monotonic() + 10

    def ours() -> list[Path]:  # other tests' publishes send real invoice emails to the same folder
        return [p for p in folder.glob("*.eml") if "Subject: Invoice e2e" in p.read_text(errors="replace")]

    while not ours() and time.monotonic() < deadline:
        time.sleep(0.05)

    (eml_file,) = ours()
    assert eml_file.with_suffix(".html").read_text().strip() == "<p>Pay Now</p>"


def test_ctrl_c_stops_everything_cleanly(tmp_path):
    runtime = start_runtime(tmp_path, "--no-seed")

    code = runtime.stop()

    assert code == 0, "".join(runtime.output)
    assert runtime.output[-1].strip() == "Stopped."
    assert not (tmp_path / "runtime.json").exists()


def test_a_card_payment_puts_one_receipt_in_the_mail_folder_as_ses_sends_it(local_runtime):
    rt = local_runtime
    resident = create_resident(rt, "Riley Receipt", "riley.receipt@example.com")
    draft = create_draft(rt, resident, 21000)
    assert rt.call("POST", invoice_path(draft, "publish"), manager(rt), {"send_email": False}).status_code == 200

    paid = rt.cli("stripe-event", draft["invoice_id"], "card-paid")
    again = rt.cli("stripe-event", draft["invoice_id"], "card-paid")  # the same payment reported again

    assert paid.returncode == 0, paid.stderr
    assert again.returncode == 0, again.stderr
    folder = Path(rt.ready["mail_dir"])
    subject = f"payment of $210.00 received for invoice {draft['number']}"

    def receipts() -> list[Path]:
        return [p for p in folder.glob("*.eml") if subject in p.read_text(errors="replace")]

    deadline = time.monotonic() + 15
    while not receipts() and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1)  # a second receipt would have arrived by now

    (eml_file,) = receipts()
    message = message_from_bytes(eml_file.read_bytes(), policy=policy.default)
    (sender,) = message["From"].addresses
    assert sender.display_name == "Maple Court HOA"
    assert message["Date"] is not None
    assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
    history = rt.call("GET", invoice_path(draft), manager(rt)).json()["history"]
    assert [e["details"]["kind"] for e in history if e["action"] == "notice_sent"] == ["receipt"]
