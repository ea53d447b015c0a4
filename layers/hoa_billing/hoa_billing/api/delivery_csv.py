"""A Publish All job's delivery report as CSV, for a spreadsheet.

One row per invoice: number, resident, unit, amount, email status, address, reason. A
cell a spreadsheet would read as a formula (starting with ``=``, ``+``, ``-``, ``@``, a
tab or a carriage return) is prefixed with a single quote, so a resident's name cannot
run anything on the manager's computer.

A Lambda function answers with at most 6 MB, counted on the response as it travels (the
CSV inside a JSON string, escaped). A part stops before ``BUDGET_BYTES`` of that and
names the rest with a cursor (``X-Next-Cursor``, and a ``Link`` header with
``rel="next"``). A typical row is ~85 bytes (10,000 invoices measured 0.84 MB), one
part; only rows of unusual length (120-character names, 254-character addresses, long
reasons, up to ~1 KB a row) make a job that size take two.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable
from email.message import Message

from hoa_billing.core.money import format_money
from hoa_billing.publish_all import DeliveryLine

HEADER = ("Invoice", "Resident", "Unit", "Amount", "Email status", "Email address", "Reason")
BUDGET_BYTES = 5_000_000
# Rows read for one part: more than any budget holds at the shortest rows.
MAX_ROWS = 100_000
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
STATUS_WORDS = {
    "queued": "Queued",
    "sending": "Queued",
    "sent": "Sent",
    "failed": "Failed",
    "bounced": "Bounced",
    "skipped_no_address": "No email address",
    "not_requested": "Not requested",
}


def safe_cell(value: str) -> str:
    """The cell as text a spreadsheet shows, never evaluates."""
    return "'" + value if value.startswith(FORMULA_START) else value


def _row(line: DeliveryLine) -> list[str]:
    row = line.delivery
    cells = [
        row.number,
        row.resident_name,
        line.unit or "",
        format_money(row.amount_due, row.currency),
        STATUS_WORDS.get(row.email_status.value, row.email_status.value),
        row.email_to or "",
        row.reason or "",
    ]
    return [safe_cell(cell) for cell in cells]


def _line(cells: Iterable[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(cells)
    return out.getvalue()


def _travelling(text: str) -> int:
    """The bytes ``text`` takes inside the JSON response Lambda returns."""
    return len(json.dumps(text)) - 2


def render(
    lines: Iterable[DeliveryLine], resume_after: Callable[[DeliveryLine], str], budget: int = BUDGET_BYTES
) -> tuple[str, str | None]:
    """The CSV text of ``lines`` (header first) up to ``budget`` bytes as it travels, and
    the cursor of the rest (None: every line is in)."""
    parts = ["\ufeff" + _line(HEADER)]  # the BOM: spreadsheets then read UTF-8 names right
    size = _travelling(parts[0])
    last: DeliveryLine | None = None
    for line in lines:
        text = _line(_row(line))
        cost = _travelling(text)
        if last is not None and size + cost > budget:
            return "".join(parts), resume_after(last)
        parts.append(text)
        size += cost
        last = line
    return "".join(parts), None


_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


def filename(job_id: str) -> str:
    """``publish-<job>-deliveries.csv``, the job id reduced to characters any header and
    file system take (ids are already; this holds whatever it is given)."""
    return f"publish-{_UNSAFE.sub('_', job_id)[:80]}-deliveries.csv"


def content_disposition(job_id: str) -> str:
    """The attachment's header value, built by the standard library's header classes."""
    header = Message()
    header.add_header("Content-Disposition", "attachment", filename=filename(job_id))
    return str(header["Content-Disposition"])
