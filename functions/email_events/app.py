"""SES bounce and complaint notifications (configuration set -> SNS): mark the
resident's address bouncing and the invoice's email bounced."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from hoa_billing import compose
from hoa_billing.core.observability import instrumented, logger, metrics
from hoa_billing.email import BounceRecorder, notice_from_sns


@instrumented
def lambda_handler(event: dict[str, Any], context: LambdaContext, deps: BounceRecorder | None = None) -> None:
    recorder = deps or compose.bounce_recorder()
    for record in event["Records"]:
        notice = notice_from_sns(record["Sns"]["Message"])
        if notice is None:
            continue
        if not notice.invoice_id:
            logger.warning("notification without an invoice tag", message_id=notice.message_id)
            continue
        # The feature logs the change (or that it did not apply).
        recorder.record(
            invoice_id=notice.invoice_id, message_id=notice.message_id, kind=notice.kind, reason=notice.reason
        )
        metrics.add_metric(name=f"Email_{notice.kind}", unit="Count", value=1)
