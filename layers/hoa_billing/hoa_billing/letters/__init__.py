"""Printable letters for residents without a usable email address.

``render_letter`` prints one invoice on one page; ``render_letters`` prints a Publish All
job's letters as one PDF behind a cover page that tells the manager what to mail. The
input is ``Letter``: facts already formatted by the caller. The PDF and QR libraries come
from the letters layer and load on the first render, not at import.
"""

from hoa_billing.letters.model import BatchCover, Charge, CheckPayment, Letter, Paper
from hoa_billing.letters.render import render_letter, render_letters
from hoa_billing.letters.text import PLACEHOLDER, unprintable_characters

__all__ = [
    "PLACEHOLDER",
    "BatchCover",
    "Charge",
    "CheckPayment",
    "Letter",
    "Paper",
    "render_letter",
    "render_letters",
    "unprintable_characters",
]
