"""The scheduled Publish All: EventBridge names the properties, the same bulk publish runs."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, Field, field_validator

from hoa_billing import compose
from hoa_billing.core.observability import instrumented, logger
from hoa_billing.publish_all import PublishAll


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


@instrumented
def lambda_handler(event: dict[str, Any], context: LambdaContext, deps: PublishAll | None = None) -> dict[str, Any]:
    request = ScheduledPublish.model_validate(event)
    runs = (deps or compose.publish_all()).starts.start_scheduled(request.property_ids, request.schedule)
    for run in runs:
        logger.info("scheduled publish", **vars(run))
    return {"runs": [vars(run) for run in runs]}
