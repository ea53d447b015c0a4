"""What the letters API answers: a short-lived link when the PDF is ready, "preparing"
(and a request queued, once) while it is printed.

An invoice's letter is ready when the stored one was printed from the invoice as it
stands (its version): a payment or an overdue since then prints it again. A job's merged
PDF is ready when it holds every letter listed under the job.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from hoa_billing.core import errors
from hoa_billing.core.clock import Clock, SystemClock
from hoa_billing.core.models import InvoiceStatus
from hoa_billing.letters_delivery.content import file_name
from hoa_billing.letters_delivery.ports import LetterFiles, LetterSources, RequestQueue
from hoa_billing.letters_delivery.printer import digest_of
from hoa_billing.letters_delivery.requests import NOTE_KINDS, Kind, LetterRequest

# A request is queued again only if the last one is older than this: the printer takes
# seconds, so a request this old was lost or failed (its retries go on meanwhile).
ASK_AGAIN_AFTER = timedelta(minutes=2)
# What the 202's Retry-After suggests, in seconds.
INVOICE_RETRY_AFTER = 2
JOB_RETRY_AFTER = 5


@dataclass(frozen=True)
class Link:
    url: str
    expires_at: datetime
    file_name: str


@dataclass(frozen=True)
class Preparing:
    retry_after: int
    letters: int | None = None


@dataclass(frozen=True)
class JobLetters:
    letters: int
    link: Link | None = None


class LetterCounts:
    """How many of a Publish All job's letters are printed: one ListObjectsV2 per thousand.
    What the job's delivery report shows as "letters ready"."""

    def __init__(self, files: LetterFiles) -> None:
        self.files = files

    def ready_count(self, property_id: str, job_id: str) -> int:
        return len(self.files.job_invoice_ids(property_id, job_id))


class LetterLinks:
    def __init__(
        self,
        files: LetterFiles,
        sources: LetterSources,
        queue: RequestQueue,
        link_seconds: int,
        clock: Clock | None = None,
    ) -> None:
        self.files = files
        self.sources = sources
        self.queue = queue
        self.link_seconds = link_seconds
        self.clock = clock or SystemClock()

    def invoice_letter(self, property_id: str, invoice_id: str) -> Link | Preparing:
        invoice = self.sources.invoice(invoice_id)
        if invoice is None or invoice.property_id != property_id:
            raise errors.InvoiceNotFound("No such invoice in this property.", invoice_id=invoice_id)
        if invoice.status is InvoiceStatus.DRAFT:
            raise errors.InvoiceNotPublished(
                "A draft has no letter yet: publish the invoice first.", invoice_id=invoice_id, status=invoice.status
            )
        if invoice.status is InvoiceStatus.VOID:
            raise errors.LetterNotAvailable(
                "The invoice is void: there is nothing to pay, so there is no letter to mail.",
                invoice_id=invoice_id,
                status=invoice.status,
            )
        if self.files.letter_version(property_id, invoice_id) == invoice.version:
            name = file_name(invoice)
            return Link(self.files.letter_link(property_id, invoice_id, name, self.link_seconds), self._expiry(), name)
        self._ask(LetterRequest("invoice", property_id, invoice_id), wanted=f"v{invoice.version}")
        return Preparing(INVOICE_RETRY_AFTER)

    def job_letters(self, property_id: str, job_id: str) -> JobLetters | Preparing:
        job = self.sources.job(job_id)
        if job is None or job.property_id != property_id:
            raise errors.PublishJobNotFound("No such Publish All job in this property.", job_id=job_id)
        invoice_ids = self.files.job_invoice_ids(property_id, job_id)
        if not invoice_ids:
            return JobLetters(0)
        if self.files.batch_digest(property_id, job_id) == digest_of(invoice_ids):
            name = f"letters-{job_id}.pdf"
            link = Link(self.files.batch_link(property_id, job_id, name, self.link_seconds), self._expiry(), name)
            return JobLetters(len(invoice_ids), link)
        self._ask(LetterRequest("job", property_id, job_id), wanted=digest_of(invoice_ids)[:16])
        return Preparing(JOB_RETRY_AFTER, letters=len(invoice_ids))

    def _ask(self, request: LetterRequest, *, wanted: str) -> None:
        """Queue the request unless the same one was queued in the last minutes. Sent
        first, noted after: a note that failed to be written only means a second request
        later. ``wanted`` names what is asked for (the invoice's version, the job's letters):
        a letter printed meanwhile makes a job's PDF asked for earlier out of date, and
        asking for the new set queues at once rather than after the pause."""
        kind: Kind = request.kind
        note = f"{request.subject_id}.{wanted}"
        asked = self.files.asked_at(request.property_id, NOTE_KINDS[kind], note)
        if asked is not None and self.clock.now() - asked < ASK_AGAIN_AFTER:
            return
        self.queue.send(request.body())
        self.files.note_asked(request.property_id, NOTE_KINDS[kind], note)

    def _expiry(self) -> datetime:
        return self.clock.now() + timedelta(seconds=self.link_seconds)
