"""A Publish All job's delivery report: which residents were emailed, whose email failed
or bounced, and who has no address, with counts that add up to what the job published.

The counts and the rows come from the invoices the job's manifest lists (the invoices
themselves, as their email states stand now), not from the job's own counters: an email
that bounces a day later shows as bounced here. Letters for residents without a usable address are
counted by the letters feature when it is given (``LettersReady``); until then the
report has no such count.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from hoa_billing.core import errors
from hoa_billing.core.jobs import JobDelivery, PublishJob
from hoa_billing.core.models import EmailStatus
from hoa_billing.publish_all.ports import JobDeliveries, JobStore, LettersReady, UnitBook


class DeliveryState(StrEnum):
    """What ``email=`` may ask for: an email state a delivery can be in (``sending``
    shows as ``queued``)."""

    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"
    BOUNCED = "bounced"
    SKIPPED_NO_ADDRESS = "skipped_no_address"
    NOT_REQUESTED = "not_requested"


@dataclass(frozen=True)
class DeliveryCounts:
    """``invoices`` = ``emailed`` + ``no_address`` + ``not_requested``; ``emailed`` (an
    email was requested) = ``queued`` + ``sent`` + ``failed`` + ``bounced``."""

    invoices: int
    emailed: int
    sent: int
    queued: int
    failed: int
    bounced: int
    no_address: int
    not_requested: int
    letters_ready: int | None = None

    @classmethod
    def of(cls, states: dict[EmailStatus, int], letters_ready: int | None = None) -> DeliveryCounts:
        def count(*wanted: EmailStatus) -> int:
            return sum(states.get(state, 0) for state in wanted)

        emailed = (EmailStatus.QUEUED, EmailStatus.SENDING, EmailStatus.SENT, EmailStatus.FAILED, EmailStatus.BOUNCED)
        return cls(
            invoices=sum(states.values()),
            emailed=count(*emailed),
            sent=count(EmailStatus.SENT),
            queued=count(EmailStatus.QUEUED, EmailStatus.SENDING),
            failed=count(EmailStatus.FAILED),
            bounced=count(EmailStatus.BOUNCED),
            no_address=count(EmailStatus.SKIPPED_NO_ADDRESS),
            not_requested=count(EmailStatus.NOT_REQUESTED),
            letters_ready=letters_ready,
        )


@dataclass(frozen=True)
class DeliveryLine:
    """One row of the report: the invoice's delivery and the resident's unit."""

    delivery: JobDelivery
    unit: str | None


@dataclass(frozen=True)
class DeliveryReport:
    job: PublishJob
    available: bool
    counts: DeliveryCounts | None
    lines: list[DeliveryLine]
    next_cursor: str | None


class DeliveryReports:
    def __init__(
        self,
        jobs: JobStore,
        deliveries: JobDeliveries,
        units: UnitBook,
        letters: LettersReady | None = None,
    ) -> None:
        self.jobs = jobs
        self.deliveries = deliveries
        self.units = units
        # The letters feature's count of the job's printed letters; None: no count.
        self.letters = letters

    def _job(self, property_id: str, job_id: str) -> PublishJob:
        job = self.jobs.get(job_id)
        if job is None or job.property_id != property_id:
            raise errors.PublishJobNotFound(f"Publish job {job_id} was not found.", job_id=job_id)
        return job

    def report(
        self, property_id: str, job_id: str, email: DeliveryState | None, limit: int, cursor: str | None
    ) -> DeliveryReport:
        """A page of the job's deliveries (only those in ``email``'s state, when given)
        and the counts over all of them. A job started before its markers listed what
        each message published has no report: ``available`` is False and nothing else is
        said."""
        job = self._job(property_id, job_id)
        if not job.deliveries_listed:
            return DeliveryReport(job, False, None, [], None)
        page = self.deliveries.page(job_id, EmailStatus(email) if email else None, limit, cursor)
        letters = self.letters.ready_count(property_id, job_id) if self.letters is not None else None
        return DeliveryReport(
            job, True, DeliveryCounts.of(page.states, letters), self._lines(property_id, page.rows), page.next_cursor
        )

    def resume_after(self, job_id: str, email: DeliveryState | None, line: DeliveryLine) -> str:
        """A cursor for the deliveries after ``line`` (a part of a report cut short)."""
        return self.deliveries.cursor_after(job_id, EmailStatus(email) if email else None, line.delivery)

    def _lines(self, property_id: str, rows: list[JobDelivery]) -> list[DeliveryLine]:
        units = self.units.resident_units(property_id) if rows else {}
        return [DeliveryLine(row, units.get(row.resident_id)) for row in rows]
