"""The email outbox: hands each email request the invoices table's stream carries (the
template's FilterCriteria let through a publish with the box checked, and a resend) to
the email sender's queue."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from hoa_billing import compose
from hoa_billing.core.observability import instrumented, logger, metrics
from hoa_billing.email import EmailRequests


@instrumented
def lambda_handler(event: dict[str, Any], context: LambdaContext, deps: EmailRequests | None = None) -> dict[str, Any]:
    # What the sender needs of a record: its id and the invoice as the request left it.
    records = [
        {"eventID": record["eventID"], "dynamodb": {"NewImage": record["dynamodb"]["NewImage"]}}
        for record in event["Records"]
    ]
    messages = (deps or compose.email_requests()).forward(records)
    logger.info("email requests forwarded", requests=len(records), messages=messages)
    metrics.add_metric(name="EmailRequestsForwarded", unit="Count", value=len(records))
    # All or nothing: a batch that could not be forwarded is delivered again, whole.
    return {"batchItemFailures": []}
