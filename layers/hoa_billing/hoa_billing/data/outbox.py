"""The invoice row as the email's outbox: claim, release, record the outcome, queue a
resend, record a bounce; and what a stream record of the invoices table asks for.

The claim is what keeps a retried or duplicated stream record from sending twice:
``queued -> sending`` with a claim token (the stream record's event id) and a time, in
one conditional UpdateItem. Only the holder of the claim records the outcome.
"""

from __future__ import annotations

from typing import Any

from hoa_billing.core import lifecycle
from hoa_billing.core.changes import EmailClaim, EmailDelivery, EmailOutcome, Resend
from hoa_billing.core.clock import iso
from hoa_billing.core.errors import Refused
from hoa_billing.core.models import EmailStatus, HistoryEntry, Invoice
from hoa_billing.data.invoices import InvoiceTable, invoice_of, recorded
from hoa_billing.data.items import from_item
from hoa_billing.data.writes import Update

BUSY = (EmailStatus.QUEUED.value, EmailStatus.SENDING.value)
_EMAILABLE = {status.value for status in lifecycle.EMAILABLE}


def _for_request(update: Update, request_id: str) -> Update:
    # A publish's request id is its publish_id until a resend names a new one.
    return update.require(
        "{email_request_id} = :req OR (attribute_not_exists({email_request_id}) AND {publish_id} = :req)",
        req=request_id,
    )


def _holding(update: Update, token: str) -> Update:
    return update.require(
        "{email_status} = :sending AND {email_claim_token} = :token",
        sending=EmailStatus.SENDING.value,
        token=token,
    )


def _claim_update(claim: EmailClaim, version: int | None = None) -> Update:
    update = (
        Update()
        .set("email_status", EmailStatus.SENDING.value)
        .set("email_claim_token", claim.token)
        .set("email_claim_at", iso(claim.at))
        .add("email_attempts", 1)
        .require_in("status", _EMAILABLE)
        .require(
            "{email_status} = :queued OR ({email_status} = :sending AND "
            "({email_claim_token} = :token OR {email_claim_at} < :stale))",
            queued=EmailStatus.QUEUED.value,
            sending=EmailStatus.SENDING.value,
            token=claim.token,
            stale=iso(claim.stale_before),
        )
    )
    if version is not None:
        # Nothing that counts a version (every change but a claim and its release) has
        # touched the invoice since the caller saw it.
        update.require("{version} = :seen", seen=version)
    return _for_request(update, claim.request_id)


class DynamoEmailOutbox(InvoiceTable):
    def delivery_of(self, stream_record: dict[str, Any]) -> EmailDelivery:
        """What one invoices-table stream record (as Lambda delivers it) asks the sender to
        do: the record's new image is the invoice as the write that queued the email left it."""
        image = from_item((stream_record.get("dynamodb") or {}).get("NewImage") or {})
        request_id = image.get("email_request_id") or image["publish_id"]
        return EmailDelivery(
            invoice_id=str(image["invoice_id"]),
            request_id=str(request_id),
            token=str(stream_record["eventID"]),
            seen=invoice_of(image),
        )

    def claim_email(self, invoice_id: str, claim: EmailClaim, seen: Invoice | None = None) -> Invoice:
        """Take the claim; the invoice as it stands, claimed.

        ``seen`` (the stream record's image): if the claim finds the invoice still at that
        version and it is this request's first claim since (so no release has rewritten
        its details), DynamoDB need only answer with what the claim wrote. Otherwise the
        invoice is read back as it stands: a changed invoice is claimed without the
        version, answered in full; a claim taken before (released after a failed send, or
        gone stale) is read."""
        if seen is not None:
            try:
                claimed = self._change(invoice_id, _claim_update(claim, seen.version), "UPDATED_NEW")
            except Refused as refused:
                current = refused.current
                if current is None or current.version == seen.version or current.email_status.value not in BUSY:
                    raise  # refused for what it claims, not for the version
            else:
                if claimed.get("email_attempts") == seen.email_attempts + 1:
                    return invoice_of({**seen.model_dump(mode="json", exclude_none=True), **claimed})
                current = self.get(invoice_id)  # consistent: our claim is in it
                if current is None:
                    raise Refused(None)
                return current
        return self._apply(invoice_id, _claim_update(claim))

    def release_email(self, invoice_id: str, token: str, details: dict[str, Any]) -> None:
        """sending -> queued after a temporary failure: the stream retries the record."""
        update = (
            Update()
            .set("email_status", EmailStatus.QUEUED.value)
            .set("email_details", details)
            .remove("email_claim_token")
            .remove("email_claim_at")
        )
        self._change(invoice_id, _holding(update, token), "NONE")

    def record_email_outcome(self, invoice_id: str, outcome: EmailOutcome) -> None:
        update = (
            Update()
            .set("email_status", outcome.status.value)
            .set("email_details", outcome.details)
            .set("email_message_id", outcome.message_id)
            .remove("email_claim_token")
            .remove("email_claim_at")
        )
        self._change(invoice_id, _holding(recorded(update, outcome.entry), outcome.token), "NONE")

    def cancel_email(self, invoice_id: str, request_id: str, details: dict[str, Any], entry: HistoryEntry) -> None:
        """queued -> failed without sending: the invoice stopped being payable first."""
        update = (
            Update()
            .set("email_status", EmailStatus.FAILED.value)
            .set("email_details", details)
            .require("{email_status} = :queued", queued=EmailStatus.QUEUED.value)
        )
        self._change(invoice_id, _for_request(recorded(update, entry), request_id), "NONE")

    def queue_resend(self, property_id: str, invoice_id: str, resend: Resend) -> Invoice:
        update = (
            Update()
            .set("email_status", EmailStatus.QUEUED.value)
            .set("email_requested", True)
            .set("email_request_id", resend.request_id)
            .set("email_requested_at", iso(resend.at))
            .set("recipient", resend.recipient.model_dump())
            .set(
                "email_details",
                {"request_id": resend.request_id, "to": resend.recipient.email, "queued_at": iso(resend.at)},
            )
            .set("email_attempts", 0)
            .remove("email_claim_token")
            .remove("email_claim_at")
            .require_in("status", _EMAILABLE)
            .require("{property_id} = :p", p=property_id)
            .require("NOT ({email_status} IN (:queued, :sending))", queued=BUSY[0], sending=BUSY[1])
            .require(
                "attribute_not_exists({email_requested_at}) OR {email_requested_at} <= :since",
                since=iso(resend.not_since),
            )
        )
        return self._apply(invoice_id, recorded(update, resend.entry))

    def record_bounce(self, invoice_id: str, message_id: str, details: dict[str, Any], entry: HistoryEntry) -> None:
        """sent -> bounced, for the message SES reports (a later resend is left alone)."""
        update = (
            Update()
            .set("email_status", EmailStatus.BOUNCED.value)
            .set("email_details", details)
            .require(
                "{email_status} = :sent AND {email_message_id} = :mid",
                sent=EmailStatus.SENT.value,
                mid=message_id,
            )
        )
        self._change(invoice_id, recorded(update, entry), "NONE")
