"""Recipients as the invoice email's headers carry them: built by the standard library's
header classes, read back by them as exactly the name and address that went in, and
never a second header however the resident's name was spelled. The local mail writer
keeps whatever SES accepted."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, policy
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from hoa_billing.adapters.ses import SesEmailSender, mailbox
from hoa_billing.core import text
from hoa_billing.email import EmailMessage, Rejected
from hoa_local.mail import files_of

NAME_CHARACTERS = st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters=text.BIDI_CONTROLS)
NAMES = st.text(NAME_CHARACTERS, max_size=80) | st.sampled_from(
    ["Doe, Jane", 'Pat "the boss" Lee', "O'Brien", "Zoë Ångström", "李小龙", "a@b.example", "<x@y.z>", "(note)", "\\"]
)
ADDRESS = "resident@example.com"


def read_back(value: str) -> tuple[str, str]:
    """What a mail client reads from a To header with this value."""
    header = policy.SMTP.header_factory("To", value)
    (address,) = header.addresses
    return address.display_name, address.addr_spec


@given(NAMES)
def test_any_printable_name_reads_back_as_itself_on_one_line(name):
    # An RFC 2047 encoded word typed as a name is decoded by every reader; not a header.
    assume("=?" not in name)

    value = mailbox(ADDRESS, name)

    assert value.isascii(), "SES wants non-ASCII names as encoded words"
    assert "\r" not in value
    assert "\n" not in value
    assert read_back(value) == (" ".join(name.split()), ADDRESS)


@given(st.text(NAME_CHARACTERS, max_size=20), st.characters(whitelist_categories=("Cc",)), st.text(max_size=20))
def test_a_name_with_any_control_character_is_refused(before, control, after):
    with pytest.raises(ValueError, match="control characters"):
        mailbox(ADDRESS, before + control + after)


def test_the_header_injection_from_the_report_is_refused_before_anything_is_sent():
    client = SimpleNamespace(sent=[], send_email=lambda **request: client.sent.append(request))
    sender = SesEmailSender(client, "billing@maplecourt.example")
    message = EmailMessage(
        to_name="Eve\r\nBcc: evil@example.com", to_address="eve@example.com", subject="Invoice", html="", text=""
    )

    with pytest.raises(Rejected, match="invalid_recipient"):
        sender.send(message)
    assert client.sent == []


def test_ses_is_given_addresses_built_by_the_header_classes():
    requests: list[dict[str, Any]] = []
    client = SimpleNamespace(send_email=lambda **request: requests.append(request) or {"MessageId": "m-1"})
    sender = SesEmailSender(client, "billing@maplecourt.example")

    sender.send(EmailMessage("Doe, Zoë", ADDRESS, "Invoice INV-00001", "<p>hi</p>", "hi"))

    (request,) = requests
    assert request["FromEmailAddress"] == "billing@maplecourt.example"
    (to,) = request["Destination"]["ToAddresses"]
    assert to == "=?utf-8?q?Doe=2C_Zo=C3=AB?= <resident@example.com>"
    assert read_back(to) == ("Doe, Zoë", ADDRESS)


def test_an_address_that_is_not_one_mailbox_is_refused():
    for address in ("a@b.example, c@d.example", "no at sign", "pät@example.com"):
        with pytest.raises(ValueError):  # noqa: PT011 - each says why in its own words
            mailbox(address, "Pat")


# -- the local mail writer --------------------------------------------------------------


@given(st.text(max_size=40), st.text(max_size=40), st.text(max_size=200))
def test_the_local_mail_writer_writes_any_message_ses_accepted(name, subject, body):
    sent = SimpleNamespace(
        id="m-1",
        source="billing@example.com",
        destinations={"ToAddresses": [f"{name} <pat@example.com>"]},
        subject=subject,
        body=body,
        raw_data=None,
    )

    eml, page = files_of(sent)

    message = message_from_bytes(eml, policy=policy.default)
    assert message["Message-ID"] == "<m-1@email.amazonses.com>"
    assert set(message.keys()) == {
        "From",
        "To",
        "Subject",
        "Message-ID",
        "Content-Type",
        "Content-Transfer-Encoding",
        "MIME-Version",
    }
    assert isinstance(page, str)


# -- the property's sender ------------------------------------------------------------------

SENDER = "billing@maplecourt.example"


def sending_client() -> tuple[Any, list[dict[str, Any]]]:
    requests: list[dict[str, Any]] = []
    client = SimpleNamespace(send_email=lambda **request: requests.append(request) or {"MessageId": "m-1"})
    return client, requests


@given(NAMES)
def test_the_property_s_sender_name_reads_back_as_itself_with_the_stack_s_address(name):
    assume("=?" not in name)
    client, requests = sending_client()

    SesEmailSender(client, SENDER).send(EmailMessage("Pat", ADDRESS, "Receipt", "<p>hi</p>", "hi", from_name=name))

    (request,) = requests
    sender = request["FromEmailAddress"]
    assert sender.isascii()
    assert "\r" not in sender
    assert "\n" not in sender
    assert read_back(sender) == (" ".join(name.split()), SENDER)


@given(st.text(NAME_CHARACTERS, max_size=20), st.characters(whitelist_categories=("Cc",)), st.text(max_size=20))
def test_a_sender_name_with_a_control_character_sends_nothing(before, control, after):
    client, requests = sending_client()
    message = EmailMessage("Pat", ADDRESS, "Receipt", "", "", from_name=before + control + after)

    with pytest.raises(Rejected, match="invalid_sender"):
        SesEmailSender(client, SENDER).send(message)
    assert requests == []


def test_the_reply_to_is_the_property_s_office_and_absent_when_none_is_set():
    client, requests = sending_client()
    sender = SesEmailSender(client, SENDER)

    sender.send(
        EmailMessage("Pat", ADDRESS, "Invoice", "", "", from_name="Maple Court HOA", reply_to="office@m.example")
    )
    sender.send(EmailMessage("Pat", ADDRESS, "Invoice", "", "", from_name="Maple Court HOA"))

    with_office, without = requests
    assert with_office["FromEmailAddress"] == f"Maple Court HOA <{SENDER}>"
    assert with_office["ReplyToAddresses"] == ["office@m.example"]
    assert "ReplyToAddresses" not in without


def test_a_reply_to_that_is_not_one_mailbox_sends_nothing():
    client, requests = sending_client()
    message = EmailMessage("Pat", ADDRESS, "Invoice", "", "", reply_to="a@b.example, c@d.example")

    with pytest.raises(Rejected, match="invalid_reply_to"):
        SesEmailSender(client, SENDER).send(message)
    assert requests == []


@given(NAMES, st.text(max_size=200), st.text(max_size=200))
def test_the_local_mail_writer_keeps_both_parts_the_date_and_the_reply_to(name, text_body, html_body):
    assume("=?" not in name)
    sent = SimpleNamespace(
        id="m-2",
        source=mailbox(SENDER, name),
        destinations={"ToAddresses": [mailbox(ADDRESS, "Pat")]},
        subject="Receipt",
        body=html_body,
        raw_data=None,
        simple={
            "text": text_body,
            "html": html_body,
            "reply_to": ["office@maplecourt.example"],
            "sent_at": datetime(2026, 3, 2, 15, 0, tzinfo=UTC),
        },
    )

    eml, _ = files_of(sent)

    message = message_from_bytes(eml, policy=policy.default)
    assert message["Date"] == "Mon, 02 Mar 2026 15:00:00 +0000"
    assert str(message["Reply-To"]) == "office@maplecourt.example"
    (sender,) = message["From"].addresses
    assert (sender.display_name, sender.addr_spec) == (" ".join(name.split()), SENDER)
    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
