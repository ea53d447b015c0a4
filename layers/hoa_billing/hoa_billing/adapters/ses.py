"""The SES (v2 API) adapter: sends an ``EmailMessage`` and sorts SES's refusals into
"try again later" and "never going to work"."""

from __future__ import annotations

from email.utils import formataddr
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

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


def _tag_value(value: str) -> str:
    # SES tag values allow only ASCII letters, digits, '_', '-', '.', '@'.
    return "".join(ch if ch.isascii() and (ch.isalnum() or ch in "_-.@") else "_" for ch in value)[:256]


class SesEmailSender:
    def __init__(self, client: Any, sender: str, configuration_set: str | None = None) -> None:
        self.client = client
        self.sender = sender
        self.configuration_set = configuration_set

    def send(self, message: EmailMessage) -> str:
        request: dict[str, Any] = {
            "FromEmailAddress": self.sender,
            "Destination": {"ToAddresses": [formataddr((message.to_name, message.to_address))]},
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
