"""SES bounce and complaint notifications (configuration set -> SNS): mark the
resident's address bouncing and the invoice's email bounced."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from hoa_billing.email.wiring import bounce_recorder
from hoa_billing.notifications import BounceRecorder
from hoa_billing.observability import logger, metrics, tracer


def _first(tags: dict[str, list[str]], name: str) -> str | None:
    values = tags.get(name) or []
    return values[0] if values else None


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext, recorder: BounceRecorder | None = None) -> None:
    recorder = recorder or bounce_recorder()
    for record in event["Records"]:
        notification = json.loads(record["Sns"]["Message"])
        kind = str(notification.get("eventType") or notification.get("notificationType", "")).lower()
        if kind == "bounce":
            bounce = notification.get("bounce", {})
            if bounce.get("bounceType") != "Permanent":
                continue  # a full mailbox or a blip: the address is still good
            reason = ", ".join(
                r.get("diagnosticCode") or r.get("status", "") for r in bounce.get("bouncedRecipients", [])
            )
            reason = reason or str(bounce.get("bounceSubType", "Permanent"))
        elif kind == "complaint":
            reason = str(notification.get("complaint", {}).get("complaintFeedbackType", "marked as spam"))
        else:
            continue
        mail = notification.get("mail", {})
        invoice_id = _first(mail.get("tags", {}), "invoice_id")
        if not invoice_id:
            logger.warning("notification without an invoice tag", message_id=mail.get("messageId"))
            continue
        applied = recorder.record(invoice_id=invoice_id, message_id=mail["messageId"], kind=kind, reason=reason)
        logger.info("email notification", invoice_id=invoice_id, kind=kind, applied=applied)
        metrics.add_metric(name=f"Email_{kind}", unit="Count", value=1)
