"""Sends the invoice email for each stream record the template's FilterCriteria let
through (Draft -> Open with email requested, or a resend), reporting partial failures."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from hoa_billing import compose
from hoa_billing.core.observability import instrumented, metrics
from hoa_billing.email import InvoiceEmailer

processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


@instrumented
def lambda_handler(event: dict[str, Any], context: LambdaContext, deps: InvoiceEmailer | None = None) -> Any:
    emailer = deps or compose.invoice_emailer()

    def deliver(record: DynamoDBRecord) -> None:
        # The feature logs each attempt and each change (message id, or why not).
        _, outcome = emailer.deliver_record(record.raw_event)
        metrics.add_metric(name=f"Email_{outcome.value}", unit="Count", value=1)

    return process_partial_response(event=event, record_handler=deliver, processor=processor, context=context)
