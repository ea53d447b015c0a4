"""Printing letters: from the invoices table's stream (a resident the email cannot reach)
and on request (an invoice's letter, a Publish All job's merged PDF).

Exactly once per invoice: the letter's key is the invoice's, and a stream record finds
the letter already there before it renders (a redelivered record prints nothing). The
job's marker is written after the letter, so a job never lists a letter that is not
stored; writing it again is harmless.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from hoa_billing.core.clock import Clock, SystemClock
from hoa_billing.core.lifecycle import PUBLISHED
from hoa_billing.core.models import EmailStatus, Invoice, InvoiceStatus
from hoa_billing.core.observability import logger
from hoa_billing.letters import BatchCover, render_letter, render_letters
from hoa_billing.letters_delivery.content import letter_for, moment
from hoa_billing.letters_delivery.ports import LetterFiles, LetterSources
from hoa_billing.letters_delivery.requests import LetterRequest

# The email states that leave a resident without a usable address: none or a bouncing
# one at publish, or an email that ended failed or bounced. The template's stream filter
# selects the same (a test compares them).
UNREACHABLE = frozenset({EmailStatus.SKIPPED_NO_ADDRESS, EmailStatus.FAILED, EmailStatus.BOUNCED})
# A void invoice is not mailed; a paid one may be asked for (it shows nothing due).
PRINTABLE = frozenset(PUBLISHED) - {InvoiceStatus.VOID}


def job_of(invoice: Invoice) -> str | None:
    """The Publish All job that published the invoice (its history says), if one did."""
    for entry in invoice.history:
        if entry.action == "published":
            job_id = entry.details.get("job_id")
            return str(job_id) if job_id else None
    return None


def digest_of(invoice_ids: Sequence[str]) -> str:
    """What a merged PDF was printed from: the job's letters when it was made."""
    return hashlib.sha256("\n".join(sorted(invoice_ids)).encode()).hexdigest()[:32]


@dataclass(frozen=True)
class StreamOutcome:
    printed: int
    already: int
    failed: list[str]  # sequence numbers to report as batch item failures


class LetterPrinter:
    def __init__(
        self, files: LetterFiles, sources: LetterSources, portal_base_url: str, clock: Clock | None = None
    ) -> None:
        self.files = files
        self.sources = sources
        self.portal_base_url = portal_base_url
        self.clock = clock or SystemClock()

    # -- the stream --------------------------------------------------------------------

    def print_unreachable(self, records: Sequence[dict[str, Any]]) -> StreamOutcome:
        """One letter per record's invoice, in order. The first record that fails is
        reported and the rest left: Lambda retries from the first failure onwards."""
        printed = already = 0
        for record in records:
            try:
                if self._print_from_record(record):
                    printed += 1
                else:
                    already += 1
            except Exception:
                logger.exception("letter not printed; the record is retried", event_id=record.get("eventID"))
                return StreamOutcome(printed, already, [_sequence(record)])
        return StreamOutcome(printed, already, [])

    def _print_from_record(self, record: dict[str, Any]) -> bool:
        invoice = self.sources.invoice_in(record)
        if invoice.email_status not in UNREACHABLE or invoice.status not in PRINTABLE:
            logger.warning("stream record is not a letter to print", invoice_id=invoice.invoice_id)
            return False
        printed = False
        if self.files.letter_version(invoice.property_id, invoice.invoice_id) is None:
            self._print(invoice)
            printed = True
        job_id = job_of(invoice)
        if job_id:
            self.files.add_to_job(invoice.property_id, job_id, invoice.invoice_id)
        logger.info(
            "letter printed" if printed else "letter already printed",
            invoice_id=invoice.invoice_id,
            email_status=invoice.email_status.value,
            job_id=job_id,
        )
        return printed

    # -- requests ----------------------------------------------------------------------

    def handle(self, request: LetterRequest) -> int:
        """Do what a queue message asks; how many letters were printed."""
        if request.kind == "invoice":
            return 1 if self.print_invoice(request.property_id, request.subject_id) else 0
        return self.print_job(request.property_id, request.subject_id)

    def print_invoice(self, property_id: str, invoice_id: str) -> bool:
        """The invoice's letter as it stands now, unless the stored one is of this version;
        whether it printed."""
        invoice = self.sources.invoice(invoice_id)
        if invoice is None or invoice.property_id != property_id or invoice.status not in PRINTABLE:
            logger.warning("letter request for no printable invoice", invoice_id=invoice_id, property_id=property_id)
            return False
        printed = False
        if self.files.letter_version(property_id, invoice_id) != invoice.version:
            self._print(invoice)
            printed = True
            logger.info("letter printed on request", invoice_id=invoice_id, version=invoice.version)
        # A resident the email could not reach belongs in the job's letters, as when the
        # stream printed it (this is how a stream record given up on is made good).
        job_id = job_of(invoice)
        if job_id and invoice.email_status in UNREACHABLE:
            self.files.add_to_job(property_id, job_id, invoice_id)
        return printed

    def print_job(self, property_id: str, job_id: str) -> int:
        """The job's letters merged behind a cover, printed again from the invoices as
        they stand. Nothing when the stored PDF already holds every letter listed."""
        invoice_ids = self.files.job_invoice_ids(property_id, job_id)
        if not invoice_ids:
            return 0
        digest = digest_of(invoice_ids)
        if self.files.batch_digest(property_id, job_id) == digest:
            return 0
        invoices = [i for i in self.sources.invoices(invoice_ids) if i.property_id == property_id]
        residents = self.sources.residents(property_id, {invoice.resident_id for invoice in invoices})
        prop = self.sources.property(property_id)
        now = self.clock.now()
        letters = [
            letter_for(invoice, residents.get(invoice.resident_id), prop, self.portal_base_url, now)
            for invoice in sorted(invoices, key=lambda i: (_unit(residents, i), i.resident_name, i.number))
        ]
        if not letters:
            return 0
        time_zone = prop.time_zone if prop else invoices[0].time_zone
        cover = BatchCover(
            property_name=prop.name if prop else invoices[0].property_name,
            job=job_id,
            prepared_at=moment(now, time_zone),
        )
        self.files.put_batch(property_id, job_id, render_letters(letters, cover), digest=digest, letters=len(letters))
        logger.info("job letters merged", job_id=job_id, letters=len(letters))
        return len(letters)

    def _print(self, invoice: Invoice) -> None:
        residents = self.sources.residents(invoice.property_id, [invoice.resident_id])
        prop = self.sources.property(invoice.property_id)
        letter = letter_for(invoice, residents.get(invoice.resident_id), prop, self.portal_base_url, self.clock.now())
        self.files.put_letter(invoice.property_id, invoice.invoice_id, render_letter(letter), version=invoice.version)


def _unit(residents: dict[str, Any], invoice: Invoice) -> tuple[tuple[int, str], ...]:
    """The resident's unit as a person sorts it: 2B, 4A, 12C (numbers by value)."""
    resident = residents.get(invoice.resident_id)
    unit = resident.unit if resident else ""
    return tuple(
        (int(part), "") if part.isdigit() else (0, part.casefold()) for part in re.split(r"(\d+)", unit) if part
    )


def _sequence(record: dict[str, Any]) -> str:
    return str((record.get("dynamodb") or {}).get("SequenceNumber", ""))
