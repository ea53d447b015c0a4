"""Enqueues a publish job's drafts in chunks; hands over to itself before its time runs out."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from hoa_billing import compose
from hoa_billing.core.observability import instrumented, logger, metrics
from hoa_billing.publish_all import FanOutRequest, PublishAll

processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


@instrumented
def lambda_handler(event: dict[str, Any], context: LambdaContext, deps: PublishAll | None = None) -> dict[str, Any]:
    fan_out = (deps or compose.publish_all()).fan_out

    def step(record: SQSRecord) -> None:
        # An unreadable body raises here: the message fails, and ends in the dead-letter queue.
        request = FanOutRequest.model_validate_json(record.body)
        result = fan_out.run(request, context.get_remaining_time_in_millis)
        logger.info("fan-out step", job_id=request.job_id, **vars(result))
        metrics.add_metric(name="BulkPublishEnqueued", unit="Count", value=result.enqueued)

    return process_partial_response(event=event, record_handler=step, processor=processor, context=context)
