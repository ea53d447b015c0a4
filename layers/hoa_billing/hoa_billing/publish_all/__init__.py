"""Publish All Drafts: a confirmed count, a job, a fan-out through SQS, and workers that
publish each draft with the same operation as single publish.

1. ``Starts.start`` counts the property's drafts, refuses if the count is not the one the
   manager confirmed, writes the job and enqueues one fan-out request.
2. ``FanOut.run`` lists the drafts a page at a time, reads the property's residents once,
   and sends chunks of ``CHUNK_SIZE`` drafts with their recipients, ten messages per
   SendMessageBatch. It records its progress on the job after every page (conditional on
   the step it started from) and hands over to itself before its time runs out.
3. ``Worker.publish_chunk`` publishes each draft through ``invoices.Publisher`` (one
   conditional write; the row is the email outbox) and counts the chunk once: a marker
   for the SQS message id and the counters in one transaction.

Delivery is at least once everywhere, so every step tolerates repeats.
"""

from __future__ import annotations

from dataclasses import dataclass

from hoa_billing.core.clock import Clock, SystemClock
from hoa_billing.invoices import Publisher
from hoa_billing.publish_all.deliveries import (
    DeliveryCounts,
    DeliveryLine,
    DeliveryReport,
    DeliveryReports,
    DeliveryState,
)
from hoa_billing.publish_all.fan_out import FanOut, FanOutResult
from hoa_billing.publish_all.jobs import MAX_FAILURES_SHOWN, JobReads, job_id_for
from hoa_billing.publish_all.messages import CHUNK_SIZE, Chunk, FanOutRequest, InvoiceRef
from hoa_billing.publish_all.ports import (
    DraftListings,
    InvoiceLookup,
    JobDeliveries,
    JobStore,
    LettersReady,
    Queue,
    ResidentBook,
    UnitBook,
)
from hoa_billing.publish_all.start import BulkPreview, ScheduledRun, Starts
from hoa_billing.publish_all.worker import DEFAULT_MAX_RECEIVE_COUNT, ChunkNotFinished, Worker

__all__ = [
    "CHUNK_SIZE",
    "MAX_FAILURES_SHOWN",
    "BulkPreview",
    "Chunk",
    "ChunkNotFinished",
    "DeliveryCounts",
    "DeliveryLine",
    "DeliveryReport",
    "DeliveryReports",
    "DeliveryState",
    "FanOut",
    "FanOutRequest",
    "FanOutResult",
    "InvoiceRef",
    "JobReads",
    "LettersReady",
    "PublishAll",
    "ScheduledRun",
    "Starts",
    "Worker",
    "job_id_for",
]


@dataclass(frozen=True)
class PublishAll:
    starts: Starts
    fan_out: FanOut
    worker: Worker
    jobs: JobReads
    # The jobs' delivery reports (None when built without their reader).
    delivery_reports: DeliveryReports | None = None

    @property
    def deliveries(self) -> DeliveryReports:
        if self.delivery_reports is None:
            raise RuntimeError("Publish All was built without its delivery reports")
        return self.delivery_reports

    @classmethod
    def build(
        cls,
        *,
        publisher: Publisher,
        invoices: InvoiceLookup,
        listings: DraftListings,
        directory: ResidentBook,
        jobs: JobStore,
        publish_queue: Queue,
        fan_out_queue: Queue,
        clock: Clock | None = None,
        page_size: int | None = None,
        max_receive_count: int | None = None,
        deliveries: JobDeliveries | None = None,
        units: UnitBook | None = None,
        letters: LettersReady | None = None,
    ) -> PublishAll:
        """``deliveries`` and ``units``: the jobs' deliveries and the residents' units, for
        the jobs' delivery reports; ``letters``: the letters feature's count of a job's
        printable letters (None: the report has no such count)."""
        clock = clock or SystemClock()
        fan_out = FanOut(listings, directory, jobs, publish_queue, fan_out_queue, clock)
        if page_size is not None:
            fan_out.page_size = page_size
        return cls(
            starts=Starts(listings, directory, jobs, fan_out_queue, clock),
            fan_out=fan_out,
            worker=Worker(publisher, invoices, jobs, clock, max_receive_count or DEFAULT_MAX_RECEIVE_COUNT),
            jobs=JobReads(jobs),
            delivery_reports=(
                DeliveryReports(jobs, deliveries, units, letters)
                if deliveries is not None and units is not None
                else None
            ),
        )
