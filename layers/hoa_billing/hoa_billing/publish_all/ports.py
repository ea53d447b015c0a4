"""What Publish All asks of storage and queues. The data layer satisfies these
structurally; tests use in-memory fakes of the same shape."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, Protocol

from hoa_billing.core.jobs import ChunkTally, DeliveryPage, FanOutProgress, JobDelivery, PublishJob
from hoa_billing.core.models import DraftAmount, DraftRef, EmailStatus, Invoice, InvoiceStatus, Property, Resident


class DraftListings(Protocol):
    def count(self, property_id: str, status: InvoiceStatus) -> int: ...

    def draft_amounts(self, property_id: str) -> list[DraftAmount]: ...

    def draft_refs(self, property_id: str, position: str | None, limit: int) -> tuple[list[DraftRef], str | None]: ...


class InvoiceLookup(Protocol):
    def get(self, invoice_id: str) -> Invoice | None: ...


class ResidentBook(Protocol):
    def get_property(self, property_id: str) -> Property | None: ...

    def all_residents(self, property_id: str) -> Iterable[Resident]: ...


class JobStore(Protocol):
    def create(self, job: PublishJob, replacing: str | None = None) -> None: ...  # JobExists, AnotherJobStarted

    def latest(self, property_id: str) -> PublishJob | None: ...

    def for_property(self, property_id: str, limit: int, cursor: str | None) -> tuple[list[PublishJob], str | None]: ...

    def get(self, job_id: str) -> PublishJob | None: ...

    def get_with_failures(self, job_id: str, max_failures: int) -> PublishJob | None: ...

    def record_fan_out(
        self, job_id: str, seen: FanOutProgress, step: FanOutProgress, enqueued: int, at: datetime, unlisted: int = 0
    ) -> None: ...  # raises FanOutMoved

    def record_chunk(self, job_id: str, message_id: str, tally: ChunkTally, at: datetime) -> bool: ...


class Queue(Protocol):
    def send(self, body: dict[str, Any]) -> None: ...

    def send_all(self, bodies: Sequence[dict[str, Any]]) -> None: ...


class JobDeliveries(Protocol):
    """The invoices a job published and where each one's email stands."""

    def all(self, job_id: str) -> list[JobDelivery]: ...

    def page(self, job_id: str, email: EmailStatus | None, limit: int, cursor: str | None) -> DeliveryPage: ...

    def cursor_after(self, job_id: str, email: EmailStatus | None, row: JobDelivery) -> str: ...


class UnitBook(Protocol):
    def resident_units(self, property_id: str) -> dict[str, str]: ...


class LettersReady(Protocol):
    """How many printable letters of a job are ready (the letters feature's ``LetterCounts``)."""

    def ready_count(self, property_id: str, job_id: str) -> int: ...
