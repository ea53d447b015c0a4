"""The property's own sender: its settings refuse a name that could break a header, the
emails carry its name and Reply-To (read through a cache that forgets within a minute),
and the local mail folder shows each message as SES sends it."""

from __future__ import annotations

from email import message_from_bytes, policy

import boto3
import pytest

from hoa_billing.core.models import Property
from hoa_billing.data.directory import DynamoDirectory
from hoa_billing.email import PropertySenders
from hoa_local.mail import MailFolder
from hoa_local.moto_fixes import keep_whole_simple_emails
from tests.support.api import table_items

SENDER = "billing@maplecourt.example"


def profile(stack) -> dict:
    (item,) = [i for i in table_items(stack, "PropertiesTable") if i["pk"] == "prop_a" and i["sk"] == "PROPERTY"]
    return item


@pytest.mark.parametrize(
    "name", ["Maple\r\nBcc: evil@example.com", "Maple\nCourt", "Maple\x00Court", "Maple\u202eCourt", "Maple\x85Court"]
)
def test_a_sender_name_that_could_break_a_header_is_refused_with_422_and_nothing_changes(api, properties, stack, name):
    before = profile(stack)

    refused = api.call("PATCH", "/properties/prop_a", {"sender_name": name})

    assert refused.status == 422, refused.body
    assert "sender_name" in str(refused.body["error"])
    assert profile(stack) == before


def test_a_settings_change_reaches_the_emails_within_the_cache_s_minute(stack, properties, directory):
    now = [0.0]
    senders = PropertySenders(directory, ttl_seconds=60, monotonic=lambda: now[0])
    assert senders.identity("prop_a", "Maple Court HOA").display_name == "Maple Court HOA"

    directory.put_property(
        Property(
            property_id="prop_a", name="Maple Court HOA", sender_name="Maple Billing", reply_to_email="o@m.example"
        )
    )
    now[0] = 59.0
    assert senders.identity("prop_a", "Maple Court HOA").display_name == "Maple Court HOA"  # cached
    now[0] = 60.0
    changed = senders.identity("prop_a", "Maple Court HOA")

    assert (changed.display_name, changed.reply_to) == ("Maple Billing", "o@m.example")


def test_an_unknown_property_is_sent_under_the_name_the_invoice_carries(stack):
    senders = PropertySenders(DynamoDirectory(stack.physical_name("PropertiesTable")))

    identity = senders.identity("prop_gone", "Old Name HOA")

    assert (identity.display_name, identity.reply_to) == ("Old Name HOA", None)


def test_the_mail_folder_writes_both_parts_a_date_and_the_reply_to_as_ses_sends_them(stack, tmp_path):
    keep_whole_simple_emails()
    boto3.client("ses").verify_email_identity(EmailAddress=SENDER)
    folder = MailFolder(tmp_path, "123456789012", "us-east-1")
    folder.poll_once()  # what earlier tests sent is not this test's

    boto3.client("sesv2").send_email(
        FromEmailAddress=f'"Maple Court, HOA" <{SENDER}>',
        Destination={"ToAddresses": ["Pat Resident <pat@example.com>"]},
        ReplyToAddresses=["office@maplecourt.example"],
        Content={
            "Simple": {
                "Subject": {"Data": "Receipt"},
                "Body": {"Text": {"Data": "Thank you."}, "Html": {"Data": "<p>Thank you.</p>"}},
            }
        },
    )
    (path,) = folder.poll_once()

    message = message_from_bytes(path.read_bytes(), policy=policy.default)
    (sender,) = message["From"].addresses
    assert (sender.display_name, sender.addr_spec) == ("Maple Court, HOA", SENDER)
    assert str(message["Reply-To"]) == "office@maplecourt.example"
    assert message["Date"] is not None
    assert message.get_body(preferencelist=("plain",)).get_content().strip() == "Thank you."
    assert message.get_body(preferencelist=("html",)).get_content().strip() == "<p>Thank you.</p>"
    assert path.with_suffix(".html").read_text(encoding="utf-8").strip() == "<p>Thank you.</p>"
