"""A rendered email and the port it is sent through. The domain sees only this module;
the SES adapter (``hoa_billing.email.ses``) implements ``EmailSender``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class EmailMessage:
    to_name: str
    to_address: str
    subject: str
    html: str
    text: str
    # Carried through SES to bounce and complaint notifications.
    tags: dict[str, str] = field(default_factory=dict)


class EmailSender(Protocol):
    def send(self, message: EmailMessage) -> str:
        """Hand the message to the mail service; return its message id."""
        ...


class SendFailed(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RetryLater(SendFailed):
    """Throttled or the service is unavailable: the message must be tried again later."""


class Rejected(SendFailed):
    """The service refused this message for good (bad address, unverified sender...)."""
