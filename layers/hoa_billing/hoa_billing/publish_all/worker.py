"""The worker: publish each draft of a chunk with the same operation as single publish,
and count the chunk once."""

from __future__ import annotations

from dataclasses import dataclass, field

from hoa_billing.core import errors
from hoa_billing.core.clock import Clock, SystemClock
from hoa_billing.core.jobs import ChunkTally
from hoa_billing.core.models import InvoiceStatus
from hoa_billing.invoices import Publisher, publish_id_for
from hoa_billing.publish_all.messages import Chunk
from hoa_billing.publish_all.ports import InvoiceLookup, JobStore

DEFAULT_MAX_RECEIVE_COUNT = 5


@dataclass
class _Outcome:
    published: int = 0
    published_amount: int = 0
    published_ids: list[str] = field(default_factory=list)
    skipped: int = 0
    duplicates: int = 0  # published by another message of the same job: not counted here
    failures: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class ChunkNotFinished(Exception):
    """Some publishes in a chunk failed unexpectedly: SQS delivers it again (or, after the
    last attempt, moves it to the dead-letter queue once the failures are recorded)."""


class Worker:
    def __init__(
        self,
        publisher: Publisher,
        invoices: InvoiceLookup,
        jobs: JobStore,
        clock: Clock | None = None,
        max_receive_count: int = DEFAULT_MAX_RECEIVE_COUNT,
    ) -> None:
        self.publisher = publisher
        self.invoices = invoices
        self.jobs = jobs
        self.clock = clock or SystemClock()
        # The queue's maxReceiveCount: on that delivery a chunk's failures are recorded on
        # the job before SQS moves the message to the dead-letter queue.
        self.max_receive_count = max_receive_count

    def publish_chunk(self, chunk: Chunk, message_id: str, *, receive_count: int) -> ChunkTally:
        """Publish a chunk's drafts and count the chunk once.

        Refusals of the domain (not a draft any more, deleted) are skips; other domain
        refusals are failures with their reason. Anything unexpected (throttling past
        the SDK's retries, a bug) leaves the chunk uncounted so SQS delivers it again;
        on the last attempt the failures are recorded first, then it goes to the DLQ.
        """
        final_attempt = receive_count >= self.max_receive_count
        outcome = _Outcome()
        for ref in chunk.invoices:
            try:
                # Per the help article, Publish All emails every resident with an address.
                # The publish is named for this message: its earlier attempt's publish
                # (SQS redelivery, the SDK repeating a write) is recognised as its own.
                self.publisher.publish_draft(
                    ref.draft(chunk.property_id),
                    recipient=ref.to,
                    send_email=True,
                    actor=chunk.actor,
                    job_id=chunk.job_id,
                    publish_id=publish_id_for(ref.id, chunk.actor, f"bulk:{message_id}"),
                    read_back=False,
                )
                outcome.published += 1
                outcome.published_ids.append(ref.id)
                outcome.published_amount += self._amount(ref.amount, ref.id)
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
        tally = ChunkTally(
            outcome.published,
            outcome.skipped,
            outcome.failures,
            chunk.property_id,
            outcome.published_amount,
            outcome.published_ids,
        )
        self.jobs.record_chunk(chunk.job_id, message_id, tally, self.clock.now())
        if outcome.errors:
            raise ChunkNotFinished(f"{len(outcome.errors)} publishes failed on the last attempt; recorded as failed")
        return tally

    def _amount(self, listed: int | None, invoice_id: str) -> int:
        """The published draft's amount: as listed (the publish required it unchanged), or
        read for a message that predates listing it."""
        if listed is not None:
            return listed
        invoice = self.invoices.get(invoice_id)
        return invoice.amount_due if invoice is not None else 0

    def _published_by_job(self, invoice_id: str, job_id: str) -> bool:
        invoice = self.invoices.get(invoice_id)
        if invoice is None:
            return False
        published = [entry for entry in invoice.history if entry.action == "published"]
        return bool(published) and published[-1].details.get("job_id") == job_id
