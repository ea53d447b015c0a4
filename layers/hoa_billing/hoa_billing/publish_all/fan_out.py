"""The fan-out: list a job's drafts and enqueue them for the workers in chunks, handing
over to a new runner before the function's time runs out, so no size times it out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from hoa_billing.core.clock import Clock, SystemClock, made_after
from hoa_billing.core.jobs import FanOutMoved, FanOutProgress
from hoa_billing.core.models import Recipient
from hoa_billing.publish_all.messages import CHUNK_SIZE, Chunk, FanOutRequest, InvoiceRef
from hoa_billing.publish_all.ports import DraftListings, JobStore, Queue, ResidentBook

# Drafts per fan-out step. A step is a few Query pages per index shard (DynamoDB returns
# up to 1 MB a page) and PAGE_SIZE / 250 SendMessageBatch calls: seconds, far inside the
# function's time. Larger steps mean fewer Queries and fewer job writes per job.
PAGE_SIZE = 10_000
STOP_BELOW_MS = 20_000  # a fan-out runner hands over when less time than this remains


@dataclass
class FanOutResult:
    pages: int = 0
    enqueued: int = 0
    continued: bool = False
    done: bool = False


class FanOut:
    def __init__(
        self,
        listings: DraftListings,
        directory: ResidentBook,
        jobs: JobStore,
        publish_queue: Queue,
        fan_out_queue: Queue,
        clock: Clock | None = None,
        page_size: int = PAGE_SIZE,
    ) -> None:
        self.listings = listings
        self.directory = directory
        self.jobs = jobs
        self.publish_queue = publish_queue
        self.fan_out_queue = fan_out_queue
        self.clock = clock or SystemClock()
        self.page_size = page_size

    def run(self, request: FanOutRequest, remaining_ms: Callable[[], int]) -> FanOutResult:
        """Enqueue the job's drafts page by page until done or nearly out of time.

        Progress is read from the job, not the message, so a repeated or stale request
        resumes where the last recorded page ended. If a runner dies after sending a page
        but before recording it, the page is sent again: nothing is published twice, and
        the message that published a draft is the only one to count it.

        The job takes the drafts it counted, no more and no fewer: a draft created after
        the job started (its id is newer) waits for the next Publish All, at most
        ``total`` drafts are enqueued (the status index may show a draft the count did
        not yet see), and the last step records every counted draft it did not find as
        ``unlisted``: no longer a draft (published singly or deleted meanwhile)."""
        result = FanOutResult()
        job = self.jobs.get(request.job_id)
        if job is None or job.property_id != request.property_id:
            return result  # nothing to do for an unknown job; logged by the caller
        progress = job.fan_out
        if progress.done:
            result.done = True
            return result
        recipients: dict[str, Recipient | None] = {
            resident.resident_id: resident.recipient() for resident in self.directory.all_residents(job.property_id)
        }
        enumerated = job.enumerated
        while not progress.done:
            if remaining_ms() < STOP_BELOW_MS:
                self.fan_out_queue.send(request.model_dump())
                result.continued = True
                return result
            drafts, position = self.listings.draft_refs(job.property_id, progress.position, self.page_size)
            counted = [d for d in drafts if not made_after(d.invoice_id, job.started_at)]
            room = max(0, job.total - enumerated)
            refs = [
                InvoiceRef(
                    id=d.invoice_id,
                    resident_id=d.resident_id,
                    due_date=d.due_date,
                    number=d.number,
                    to=recipients.get(d.resident_id),
                    amount=d.amount_due,
                )
                for d in counted[:room]
            ]
            self.publish_queue.send_all(
                [
                    Chunk(
                        job_id=job.job_id,
                        property_id=job.property_id,
                        actor=job.actor,
                        invoices=refs[i : i + CHUNK_SIZE],
                    ).model_dump(mode="json")
                    for i in range(0, len(refs), CHUNK_SIZE)
                ]
            )
            done = position is None or enumerated + len(refs) >= job.total
            step = FanOutProgress(seq=progress.seq + 1, position=None if done else position, done=done)
            unlisted = job.total - enumerated - len(refs) if done else 0
            try:
                self.jobs.record_fan_out(job.job_id, progress, step, len(refs), self.clock.now(), unlisted=unlisted)
            except FanOutMoved:
                return result  # a newer runner owns this job's fan-out
            progress = step
            enumerated += len(refs)
            result.pages += 1
            result.enqueued += len(refs)
        result.done = True
        return result
