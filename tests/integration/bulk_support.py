"""Publish All Drafts through the real path: the API, a moto fan-out queue and publish
queue, and the handlers template.yaml names, invoked as Lambda's event source mapping."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import boto3

from hoa_billing.bulk import BulkPublisher
from hoa_billing.bulk_wiring import bulk_publisher, get_bulk_settings
from hoa_billing.clock import FixedClock
from hoa_billing.dal.directory import DirectoryRepository
from hoa_billing.dal.invoices import InvoiceRepository
from hoa_billing.dal.jobs import PublishJobRepository
from hoa_billing.dal.queues import MessageQueue
from hoa_billing.service import InvoiceService
from hoa_local.consumers import SqsConsumer
from hoa_local.template import Stack
from tests.conftest import Api
from tests.integration.helpers import create_draft, create_resident

NOW = datetime(2026, 3, 1, 14, 0, tzinfo=UTC)
NO_ADDRESS_EVERY = 3  # residents 0, 3, 6, ... have no email address


def has_address(index: int) -> bool:
    """Whether the resident of the ``index``-th of ``mixed_drafts`` has an email address."""
    return index % NO_ADDRESS_EVERY != 0


def mixed_drafts(api: Api, count: int) -> list[dict[str, Any]]:
    """``count`` drafts, one per resident; every third resident has no email address."""
    created = []
    for i in range(count):
        email = f"resident{i}@example.com" if has_address(i) else None
        resident = create_resident(api, email=email, name=f"Resident {i}", unit=f"{i + 1}A")
        created.append(create_draft(api, resident["resident_id"], 10000 + i))
    return created


def make_publisher(stack: Stack, service_class: type[InvoiceService] = InvoiceService) -> BulkPublisher:
    clock = FixedClock(NOW)
    service = service_class(
        InvoiceRepository(stack.physical_name("InvoicesTable")),
        DirectoryRepository(stack.physical_name("PropertiesTable")),
        clock=clock,
    )
    return BulkPublisher(
        service,
        PublishJobRepository(stack.physical_name("PublishJobsTable")),
        MessageQueue(stack.resolve({"Ref": "PublishQueue"})),
        MessageQueue(stack.resolve({"Ref": "FanOutQueue"})),
        clock=clock,
    )


def use_bulk_environment(stack: Stack, monkeypatch: Any) -> None:
    """The bulk functions' environment from template.yaml, as Lambda would set it."""
    for key, value in stack.function_environment("BulkPublishWorkerFunction").items():
        monkeypatch.setenv(key, value)
    get_bulk_settings.cache_clear()
    bulk_publisher.cache_clear()


@dataclass
class BulkRun:
    api: Api
    stack: Stack
    publisher: BulkPublisher

    def __post_init__(self) -> None:
        self.api.overrides = {"bulk": self.publisher}
        self.fan_out = SqsConsumer.for_function(self.stack, "BulkFanOutFunction", boto3.client("sqs"))
        self.workers = SqsConsumer.for_function(self.stack, "BulkPublishWorkerFunction", boto3.client("sqs"))

    def start(self, expected_count: int, property_id: str = "prop_a", **kwargs: Any):
        return self.api.post(f"/properties/{property_id}/publish-all", {"expected_count": expected_count}, **kwargs)

    def enqueue(self, publisher: BulkPublisher | None = None) -> int:
        return self.fan_out.drain(self.fan_out.invoker(bulk=publisher or self.publisher))

    def publish(self, publisher: BulkPublisher | None = None) -> int:
        return self.workers.drain(self.workers.invoker(bulk=publisher or self.publisher))

    def job(self, job_id: str, property_id: str = "prop_a") -> dict[str, Any]:
        response = self.api.get(f"/properties/{property_id}/publish-jobs/{job_id}")
        assert response.status == 200, response.body
        return response.body

    def queue_depth(self, queue: str) -> int:
        attributes = boto3.client("sqs").get_queue_attributes(
            QueueUrl=self.stack.resolve({"Ref": queue}),
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])
