"""The SES (v2 API) adapter: sends an ``EmailMessage`` and sorts SES's refusals into
"try again later" and "never going to work".

Addresses go to SES as the headers will carry them, built by the standard library's
header classes (``email.headerregistry.Address``, folded by the SMTP policy), never by
formatting strings: a display name is quoted or RFC 2047-encoded as it needs (SES wants
non-ASCII names encoded), and a name that is not human text (a CR LF that would start
a new header, any control or bidi character) is refused before anything is sent.
"""

from __future__ import annotations

from email.headerregistry import Address
from email.policy import SMTP
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from hoa_billing.core import text
from hoa_billing.email import EmailMessage, Rejected, RetryLater

# SES refuses these for good: retrying the same message cannot succeed.
PERMANENT_ERRORS = frozenset(
    {
        "MessageRejected",
        "MailFromDomainNotVerifiedException",
        "BadRequestException",
        "InvalidParameterValue",
    }
)

# A send must finish well inside the claim lease and the function timeout: few SDK
# retries (the stream retries a throttled record later) and short timeouts.
_SES_CONFIG = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=3, read_timeout=5)


def ses_client() -> Any:
    return boto3.client("sesv2", config=_SES_CONFIG)


# 7-bit headers (non-ASCII becomes encoded words), never folded onto a second line.
_HEADERS = SMTP.clone(max_line_length=None)


def mailbox(address: str, display_name: str = "") -> str:
    """``address`` with ``display_name`` as a To, From or Reply-To header carries it. Raises
    ``ValueError`` for a display name that is not one line of human text, or an address
    the header classes cannot read as exactly one mailbox."""
    problem = text.problem(display_name)
    if problem is not None:
        raise ValueError(f"the display name {problem}")
    if not address.isascii():
        raise ValueError("the address must be ASCII (SES does not take SMTPUTF8 addresses)")
    header = _HEADERS.header_factory("To", [Address(display_name=" ".join(display_name.split()), addr_spec=address)])
    _field, _, value = header.fold(policy=_HEADERS).partition(":")
    value = value.strip()
    if "\r" in value or "\n" in value or len(header.addresses) != 1:  # cannot happen; never send if it did
        raise ValueError("the address does not make one header line")
    return value


def _tag_value(value: str) -> str:
    # SES tag values allow only ASCII letters, digits, '_', '-', '.', '@'.
    return "".join(ch if ch.isascii() and (ch.isalnum() or ch in "_-.@") else "_" for ch in value)[:256]


class SesEmailSender:
    """Sends from the stack's verified identity (``sender``, an address), under each
    message's display name (the property's sender name), with its Reply-To."""

    def __init__(self, client: Any, sender: str, configuration_set: str | None = None) -> None:
        self.client = client
        self.sender_address = sender
        self.sender = mailbox(sender)
        self.configuration_set = configuration_set

    def send(self, message: EmailMessage) -> str:
        try:
            to = mailbox(message.to_address, message.to_name)
        except ValueError as refused:
            raise Rejected(f"invalid_recipient: {refused}") from None
        try:
            sender = mailbox(self.sender_address, message.from_name)
        except ValueError as refused:
            raise Rejected(f"invalid_sender: {refused}") from None
        reply_to: list[str] = []
        if message.reply_to:
            try:
                reply_to = [mailbox(message.reply_to)]
            except ValueError as refused:
                raise Rejected(f"invalid_reply_to: {refused}") from None
        problem = text.problem(message.subject)
        if problem is not None:
            raise Rejected(f"invalid_subject: the subject {problem}")
        request: dict[str, Any] = {
            "FromEmailAddress": sender,
            "Destination": {"ToAddresses": [to]},
            "Content": {
                "Simple": {
                    "Subject": {"Data": message.subject, "Charset": "UTF-8"},
                    "Body": {
                        "Html": {"Data": message.html, "Charset": "UTF-8"},
                        "Text": {"Data": message.text, "Charset": "UTF-8"},
                    },
                }
            },
            "EmailTags": [{"Name": name, "Value": _tag_value(value)} for name, value in message.tags.items()],
        }
        if reply_to:
            request["ReplyToAddresses"] = reply_to
        if self.configuration_set:
            request["ConfigurationSetName"] = self.configuration_set
        try:
            response = self.client.send_email(**request)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            code = str(error.get("Code", "Unknown"))
            reason = f"{code}: {error.get('Message', '')}".strip(": ")
            if code in PERMANENT_ERRORS:
                raise Rejected(reason) from exc
            # Throttling, TooManyRequests, SendingPaused, 5xx and anything unknown: the
            # message is kept and tried again, never dropped.
            raise RetryLater(reason) from exc
        except BotoCoreError as exc:
            raise RetryLater(f"{type(exc).__name__}: {exc}") from exc
        return str(response["MessageId"])
