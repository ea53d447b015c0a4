"""Conditional writes for the invoice email: queue, claim, release, and record the outcome.

The claim is what keeps a retried or duplicated stream record from sending twice:
``queued -> sending`` with a claim token (the stream record's event id) and a time, in
one conditional UpdateItem. Only the holder of the claim records the outcome.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hoa_billing.clock import iso
from hoa_billing.dal.directory import RESIDENT_PREFIX, DirectoryRepository
from hoa_billing.dal.invoices import history_value
from hoa_billing.dal.items import to_attr
from hoa_billing.dal.update import Update
from hoa_billing.lifecycle import EMAILABLE
from hoa_billing.models import EmailStatus, HistoryEntry, Recipient

BUSY = (EmailStatus.QUEUED.value, EmailStatus.SENDING.value)


def _for_request(update: Update, request_id: str) -> Update:
    # A publish's request id is its publish_id until a resend names a new one.
    return update.require(
        "{email_request_id} = :req OR (attribute_not_exists({email_request_id}) AND {publish_id} = :req)",
        req=request_id,
    )


def claim_update(
    *, request_id: str, token: str, now: datetime, stale_before: datetime, version: int | None = None
) -> Update:
    """queued -> sending for this request. A claim may be retaken by the same stream
    record (Lambda retries a shard's batch only after the previous attempt ended) or
    by anyone once it is older than the lease (its holder has been stopped).

    ``version``: also require the invoice's version to be this one, so the caller knows
    that nothing that counts a version (every change but a claim and its release) has
    touched the invoice since it saw it."""
    update = (
        Update()
        .set("email_status", EmailStatus.SENDING.value)
        .set("email_claim_token", token)
        .set("email_claim_at", iso(now))
        .add("email_attempts", 1)
        .require_status_in({status.value for status in EMAILABLE})
        .require(
            "{email_status} = :queued OR ({email_status} = :sending AND "
            "({email_claim_token} = :token OR {email_claim_at} < :stale))",
            queued=EmailStatus.QUEUED.value,
            sending=EmailStatus.SENDING.value,
            token=token,
            stale=iso(stale_before),
        )
    )
    if version is not None:
        update.require("{version} = :seen", seen=version)
    return _for_request(update, request_id)


def _holding(update: Update, token: str) -> Update:
    return update.require(
        "{email_status} = :sending AND {email_claim_token} = :token",
        sending=EmailStatus.SENDING.value,
        token=token,
    )


def release_update(*, token: str, details: dict[str, Any]) -> Update:
    """sending -> queued after a temporary failure: the stream retries the record."""
    update = (
        Update()
        .set("email_status", EmailStatus.QUEUED.value)
        .set("email_details", details)
        .remove("email_claim_token")
        .remove("email_claim_at")
    )
    return _holding(update, token)


def outcome_update(
    *,
    token: str,
    status: EmailStatus,
    details: dict[str, Any],
    history: HistoryEntry,
    message_id: str | None = None,
) -> Update:
    """sending -> sent or failed, by the claim's holder only."""
    update = (
        Update()
        .set("email_status", status.value)
        .set("email_details", details)
        .set("email_message_id", message_id)
        .remove("email_claim_token")
        .remove("email_claim_at")
        .append("history", [history_value(history)])
        .add("version", 1)
    )
    return _holding(update, token)


def cancel_update(*, request_id: str, details: dict[str, Any], history: HistoryEntry) -> Update:
    """queued -> failed without sending: the invoice stopped being payable first."""
    update = (
        Update()
        .set("email_status", EmailStatus.FAILED.value)
        .set("email_details", details)
        .append("history", [history_value(history)])
        .add("version", 1)
        .require("{email_status} = :queued", queued=EmailStatus.QUEUED.value)
    )
    return _for_request(update, request_id)


def resend_update(
    *,
    property_id: str,
    request_id: str,
    recipient: Recipient,
    now: datetime,
    not_since: datetime,
    history: HistoryEntry,
) -> Update:
    """Queue the invoice's email again, to the resident's current address.

    Refused unless the invoice is Open or Overdue, no email is already queued or being
    sent, and the previous resend was at least the resend interval ago.
    """
    return (
        Update()
        .set("email_status", EmailStatus.QUEUED.value)
        .set("email_requested", True)
        .set("email_request_id", request_id)
        .set("email_requested_at", iso(now))
        .set("recipient", recipient.model_dump())
        .set("email_details", {"request_id": request_id, "to": recipient.email, "queued_at": iso(now)})
        .set("email_attempts", 0)
        .remove("email_claim_token")
        .remove("email_claim_at")
        .append("history", [history_value(history)])
        .add("version", 1)
        .require_status_in({status.value for status in EMAILABLE})
        .require("{property_id} = :p", p=property_id)
        .require("NOT ({email_status} IN (:queued, :sending))", queued=BUSY[0], sending=BUSY[1])
        .require(
            "attribute_not_exists({email_requested_at}) OR {email_requested_at} <= :since",
            since=iso(not_since),
        )
    )


def bounce_update(*, message_id: str, details: dict[str, Any], history: HistoryEntry) -> Update:
    """sent -> bounced, for the message SES reports (a later resend is left alone)."""
    return (
        Update()
        .set("email_status", EmailStatus.BOUNCED.value)
        .set("email_details", details)
        .append("history", [history_value(history)])
        .add("version", 1)
        .require(
            "{email_status} = :sent AND {email_message_id} = :mid",
            sent=EmailStatus.SENT.value,
            mid=message_id,
        )
    )


def mark_address_bouncing(directory: DirectoryRepository, property_id: str, resident_id: str, address: str) -> bool:
    """Flag the resident's address as bouncing, only if it is still the address that bounced."""
    client = directory.client
    try:
        client.update_item(
            TableName=directory.table_name,
            Key={"pk": to_attr(property_id), "sk": to_attr(RESIDENT_PREFIX + resident_id)},
            UpdateExpression="SET email_bouncing = :yes",
            ConditionExpression="email = :address",
            ExpressionAttributeValues={":yes": to_attr(True), ":address": to_attr(address)},
        )
    except client.exceptions.ConditionalCheckFailedException:
        return False
    return True
