"""Printable letters for residents the email cannot reach, delivered: printed when the
invoices table's stream shows a publish without a usable address (none, or bouncing) or
an email that ended failed or bounced; merged per Publish All job; printed on request;
handed out as short-lived links.

``LetterPrinter`` prints (the printer function); ``LetterLinks`` answers the letters API;
``LetterCounts.ready_count(property_id, job_id)`` counts a job's printed letters (the
delivery report's "letters ready"). Storage (S3, the tables) comes through ``ports``; the
PDF itself from ``hoa_billing.letters``.
"""

from __future__ import annotations

from hoa_billing.letters_delivery.content import letter_for, pay_url
from hoa_billing.letters_delivery.links import JobLetters, LetterCounts, LetterLinks, Link, Preparing
from hoa_billing.letters_delivery.ports import LetterFiles, LetterSources, RequestQueue
from hoa_billing.letters_delivery.printer import UNREACHABLE, LetterPrinter, StreamOutcome, job_of
from hoa_billing.letters_delivery.requests import LetterRequest

__all__ = [
    "UNREACHABLE",
    "JobLetters",
    "LetterCounts",
    "LetterFiles",
    "LetterLinks",
    "LetterPrinter",
    "LetterRequest",
    "LetterSources",
    "Link",
    "Preparing",
    "RequestQueue",
    "StreamOutcome",
    "job_of",
    "letter_for",
    "pay_url",
]
