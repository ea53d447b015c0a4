"""Builds the bulk publisher from configuration: once per process, at cold start."""

from __future__ import annotations

import os
from functools import lru_cache

from pydantic import Field

from hoa_billing.bulk import BulkPublisher
from hoa_billing.config import EnvironmentSettings
from hoa_billing.dal.jobs import PublishJobRepository
from hoa_billing.dal.queues import MessageQueue
from hoa_billing.wiring import invoice_service


class BulkSettings(EnvironmentSettings):
    """What the bulk publish functions need beyond the common settings."""

    publish_jobs_table: str = Field(alias="PUBLISH_JOBS_TABLE", min_length=3)
    publish_queue_url: str = Field(alias="PUBLISH_QUEUE_URL", pattern=r"^https?://")
    fan_out_queue_url: str = Field(alias="FANOUT_QUEUE_URL", pattern=r"^https?://")


@lru_cache(maxsize=1)
def get_bulk_settings() -> BulkSettings:
    return BulkSettings.model_validate(dict(os.environ))


@lru_cache(maxsize=1)
def bulk_publisher() -> BulkPublisher:
    settings = get_bulk_settings()
    return BulkPublisher(
        invoice_service(),
        PublishJobRepository(settings.publish_jobs_table),
        MessageQueue(settings.publish_queue_url),
        MessageQueue(settings.fan_out_queue_url),
    )


def bulk_context() -> dict[str, BulkPublisher]:
    return {"bulk": bulk_publisher()}
