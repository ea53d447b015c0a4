"""Publishes chunks of drafts for a publish job; one counter write per chunk."""

from __future__ import annotations

import os
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from hoa_billing.bulk import BulkPublisher, Chunk
from hoa_billing.bulk_wiring import bulk_publisher
from hoa_billing.observability import logger, metrics, tracer

# A batch whose every chunk failed is reported like any other partial failure.
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
# The queue's maxReceiveCount: on that delivery a chunk's failures are recorded on the
# job before SQS moves the message to the dead-letter queue.
MAX_RECEIVE_COUNT = int(os.environ.get("PUBLISH_MAX_RECEIVE_COUNT", "5"))


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext, bulk: BulkPublisher | None = None) -> dict[str, Any]:
    publisher = bulk or bulk_publisher()

    def publish(record: SQSRecord) -> None:
        # An unreadable body raises here: the message fails, and ends in the dead-letter queue.
        body = Chunk.model_validate_json(record.body)
        receive_count = int(record.attributes.approximate_receive_count)
        tally = publisher.publish_chunk(
            body,
            record.message_id,
            receive_count=receive_count,
            final_attempt=receive_count >= MAX_RECEIVE_COUNT,
        )
        metrics.add_metric(name="InvoicesPublished", unit="Count", value=tally.published)
        metrics.add_metric(name="InvoicesSkipped", unit="Count", value=tally.skipped)
        metrics.add_metric(name="InvoicesFailed", unit="Count", value=len(tally.failures))

    return process_partial_response(event=event, record_handler=publish, processor=processor, context=context)
