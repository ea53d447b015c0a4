"""API models of Publish All Drafts: the confirmation dialog, the request, the job, its
delivery report."""

from __future__ import annotations

from datetime import datetime

from typing import Any

from pydantic import Field, SerializerFunctionWrapHandler, StrictInt, model_serializer

from hoa_billing.api.schemas import Money, Out, Strict
from hoa_billing.core.jobs import JobFailure, JobState, PublishJob
from hoa_billing.core.models import Actor
from hoa_billing.publish_all import BulkPreview, DeliveryCounts, DeliveryLine, DeliveryReport, DeliveryState


class PublishAllIn(Strict):
    expected_count: StrictInt = Field(ge=1, description="The draft count the manager confirmed in the dialog.")


class EmailReach(Out):
    with_address: int = Field(description="Drafts whose resident has an address: they get the email.")
    without_address: int = Field(description="Drafts whose resident has none: notify them another way.")


class PublishAllPreviewOut(Out):
    """What the Publish All confirmation dialog shows."""

    count: int
    total: Money
    emails: EmailReach

    @classmethod
    def of(cls, preview: BulkPreview) -> PublishAllPreviewOut:
        return cls(
            count=preview.count,
            total=Money.of(preview.total, preview.currency),
            emails=EmailReach(with_address=preview.with_address, without_address=preview.without_address),
        )


class PublishJobOut(Out):
    job_id: str
    property_id: str
    state: JobState
    total: int = Field(description="Drafts confirmed when the job started.")
    enqueued: int
    published: int
    skipped: int = Field(description="No longer a Draft when its turn came (published or deleted meanwhile).")
    failed: int
    failures: list[JobFailure] = Field(description="Up to 100 failed invoices with the reason.")
    actor: Actor
    started_at: datetime
    finished_at: datetime | None

    @classmethod
    def of(cls, job: PublishJob) -> PublishJobOut:
        return cls(
            job_id=job.job_id,
            property_id=job.property_id,
            state=job.state,
            total=job.total,
            enqueued=job.enumerated,
            published=job.published,
            skipped=job.skipped_all,
            failed=job.failed,
            failures=job.failures,
            actor=job.actor,
            started_at=job.started_at,
            finished_at=job.finished_at,
        )


class PublishAllAccepted(Out):
    job_id: str
    count: int
    state: JobState
    status_url: str = Field(description="The job's progress, as the caller reaches it (also the Location header).")

    @classmethod
    def of(cls, job: PublishJob, status_url: str) -> PublishAllAccepted:
        return cls(job_id=job.job_id, count=job.total, state=job.state, status_url=status_url)


class PublishJobListOut(Out):
    items: list[PublishJobOut] = Field(description="Newest first.")
    next_cursor: str | None


class DeliveryCountsOut(Out):
    """Over every invoice the job published, as their emails stand now. ``invoices`` =
    ``emailed`` + ``no_address`` + ``not_requested``; ``emailed`` = ``queued`` + ``sent``
    + ``failed`` + ``bounced``."""

    invoices: int = Field(description="Invoices the job published: the job's published count once it finished.")
    emailed: int = Field(description="Invoices whose email was requested (queued, sent, failed or bounced).")
    sent: int = Field(description="SES accepted the email and no bounce came back (yet).")
    queued: int = Field(description="Waiting to be sent, or being sent now.")
    failed: int = Field(description="SES refused it, or it was given up on: see each item's `reason`.")
    bounced: int = Field(description="Sent, then bounced or marked as spam: the address is now marked bouncing.")
    no_address: int = Field(description="No usable address (none on file, or bouncing): notify them another way.")
    not_requested: int = Field(description="Published without asking for an email (a Publish All always asks).")
    letters_ready: int | None = Field(
        default=None,
        description="Printable letters ready for the residents without a usable address; absent until the "
        "stack prints letters.",
    )

    @model_serializer(mode="wrap")
    def _known_counts_only(self, handler: SerializerFunctionWrapHandler) -> Any:
        # No letters count before the stack prints letters: absent, not a made-up zero.
        data = handler(self)
        if isinstance(data, dict) and data.get("letters_ready") is None:
            data.pop("letters_ready", None)
        return data

    @classmethod
    def of(cls, counts: DeliveryCounts) -> DeliveryCountsOut:
        return cls(
            invoices=counts.invoices,
            emailed=counts.emailed,
            sent=counts.sent,
            queued=counts.queued,
            failed=counts.failed,
            bounced=counts.bounced,
            no_address=counts.no_address,
            not_requested=counts.not_requested,
            letters_ready=counts.letters_ready,
        )


class DeliveryOut(Out):
    invoice_id: str
    number: str
    resident_id: str
    resident_name: str
    unit: str | None = Field(description="The resident's unit as it is now (None: the resident was removed).")
    amount_due: Money
    email_status: DeliveryState
    email_to: str | None = Field(default=None, description="The address the email was sent to.")
    reason: str | None = Field(default=None, description="Why the email failed or bounced.")

    @classmethod
    def of(cls, line: DeliveryLine) -> DeliveryOut:
        row = line.delivery
        return cls(
            invoice_id=row.invoice_id,
            number=row.number,
            resident_id=row.resident_id,
            resident_name=row.resident_name,
            unit=line.unit,
            amount_due=Money.of(row.amount_due, row.currency),
            email_status=DeliveryState(row.email_status if row.email_status != "sending" else "queued"),
            email_to=row.email_to,
            reason=row.reason,
        )


class JobDeliveriesOut(Out):
    """A Publish All job's delivery report: who was emailed, whose email failed or
    bounced, who has no address."""

    job_id: str
    state: JobState = Field(description="The job's state: while it runs, the counts grow.")
    available: bool = Field(
        description="False for a job started before delivery reports existed: its invoices were not indexed, "
        "so there are no counts and no items."
    )
    counts: DeliveryCountsOut | None
    items: list[DeliveryOut] = Field(description="In invoice-number order; `email=` keeps one email state.")
    next_cursor: str | None

    @classmethod
    def of(cls, report: DeliveryReport) -> JobDeliveriesOut:
        return cls(
            job_id=report.job.job_id,
            state=report.job.state,
            available=report.available,
            counts=DeliveryCountsOut.of(report.counts) if report.counts else None,
            items=[DeliveryOut.of(line) for line in report.lines],
            next_cursor=report.next_cursor,
        )
