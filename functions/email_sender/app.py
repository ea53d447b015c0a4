"""Sends the invoice email for each stream record the template's FilterCriteria let
through (Draft -> Open with email requested, or a resend), reporting partial failures."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from hoa_billing.dal.items import from_item
from hoa_billing.email.wiring import invoice_emailer
from hoa_billing.notifications import Delivery, InvoiceEmailer
from hoa_billing.observability import logger, metrics, tracer

processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def delivery_of(record: DynamoDBRecord) -> Delivery:
    image = from_item((record.raw_event.get("dynamodb") or {}).get("NewImage") or {})
    request_id = image.get("email_request_id") or image["publish_id"]
    return Delivery(
        invoice_id=str(image["invoice_id"]), request_id=str(request_id), token=str(record.event_id), image=image
    )


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext, emailer: InvoiceEmailer | None = None) -> Any:
    emailer = emailer or invoice_emailer()

    def deliver(record: DynamoDBRecord) -> None:
        delivery = delivery_of(record)
        outcome = emailer.deliver(delivery)
        logger.info("email delivery", invoice_id=delivery.invoice_id, request_id=delivery.request_id, outcome=outcome)
        metrics.add_metric(name=f"Email_{outcome.value}", unit="Count", value=1)

    return process_partial_response(event=event, record_handler=deliver, processor=processor, context=context)
