"""SES bounce and complaint notifications (configuration set -> SNS): the address is
marked bouncing (no more emails to it until it is corrected) and the invoice's email
marked bounced."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from hoa_billing.core import audit
from hoa_billing.core.clock import Clock, SystemClock, iso
from hoa_billing.core.errors import Refused
from hoa_billing.core.models import HistoryEntry
from hoa_billing.core.observability import logger
from hoa_billing.email.delivery import SYSTEM
from hoa_billing.email.ports import AddressBook, EmailOutbox


@dataclass(frozen=True)
class BounceNotice:
    """What an SES notification says about one of our messages."""

    invoice_id: str | None
    message_id: str
    kind: str  # bounce | complaint
    reason: str


def _first(tags: dict[str, list[str]], name: str) -> str | None:
    values = tags.get(name) or []
    return values[0] if values else None


def notice_from_sns(message: str) -> BounceNotice | None:
    """A permanent bounce or a complaint, from an SNS message's text; None for what does
    not change an address (transient bounces, deliveries, anything else)."""
    notification: dict[str, Any] = json.loads(message)
    kind = str(notification.get("eventType") or notification.get("notificationType", "")).lower()
    if kind == "bounce":
        bounce = notification.get("bounce", {})
        if bounce.get("bounceType") != "Permanent":
            return None  # a full mailbox or a blip: the address is still good
        reason = ", ".join(r.get("diagnosticCode") or r.get("status", "") for r in bounce.get("bouncedRecipients", []))
        reason = reason or str(bounce.get("bounceSubType", "Permanent"))
    elif kind == "complaint":
        reason = str(notification.get("complaint", {}).get("complaintFeedbackType", "marked as spam"))
    else:
        return None
    mail = notification.get("mail", {})
    return BounceNotice(_first(mail.get("tags", {}), "invoice_id"), str(mail.get("messageId", "")), kind, reason)


class BounceRecorder:
    def __init__(self, outbox: EmailOutbox, directory: AddressBook, clock: Clock | None = None) -> None:
        self.outbox = outbox
        self.directory = directory
        self.clock = clock or SystemClock()

    def record(self, *, invoice_id: str, message_id: str, kind: str, reason: str) -> bool:
        now = self.clock.now()
        current = self.outbox.get(invoice_id)
        if current is None:
            return False
        if current.recipient is not None:
            self.directory.mark_address_bouncing(current.property_id, current.resident_id, current.recipient.email)
        details = {**current.email_details, "bounced_at": iso(now), "bounce": kind, "reason": reason}
        entry = HistoryEntry(at=now, action="email_bounced", actor=SYSTEM, reason=f"{kind}: {reason}")
        try:
            self.outbox.record_bounce(invoice_id, message_id, details, entry)
        except Refused:
            logger.info("email notification not applied", invoice_id=invoice_id, message_id=message_id, kind=kind)
            return False
        audit.changed(
            invoice_id,
            current.number,
            entry,
            email_from=current.email_status.value,
            email_to="bounced",
            message_id=message_id,
            resident_id=current.resident_id,
        )
        return True
