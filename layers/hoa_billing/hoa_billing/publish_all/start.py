"""Starting Publish All: the dialog's preview, the confirmed start (from the Invoices
page or a schedule), and resuming a start that died midway."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from hoa_billing.core import errors
from hoa_billing.core.clock import Clock, SystemClock, new_id
from hoa_billing.core.jobs import AnotherJobStarted, JobExists, JobState, PublishJob
from hoa_billing.core.models import Actor, ActorKind, InvoiceStatus
from hoa_billing.invoices import require_property
from hoa_billing.publish_all.messages import FanOutRequest
from hoa_billing.publish_all.ports import DraftListings, JobStore, Queue, ResidentBook


@dataclass(frozen=True)
class BulkPreview:
    """What the Publish All confirmation dialog shows."""

    count: int
    total: int
    currency: str
    with_address: int
    without_address: int


@dataclass
class ScheduledRun:
    property_id: str
    outcome: str
    job_id: str | None = None
    count: int = 0


class Starts:
    def __init__(
        self,
        listings: DraftListings,
        directory: ResidentBook,
        jobs: JobStore,
        fan_out_queue: Queue,
        clock: Clock | None = None,
    ) -> None:
        self.listings = listings
        self.directory = directory
        self.jobs = jobs
        self.fan_out_queue = fan_out_queue
        self.clock = clock or SystemClock()

    def preview(self, property_id: str) -> BulkPreview:
        prop = require_property(self.directory, property_id)
        drafts = self.listings.draft_amounts(property_id)
        reachable = {r.resident_id for r in self.directory.all_residents(property_id) if r.recipient() is not None}
        with_address = sum(1 for draft in drafts if draft.resident_id in reachable)
        return BulkPreview(
            count=len(drafts),
            total=sum(draft.amount_due for draft in drafts),
            currency=prop.currency,
            with_address=with_address,
            without_address=len(drafts) - with_address,
        )

    def start(
        self,
        property_id: str,
        expected_count: int | None,
        actor: Actor,
        job_id: str | None = None,
        *,
        resume: bool = False,
    ) -> PublishJob:
        """Start publishing every draft of the property. ``expected_count`` is what the
        manager confirmed; None (the schedule) takes whatever is there.

        ``resume``: ``job_id`` names this request (``job_id_for`` its Idempotency-Key),
        and a job already created under it is this request's own, made by an attempt
        that died or lost its answer before it could reply. That job is returned and
        its fan-out requested again (a repeated request resumes from the job's recorded
        progress), instead of a second job racing the first for the same drafts."""
        require_property(self.directory, property_id)
        if resume and job_id is not None:
            existing = self._resumable(job_id, property_id)
            if existing is not None:
                return existing
        latest = self.jobs.latest(property_id)
        if latest is not None and latest.state is JobState.RUNNING:
            raise _running(latest.job_id)
        count = self.listings.count(property_id, InvoiceStatus.DRAFT)
        if count == 0:
            raise errors.NoDraftsToPublish(
                "This property has no draft invoices, so there is nothing to publish.", current_count=0
            )
        if expected_count is not None and count != expected_count:
            raise errors.DraftCountChanged(
                f"The number of drafts changed from {expected_count} to {count} since you opened the dialog. "
                "Review the drafts and confirm again.",
                current_count=count,
                expected_count=expected_count,
            )
        now = self.clock.now()
        job = PublishJob(
            job_id=job_id or new_id("job"),
            property_id=property_id,
            actor=actor,
            total=count,
            started_at=now,
            updated_at=now,
        )
        try:
            self.jobs.create(job, replacing=latest.job_id if latest else None)
        except AnotherJobStarted as other:
            raise _running(other.job_id) from None
        except JobExists:
            # The SDK repeated a create whose answer was lost, or another attempt won.
            existing = self._resumable(job.job_id, property_id) if resume else None
            if existing is None:
                raise
            return existing
        self._request_fan_out(job)
        return job

    def _resumable(self, job_id: str, property_id: str) -> PublishJob | None:
        job = self.jobs.get(job_id)
        if job is None or job.property_id != property_id:
            return None  # job ids name property and caller, so this is not a repeat
        if not job.fan_out.done:
            self._request_fan_out(job)
        return job

    def _request_fan_out(self, job: PublishJob) -> None:
        self.fan_out_queue.send(FanOutRequest(job_id=job.job_id, property_id=job.property_id).model_dump())

    def start_scheduled(self, property_ids: Iterable[str], schedule: str) -> list[ScheduledRun]:
        """The scheduled bulk publish: one job per property per day, so a repeated
        delivery of the same schedule event starts nothing twice.

        A delivery that finds today's job already there resumes it rather than walking
        away: if the run that created it died before its fan-out request was sent (or
        the request was lost), this is what gets the drafts published. Fan-out reads its
        progress from the job, so an extra request for a job in progress changes nothing."""
        actor = Actor(kind=ActorKind.SCHEDULE, id=schedule, name="Scheduled Publish All")
        day = self.clock.now().strftime("%Y%m%d")
        runs = []
        for property_id in property_ids:
            job_id = f"job_{property_id}_{day}"
            existing = self._resumable(job_id, property_id)
            if existing is not None:
                runs.append(ScheduledRun(property_id, "already_started", job_id, existing.total))
                continue
            try:
                job = self.start(property_id, None, actor, job_id=job_id, resume=True)
                runs.append(ScheduledRun(property_id, "started", job.job_id, job.total))
            except errors.NoDraftsToPublish:
                runs.append(ScheduledRun(property_id, "no_drafts"))
            except errors.PublishAllRunning as running:
                runs.append(ScheduledRun(property_id, "already_running", running.details.get("job_id")))
            except errors.PropertyNotFound:
                runs.append(ScheduledRun(property_id, "property_not_found"))
        return runs


def _running(job_id: str | None) -> errors.PublishAllRunning:
    return errors.PublishAllRunning(
        "A Publish All of this property is still running. Follow it, or wait for it to finish.", job_id=job_id
    )
