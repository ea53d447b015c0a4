"""API models of Publish All Drafts: the confirmation dialog, the request, the job, its
delivery report."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, NotRequired, cast

from pydantic import ConfigDict, Field, SerializerFunctionWrapHandler, StrictInt, model_serializer
from typing_extensions import TypedDict  # pydantic reads this one's fields on Python 3.11

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


class DeliveryCountsJson(TypedDict):
    """The counts as they travel: ``letters_ready`` only once the stack prints letters."""

    invoices: Annotated[int, Field(description="Invoices the job published: its published count once it finished.")]
    emailed: Annotated[int, Field(description="Invoices whose email was requested: queued, sent, failed or bounced.")]
    sent: Annotated[int, Field(description="SES accepted the email and no bounce came back (yet).")]
    queued: Annotated[int, Field(description="Waiting to be sent, or being sent now.")]
    failed: Annotated[int, Field(description="SES refused it, or it was given up on: see each item's `reason`.")]
    bounced: Annotated[
        int, Field(description="Sent, then bounced or marked as spam: the address is now marked bouncing.")
    ]
    no_address: Annotated[
        int, Field(description="No usable address (none on file, or bouncing): notify them another way.")
    ]
    not_requested: Annotated[int, Field(description="Published without asking for an email (Publish All always asks).")]
    letters_ready: NotRequired[
        Annotated[
            int,
            Field(
                description="Printed letters ready for the residents the email could not reach (no usable "
                "address, failed or bounced): `GET .../publish-jobs/{job_id}/letters` merges them into one PDF."
            ),
        ]
    ]


class DeliveryCountsOut(Out):
    """Over every invoice the job published, as their emails stand now. ``invoices`` =
    ``emailed`` + ``no_address`` + ``not_requested``; ``emailed`` = ``queued`` + ``sent``
    + ``failed`` + ``bounced``."""

    invoices: int
    emailed: int
    sent: int
    queued: int
    failed: int
    bounced: int
    no_address: int
    not_requested: int
    letters_ready: int | None = None

    @model_serializer(mode="wrap")
    def _known_counts_only(self, handler: SerializerFunctionWrapHandler) -> DeliveryCountsJson:
        # No letters count before the stack prints letters: absent, not a made-up zero.
        data = handler(self)
        if data.get("letters_ready") is None:
            data.pop("letters_ready", None)
        return cast(DeliveryCountsJson, data)

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

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "job_id": "job_01JFDEMO00000000000000000C",
                    "state": "completed",
                    "available": True,
                    "counts": {
                        "invoices": 12,
                        "emailed": 10,
                        "sent": 8,
                        "queued": 0,
                        "failed": 1,
                        "bounced": 1,
                        "no_address": 2,
                        "not_requested": 0,
                    },
                    "items": [
                        {
                            "invoice_id": "inv_01JFDEMO00000000000000000A",
                            "number": "INV-00012",
                            "resident_id": "res_01JFDEMO00000000000000000B",
                            "resident_name": "Pat Lee",
                            "unit": "1A",
                            "amount_due": {"amount": 32500, "currency": "USD", "formatted": "$325.00"},
                            "email_status": "bounced",
                            "email_to": "pat.lee@example.com",
                            "reason": "smtp; 550 5.1.1 user unknown",
                        },
                        {
                            "invoice_id": "inv_01JFDEMO00000000000000000D",
                            "number": "INV-00013",
                            "resident_id": "res_01JFDEMO00000000000000000E",
                            "resident_name": "Sam Ortiz",
                            "unit": "2B",
                            "amount_due": {"amount": 32500, "currency": "USD", "formatted": "$325.00"},
                            "email_status": "skipped_no_address",
                            "email_to": None,
                            "reason": None,
                        },
                    ],
                    "next_cursor": "eyJzY29wZSI6ImV4YW1wbGUifQ",
                }
            ]
        }
    )

    job_id: str
    state: JobState = Field(description="The job's state: while it runs, the counts grow.")
    available: bool = Field(
        description="False for a job started before delivery reports existed: it did not list the invoices it "
        "published, so there are no counts and no items."
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
