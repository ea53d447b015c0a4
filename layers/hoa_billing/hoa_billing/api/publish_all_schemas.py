"""API models of Publish All Drafts: the confirmation dialog, the request, the job."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field, StrictInt

from hoa_billing.api.schemas import Money, Out, Strict
from hoa_billing.core.jobs import JobFailure, JobState, PublishJob
from hoa_billing.core.models import Actor
from hoa_billing.publish_all import BulkPreview


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
