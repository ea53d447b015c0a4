"""Publish All Drafts: a confirmed count, a job, a fan-out through SQS, and workers that
publish each draft with the same operation as single publish.

The flow:

1. ``start`` counts the property's drafts, refuses if the count is not the one the
   manager confirmed, writes the job head and enqueues one fan-out request.
2. ``fan_out`` pages through the sharded status index (``drafts_page``), reads the
   property's residents once, and sends chunks of ``CHUNK_SIZE`` invoice references, each
   with its recipient, ten messages per SendMessageBatch. It records its shard positions
   on the job after every page (conditional on the sequence it started from) and, when
   its time is nearly up, enqueues its own continuation: any number of drafts, no timeout.
3. ``publish_chunk`` publishes each reference through ``InvoiceService.publish_draft``
   (one conditional UpdateItem; the row is the email outbox) and counts the chunk once:
   a marker for the SQS message id and the counters in one transaction.

Delivery is at least once everywhere, so every step tolerates repeats. A message
delivered twice is counted once (its marker). A draft published or deleted meanwhile is
skipped; the conditional write makes a second publish impossible, so no second email.
If a fan-out runner dies after sending a page but before recording it, the page is sent
again: nothing is published twice, and the message that published a draft is the only
one to count it (each publish is named for its message), so the job's counts add up
to its total.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import Field

from hoa_billing import errors
from hoa_billing.clock import Clock, derived_id, iso, new_id
from hoa_billing.dal.invoices import STATUS_SHARDS
from hoa_billing.dal.jobs import ChunkTally, FanOutMoved, JobExists, PublishJobRepository
from hoa_billing.dal.queues import MessageQueue
from hoa_billing.models import Actor, ActorKind, InvoiceStatus, Model, Recipient, Resident
from hoa_billing.service import DraftToPublish, InvoiceService, publish_id_for, recipient_of

CHUNK_SIZE = 25  # invoices per worker message: one counter write per 25 publishes
# Index rows per fan-out step. A step is a few Query pages per shard (DynamoDB returns up
# to 1 MB a page) and PAGE_SIZE / 250 SendMessageBatch calls: seconds, far inside the
# function's time. Larger steps mean fewer Queries and fewer job writes per job.
PAGE_SIZE = 10_000
STOP_BELOW_MS = 20_000  # a fan-out runner hands over when less time than this remains
MAX_FAILURES_SHOWN = 100
DONE = "done"


class JobState(StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    COMPLETED_WITH_ERRORS = "completed_with_errors"


def job_id_for(property_id: str, actor: Actor, request_key: str) -> str:
    """The same Publish All request (key, caller, property) always names the same job."""
    return derived_id("job", property_id, actor.kind, actor.id, request_key)


# -- messages ------------------------------------------------------------------------


class InvoiceRef(Model):
    id: str
    resident_id: str
    due_date: str
    to: Recipient | None = None


class Chunk(Model):
    """One worker message: up to CHUNK_SIZE drafts of one job, with their recipients."""

    job_id: str
    property_id: str
    actor: Actor
    invoices: list[InvoiceRef] = Field(min_length=1, max_length=CHUNK_SIZE)


class FanOutRequest(Model):
    job_id: str
    property_id: str


# -- the job as people see it --------------------------------------------------------


class JobFailure(Model):
    invoice_id: str
    reason: str


class PublishJob(Model):
    job_id: str
    property_id: str
    actor: Actor
    total: int
    enumerated: int = 0
    published: int = 0
    skipped: int = 0
    failed: int = 0
    fanout_done: bool = False
    started_at: datetime
    updated_at: datetime
    failures: list[JobFailure] = Field(default_factory=list)

    @property
    def processed(self) -> int:
        return self.published + self.skipped + self.failed

    @property
    def state(self) -> JobState:
        if not self.fanout_done or self.processed < self.enumerated:
            return JobState.RUNNING
        return JobState.COMPLETED_WITH_ERRORS if self.failed else JobState.COMPLETED

    @property
    def finished_at(self) -> datetime | None:
        # Every counter write stamps updated_at, so the last one is when the job finished.
        return None if self.state is JobState.RUNNING else self.updated_at


@dataclass(frozen=True)
class BulkPreview:
    count: int
    total: int
    currency: str
    with_address: int
    without_address: int


@dataclass
class FanOutResult:
    pages: int = 0
    enqueued: int = 0
    continued: bool = False
    done: bool = False


@dataclass
class ScheduledRun:
    property_id: str
    outcome: str
    job_id: str | None = None
    count: int = 0


@dataclass
class _Outcome:
    published: int = 0
    skipped: int = 0
    duplicates: int = 0  # published by another message of the same job: not counted here
    failures: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class ChunkNotFinished(Exception):
    """Some publishes in a chunk failed unexpectedly: SQS delivers it again (or, after the
    last attempt, moves it to the dead-letter queue once the failures are recorded)."""


class BulkPublisher:
    def __init__(
        self,
        service: InvoiceService,
        jobs: PublishJobRepository,
        publish_queue: MessageQueue,
        fan_out_queue: MessageQueue,
        clock: Clock | None = None,
    ) -> None:
        self.service = service
        self.jobs = jobs
        self.publish_queue = publish_queue
        self.fan_out_queue = fan_out_queue
        self.clock = clock or service.clock

    # -- the confirmation dialog ----------------------------------------------------

    def preview(self, property_id: str) -> BulkPreview:
        prop = self.service.require_property(property_id)
        drafts = list(self._draft_rows(property_id, ["amount_due", "resident_id"]))
        recipients = self._recipients(property_id)
        with_address = sum(1 for row in drafts if recipients.get(row["resident_id"]) is not None)
        return BulkPreview(
            count=len(drafts),
            total=sum(int(row["amount_due"]) for row in drafts),
            currency=prop.currency,
            with_address=with_address,
            without_address=len(drafts) - with_address,
        )

    # -- starting a job -------------------------------------------------------------

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
        self.service.require_property(property_id)
        if resume and job_id is not None:
            existing = self._resumable(job_id, property_id)
            if existing is not None:
                return existing
        count = self.service.invoices.count_property(property_id, InvoiceStatus.DRAFT)
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
        now = iso(self.clock.now())
        job_id = job_id or new_id("job")
        head: dict[str, Any] = {
            "job_id": job_id,
            "property_id": property_id,
            "actor": actor.model_dump(mode="json", exclude_none=True),
            "total": count,
            "enumerated": 0,
            "published": 0,
            "skipped": 0,
            "failed": 0,
            "fanout_seq": 0,
            "fanout_positions": {},
            "fanout_done": False,
            "started_at": now,
            "updated_at": now,
        }
        try:
            self.jobs.create(head)
        except JobExists:
            # The SDK repeated a create whose answer was lost, or another attempt won.
            existing = self._resumable(job_id, property_id) if resume else None
            if existing is None:
                raise
            return existing
        self.fan_out_queue.send(FanOutRequest(job_id=job_id, property_id=property_id).model_dump())
        return PublishJob.model_validate(head)

    def _resumable(self, job_id: str, property_id: str) -> PublishJob | None:
        head = self.jobs.head(job_id)
        if head is None or head["property_id"] != property_id:
            return None  # job ids name property and caller, so this is not a repeat
        if not head["fanout_done"]:
            self.fan_out_queue.send(FanOutRequest(job_id=job_id, property_id=property_id).model_dump())
        return PublishJob.model_validate(head)

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
            except errors.PropertyNotFound:
                runs.append(ScheduledRun(property_id, "property_not_found"))
        return runs

    def job(self, property_id: str, job_id: str) -> PublishJob:
        head, failures = self.jobs.head_with_failures(job_id, MAX_FAILURES_SHOWN)
        if head is None or head["property_id"] != property_id:
            raise errors.PublishJobNotFound(f"Publish job {job_id} was not found.", job_id=job_id)
        shown = [JobFailure(invoice_id=item["sk"].split("#", 1)[1], reason=item["reason"]) for item in failures]
        return PublishJob.model_validate({**head, "failures": shown})

    # -- fan-out --------------------------------------------------------------------

    def fan_out(self, request: FanOutRequest, remaining_ms: Callable[[], int]) -> FanOutResult:
        """Enqueue the job's drafts page by page until done or nearly out of time.

        Progress is read from the job head, not the message, so a repeated or stale
        request resumes where the last recorded page ended."""
        result = FanOutResult()
        head = self.jobs.head(request.job_id)
        if head is None or head["property_id"] != request.property_id:
            return result  # nothing to do for an unknown job; logged by the caller
        if head["fanout_done"]:
            result.done = True
            return result
        seq = int(head["fanout_seq"])
        positions: dict[str, Any] = dict(head["fanout_positions"])
        actor = Actor.model_validate(head["actor"])
        recipients = self._recipients(request.property_id)
        while not self._all_done(positions):
            if remaining_ms() < STOP_BELOW_MS:
                self.fan_out_queue.send(request.model_dump())
                result.continued = True
                return result
            # Gather up to PAGE_SIZE drafts across shards, so chunks are full even when
            # each shard holds only a few.
            refs: list[InvoiceRef] = []
            for shard in range(STATUS_SHARDS):
                while positions.get(str(shard)) != DONE and len(refs) < PAGE_SIZE:
                    start = positions.get(str(shard)) or None
                    rows, last = self.service.invoices.drafts_page(
                        request.property_id, shard, start, PAGE_SIZE - len(refs)
                    )
                    refs += [
                        InvoiceRef(
                            id=row["invoice_id"],
                            resident_id=row["resident_id"],
                            due_date=row["due_date"],
                            to=recipients.get(row["resident_id"]),
                        )
                        for row in rows
                    ]
                    positions[str(shard)] = last if last else DONE
            self.publish_queue.send_all(
                [
                    Chunk(
                        job_id=request.job_id,
                        property_id=request.property_id,
                        actor=actor,
                        invoices=refs[i : i + CHUNK_SIZE],
                    ).model_dump(mode="json")
                    for i in range(0, len(refs), CHUNK_SIZE)
                ]
            )
            try:
                self.jobs.record_fan_out(
                    request.job_id,
                    seq=seq,
                    positions=positions,
                    enqueued=len(refs),
                    done=self._all_done(positions),
                    now=iso(self.clock.now()),
                )
            except FanOutMoved:
                return result  # a newer runner owns this job's fan-out
            seq += 1
            result.pages += 1
            result.enqueued += len(refs)
        result.done = True
        return result

    # -- the worker -----------------------------------------------------------------

    def publish_chunk(self, chunk: Chunk, message_id: str, *, receive_count: int, final_attempt: bool) -> ChunkTally:
        """Publish a chunk's drafts and count the chunk once.

        Refusals of the domain (not a draft any more, deleted) are skips; other domain
        refusals are failures with their reason. Anything unexpected (throttling past
        the SDK's retries, a bug) leaves the chunk uncounted so SQS delivers it again;
        on the last attempt the failures are recorded first, then it goes to the DLQ.
        """
        outcome = _Outcome()
        for ref in chunk.invoices:
            draft = DraftToPublish(ref.id, chunk.property_id, ref.resident_id, ref.due_date)
            try:
                # Per the help article, Publish All emails every resident with an address.
                # The publish is named for this message: its earlier attempt's publish
                # (SQS redelivery, the SDK repeating a write) is recognised as its own.
                self.service.publish_draft(
                    draft,
                    recipient=ref.to,
                    send_email=True,
                    actor=chunk.actor,
                    job_id=chunk.job_id,
                    publish_id=publish_id_for(ref.id, chunk.actor, f"bulk:{message_id}"),
                    read_back=False,
                )
                outcome.published += 1
            except errors.InvoiceNotDraft as refused:
                if refused.details.get("status") == InvoiceStatus.DRAFT.value:
                    outcome.failures.append((ref.id, "invoice_changed: the draft no longer matches what was queued"))
                elif self._published_by_job(ref.id, chunk.job_id):
                    # Another message of this job published it and counts it: the same
                    # page sent twice (a lost SendMessageBatch answer, a fan-out that
                    # died before recording its page). Counting it here would count twice.
                    outcome.duplicates += 1
                else:
                    outcome.skipped += 1
            except errors.InvoiceNotFound:
                outcome.skipped += 1  # deleted meanwhile
            except errors.DomainError as refused:
                outcome.failures.append((ref.id, f"{refused.code}: {refused.message}"))
            except Exception as exc:
                reason = f"{type(exc).__name__}: {exc}"[:300]
                outcome.errors.append(ref.id)
                if final_attempt:
                    outcome.failures.append((ref.id, reason))
        if outcome.errors and not final_attempt:
            raise ChunkNotFinished(f"{len(outcome.errors)} publishes failed; the message will be delivered again")
        now = self.clock.now()
        tally = ChunkTally(outcome.published, outcome.skipped, outcome.failures)
        self.jobs.record_chunk(
            chunk.job_id,
            message_id,
            tally,
            now=iso(now),
            expires_at=int((now + timedelta(days=30)).timestamp()),
        )
        if outcome.errors:
            raise ChunkNotFinished(f"{len(outcome.errors)} publishes failed on the last attempt; recorded as failed")
        return tally

    # -- helpers --------------------------------------------------------------------

    @staticmethod
    def _all_done(positions: dict[str, Any]) -> bool:
        return all(positions.get(str(shard)) == DONE for shard in range(STATUS_SHARDS))

    def _draft_rows(self, property_id: str, fields: list[str]) -> Iterable[dict[str, Any]]:
        return self.service.invoices.scan_property(property_id, fields, InvoiceStatus.DRAFT)

    def _recipients(self, property_id: str) -> dict[str, Recipient | None]:
        residents: Iterable[Resident] = self.service.directory.all_residents(property_id)
        return {resident.resident_id: recipient_of(resident) for resident in residents}

    def _published_by_job(self, invoice_id: str, job_id: str) -> bool:
        invoice = self.service.invoices.get(invoice_id)
        if invoice is None:
            return False
        published = [entry for entry in invoice.history if entry.action == "published"]
        return bool(published) and published[-1].details.get("job_id") == job_id
