"""Publish All Drafts through the real path: the API, a moto fan-out queue and publish
queue, and the handlers template.yaml names, invoked as Lambda's event source mapping."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import boto3

from hoa_billing import compose
from hoa_billing.core.clock import FixedClock
from hoa_billing.core.settings import get_bulk_settings, get_letter_settings
from hoa_billing.data.deliveries import DynamoJobDeliveries
from hoa_billing.data.directory import DynamoDirectory
from hoa_billing.data.invoices import DynamoInvoices
from hoa_billing.data.jobs import DynamoPublishJobs
from hoa_billing.data.letter_files import S3LetterFiles
from hoa_billing.data.listings import DynamoInvoiceListings
from hoa_billing.data.queues import SqsQueue
from hoa_billing.invoices import Publisher
from hoa_billing.letters_delivery import LetterCounts
from hoa_billing.publish_all import PublishAll
from hoa_local.consumers import SqsConsumer
from hoa_local.template import Stack
from tests.support.api import Api
from tests.support.stories import create_draft, create_resident

# The bulk functions' clock: fixed, and after every draft a test makes through the API
# (the system clock), since a job takes only drafts created before it started.
NOW = datetime(2099, 3, 1, 14, 0, tzinfo=UTC)
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


def make_publisher(
    stack: Stack,
    publisher_class: type[Publisher] = Publisher,
    *,
    store: DynamoInvoices | None = None,
    page_size: int | None = None,
) -> PublishAll:
    """Publish All over the stack's real tables and queues, with a fixed clock."""
    clock = FixedClock(NOW)
    store = store or DynamoInvoices(stack.physical_name("InvoicesTable"))
    directory = DynamoDirectory(stack.physical_name("PropertiesTable"))
    return PublishAll.build(
        publisher=publisher_class(store, directory, clock),
        invoices=store,
        listings=DynamoInvoiceListings(stack.physical_name("InvoicesTable")),
        directory=directory,
        jobs=DynamoPublishJobs(
            stack.physical_name("PublishJobsTable"), counts_table=stack.physical_name("InvoicesTable")
        ),
        publish_queue=SqsQueue(stack.resolve({"Ref": "PublishQueue"})),
        fan_out_queue=SqsQueue(stack.resolve({"Ref": "FanOutQueue"})),
        clock=clock,
        page_size=page_size,
        max_receive_count=int(stack.function_environment("BulkPublishWorkerFunction")["PUBLISH_MAX_RECEIVE_COUNT"]),
        deliveries=DynamoJobDeliveries(
            stack.physical_name("InvoicesTable"), jobs_table=stack.physical_name("PublishJobsTable")
        ),
        units=directory,
        letters=LetterCounts(S3LetterFiles(str(stack.attributes["LettersBucket"]["Ref"]))),
    )


def use_bulk_environment(stack: Stack, monkeypatch: Any) -> None:
    """The bulk functions' environment from template.yaml, as Lambda would set it."""
    for function in ("BulkPublishWorkerFunction", "BulkPublishApiFunction"):
        for key, value in stack.function_environment(function).items():
            monkeypatch.setenv(key, value)
    get_bulk_settings.cache_clear()
    get_letter_settings.cache_clear()
    compose.publish_all.cache_clear()


@dataclass
class BulkRun:
    api: Api
    stack: Stack
    publisher: PublishAll

    def __post_init__(self) -> None:
        self.api.use("BulkPublishApiFunction", self.publisher)
        self.fan_out = SqsConsumer.for_function(self.stack, "BulkFanOutFunction", boto3.client("sqs"))
        self.workers = SqsConsumer.for_function(self.stack, "BulkPublishWorkerFunction", boto3.client("sqs"))

    def start(self, expected_count: int, property_id: str = "prop_a", **kwargs: Any):
        return self.api.post(f"/properties/{property_id}/publish-all", {"expected_count": expected_count}, **kwargs)

    def enqueue(self, publisher: PublishAll | None = None) -> int:
        return self.fan_out.drain(self.fan_out.invoker(deps=publisher or self.publisher))

    def publish(self, publisher: PublishAll | None = None) -> int:
        return self.workers.drain(self.workers.invoker(deps=publisher or self.publisher))

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
