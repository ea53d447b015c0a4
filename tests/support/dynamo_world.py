"""The domain suite's world over the DynamoDB repositories (moto), so each domain case
also checks that the real repositories keep the contract the fakes keep."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import boto3

from hoa_billing.data.directory import DynamoDirectory
from hoa_billing.data.invoices import DynamoInvoices
from hoa_billing.data.items import to_attr
from hoa_billing.data.jobs import DynamoPublishJobs
from hoa_billing.data.listings import DynamoDueInvoices, DynamoInvoiceListings
from hoa_billing.data.notices import DynamoNotices
from hoa_billing.data.outbox import DynamoEmailOutbox
from hoa_billing.data.payment_records import DynamoPaymentRecords
from hoa_billing.data.stripe_events import DynamoProcessedEvents
from hoa_local.template import Stack


class DynamoInvoicesTable:
    """Every invoice repository over the one table, answering as one object (as the fake
    does), plus the test-only writes the domain suite needs."""

    def __init__(
        self, table: str, property_ids: Callable[[], Iterable[str]] = lambda: (), notices_table: str = ""
    ) -> None:
        self.table = table
        self.notices = DynamoNotices(notices_table, table)
        listings = DynamoInvoiceListings(table)
        self._parts = (
            DynamoInvoices(table),
            listings,
            DynamoEmailOutbox(table),
            DynamoPaymentRecords(table, notices_table),
            DynamoDueInvoices(listings, property_ids),
        )

    def __getattr__(self, name: str) -> Any:
        for part in self._parts:
            if hasattr(part, name):
                return getattr(part, name)
        raise AttributeError(name)

    def force(self, invoice_id: str, changes: dict[str, Any]) -> None:
        values = {key: getattr(value, "value", value) for key, value in changes.items()}
        boto3.client("dynamodb").update_item(
            TableName=self.table,
            Key={"invoice_id": to_attr(invoice_id)},
            UpdateExpression="SET " + ", ".join(f"#{k} = :{k}" for k in values),
            ExpressionAttributeNames={f"#{k}": k for k in values},
            ExpressionAttributeValues={f":{k}": to_attr(v) for k, v in values.items()},
        )

    def queued_notices(self, invoice_id: str) -> list[tuple[str, str, int, int]]:
        """The invoice's notices: kind, payment, amount, balance after."""
        return [(n.kind.value, n.payment_id, n.amount, n.balance_after) for n in self.notices.for_invoice(invoice_id)]

    def stream_record(self, invoice_id: str, token: str) -> dict[str, Any]:
        item = boto3.client("dynamodb").get_item(TableName=self.table, Key={"invoice_id": to_attr(invoice_id)})["Item"]
        return {"eventID": token, "eventName": "MODIFY", "dynamodb": {"NewImage": item}}


def dynamodb_world(stack: Stack, world_class: Any) -> Any:
    table = stack.physical_name("InvoicesTable")
    directory = DynamoDirectory(stack.physical_name("PropertiesTable"))
    return world_class(
        store=DynamoInvoicesTable(table, directory.all_property_ids, stack.physical_name("NoticesTable")),
        directory=directory,
        jobs=DynamoPublishJobs(stack.physical_name("PublishJobsTable"), counts_table=table),
        events=DynamoProcessedEvents(stack.physical_name("StripeEventsTable")),
    )


__all__ = ["DynamoInvoicesTable", "dynamodb_world"]
