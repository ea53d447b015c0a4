"""What a printed letter is made from: the invoice (from a stream record, or read in
batches of a hundred), the resident (for the unit), the property (name, reply-to, time
zone), and the Publish All job a manager names. Reads only."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from hoa_billing.core.jobs import PublishJob
from hoa_billing.core.models import Invoice, Property, Resident
from hoa_billing.data import aws
from hoa_billing.data.directory import PROFILE, _resident_key
from hoa_billing.data.invoice_shape import invoice_of
from hoa_billing.data.items import from_item, to_item
from hoa_billing.data.jobs import HEAD, _job_of

BATCH_GET = 100  # BatchGetItem's limit per request


class DynamoLetterSources:
    def __init__(self, invoices_table: str, properties_table: str, jobs_table: str, client: Any | None = None) -> None:
        self.invoices_table = invoices_table
        self.properties_table = properties_table
        self.jobs_table = jobs_table
        self._client = client

    @property
    def client(self) -> Any:
        return self._client or aws.client("dynamodb")

    @staticmethod
    def invoice_in(stream_record: dict[str, Any]) -> Invoice:
        """The invoice as one invoices-table stream record's new image has it."""
        return invoice_of(from_item((stream_record.get("dynamodb") or {}).get("NewImage") or {}))

    def invoice(self, invoice_id: str) -> Invoice | None:
        item = self.client.get_item(
            TableName=self.invoices_table, Key=to_item({"invoice_id": invoice_id}), ConsistentRead=True
        ).get("Item")
        return invoice_of(from_item(item)) if item else None

    def invoices(self, invoice_ids: Sequence[str]) -> list[Invoice]:
        """The invoices that exist, in the order given."""
        found = {
            values["invoice_id"]: invoice_of(values)
            for values in self._batch_get(self.invoices_table, [{"invoice_id": i} for i in dict.fromkeys(invoice_ids)])
        }
        return [found[invoice_id] for invoice_id in invoice_ids if invoice_id in found]

    def residents(self, property_id: str, resident_ids: Iterable[str]) -> dict[str, Resident]:
        keys = [_resident_key(property_id, resident_id) for resident_id in dict.fromkeys(resident_ids)]
        residents = [Resident.model_validate(values) for values in self._batch_get(self.properties_table, keys)]
        return {resident.resident_id: resident for resident in residents}

    def property(self, property_id: str) -> Property | None:
        item = self.client.get_item(
            TableName=self.properties_table, Key=to_item({"pk": property_id, "sk": PROFILE})
        ).get("Item")
        return Property.model_validate(from_item(item)) if item else None

    def job(self, job_id: str) -> PublishJob | None:
        item = self.client.get_item(
            TableName=self.jobs_table, Key=to_item({"pk": job_id, "sk": HEAD}), ConsistentRead=True
        ).get("Item")
        return _job_of(from_item(item)) if item else None

    def _batch_get(self, table: str, keys: list[dict[str, str]]) -> list[dict[str, Any]]:
        values: list[dict[str, Any]] = []
        for start in range(0, len(keys), BATCH_GET):
            request: dict[str, Any] = {table: {"Keys": [to_item(key) for key in keys[start : start + BATCH_GET]]}}
            while request:
                response = self.client.batch_get_item(RequestItems=request)
                values += [from_item(item) for item in response.get("Responses", {}).get(table, [])]
                # What DynamoDB left for later (throttled, or over 16 MB): asked again. The
                # SDK's standard retry mode has already backed off on throttling.
                request = response.get("UnprocessedKeys") or {}
        return values
