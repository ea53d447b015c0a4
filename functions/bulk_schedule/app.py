"""The scheduled Publish All: EventBridge names the properties, the same bulk publish runs."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, Field, field_validator

from hoa_billing.bulk import BulkPublisher
from hoa_billing.bulk_wiring import bulk_publisher
from hoa_billing.observability import logger, metrics, tracer


class ScheduledPublish(BaseModel):
    """The rule's input: property ids as a list, or comma-separated (a template parameter)."""

    schedule: str = Field(default="scheduled-publish-all", min_length=1, max_length=64)
    property_ids: list[str]

    @field_validator("property_ids", mode="before")
    @classmethod
    def split(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext, bulk: BulkPublisher | None = None) -> dict[str, Any]:
    request = ScheduledPublish.model_validate(event)
    runs = (bulk or bulk_publisher()).start_scheduled(request.property_ids, request.schedule)
    for run in runs:
        logger.info("scheduled publish", **vars(run))
    return {"runs": [vars(run) for run in runs]}
