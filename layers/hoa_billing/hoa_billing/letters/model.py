"""What a printed letter says: already-formatted facts, plain Python, nothing to import.

The caller formats money, dates and addresses (``money.format_money``, the property's
time zone); the renderer only places the strings. Every string is data: it is printed as
it is, never read as markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Paper(StrEnum):
    """The sheet a letter is printed on. US Letter for the United States, A4 elsewhere."""

    LETTER = "letter"
    A4 = "a4"


@dataclass(frozen=True)
class Charge:
    """One line of the invoice: ``Charge("Monthly assessment", "$325.00")``."""

    description: str
    amount: str


@dataclass(frozen=True)
class CheckPayment:
    """Paying by check (cheque): who to make it out to and where to mail it."""

    payable_to: str
    mail_to: tuple[str, ...]


@dataclass(frozen=True)
class Letter:
    """One invoice, printed for a resident who has no usable email address.

    ``pay_url`` goes into the QR code; ``short_url`` is what is printed beside it for
    typing by hand (no scheme needed, e.g. ``maplecourt.example/p/7KQ2``).
    ``return_address`` and ``mailing_address`` are postal lines; without a mailing address
    the letter is addressed to the resident's unit at the property (hand delivery).
    ``check`` is absent when the property takes payments online only. ``paid``: what was
    paid already, printed between ``total`` and ``amount_due`` when they differ.
    """

    property_name: str
    contact_line: str
    resident_name: str
    unit: str
    invoice_number: str
    issue_date: str
    due_date: str
    charges: tuple[Charge, ...]
    total: str
    amount_due: str
    pay_url: str
    short_url: str
    generated_at: str
    return_address: tuple[str, ...] = ()
    mailing_address: tuple[str, ...] = ()
    check: CheckPayment | None = None
    # What was paid already (``"$25.00"``), shown between the total and the amount due.
    paid: str | None = None


@dataclass(frozen=True)
class BatchCover:
    """The first page of a batch: what the manager prints, folds and mails."""

    property_name: str
    job: str
    prepared_at: str
