"""Publishes chunks of drafts for a publish job; one counter write per chunk."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from hoa_billing import compose
from hoa_billing.core.observability import instrumented, metrics
from hoa_billing.publish_all import Chunk, PublishAll

# A batch whose every chunk failed is reported like any other partial failure.
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


@instrumented
def lambda_handler(event: dict[str, Any], context: LambdaContext, deps: PublishAll | None = None) -> dict[str, Any]:
    worker = (deps or compose.publish_all()).worker

    def publish(record: SQSRecord) -> None:
        # An unreadable body raises here: the message fails, and ends in the dead-letter queue.
        chunk = Chunk.model_validate_json(record.body)
        receive_count = int(record.attributes.approximate_receive_count)
        tally = worker.publish_chunk(chunk, record.message_id, receive_count=receive_count)
        metrics.add_metric(name="InvoicesPublished", unit="Count", value=tally.published)
        metrics.add_metric(name="InvoicesSkipped", unit="Count", value=tally.skipped)
        metrics.add_metric(name="InvoicesFailed", unit="Count", value=len(tally.failures))

    return process_partial_response(event=event, record_handler=publish, processor=processor, context=context)
