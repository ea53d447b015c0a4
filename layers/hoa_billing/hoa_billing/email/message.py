"""A rendered email and how sending it can fail. The SES adapter
(``hoa_billing.adapters.ses``) implements ``ports.EmailSender``."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class EmailMessage:
    to_name: str
    to_address: str
    subject: str
    html: str
    text: str
    # Carried through SES to bounce and complaint notifications.
    tags: dict[str, str] = field(default_factory=dict)
    # Who it is from as residents see it (the property's sender name; the address is the
    # stack's verified SES identity) and where their replies go.
    from_name: str = ""
    reply_to: str | None = None


class SendFailed(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RetryLater(SendFailed):
    """Throttled or the service is unavailable: the message must be tried again later."""


class Rejected(SendFailed):
    """The service refused this message for good (bad address, unverified sender...)."""
