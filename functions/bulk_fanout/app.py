"""Enqueues a publish job's drafts in chunks; hands over to itself before its time runs out."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from hoa_billing.bulk import BulkPublisher, FanOutRequest
from hoa_billing.bulk_wiring import bulk_publisher
from hoa_billing.observability import logger, metrics, tracer

processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext, bulk: BulkPublisher | None = None) -> dict[str, Any]:
    publisher = bulk or bulk_publisher()

    def fan_out(record: SQSRecord) -> None:
        # An unreadable body raises here: the message fails, and ends in the dead-letter queue.
        body = FanOutRequest.model_validate_json(record.body)
        result = publisher.fan_out(body, context.get_remaining_time_in_millis)
        logger.info("fan-out step", job_id=body.job_id, **vars(result))
        metrics.add_metric(name="BulkPublishEnqueued", unit="Count", value=result.enqueued)

    return process_partial_response(event=event, record_handler=fan_out, processor=processor, context=context)
