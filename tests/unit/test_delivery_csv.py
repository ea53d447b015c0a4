"""The delivery report as CSV: cells a spreadsheet would run are text, the file name is safe
in a header, and a report too large for one Lambda response is cut into parts that
together hold every row once."""

from __future__ import annotations

import csv
import io
import json

import pytest

from hoa_billing.api import delivery_csv
from hoa_billing.core.jobs import JobDelivery
from hoa_billing.core.models import EmailStatus
from hoa_billing.publish_all import DeliveryCounts, DeliveryLine


def line(i: int, *, name: str | None = None, email: str | None = "pat@example.com", reason: str | None = None):
    row = JobDelivery(
        invoice_id=f"inv_{i:06d}",
        number=f"INV-{i:05d}",
        resident_id=f"res_{i}",
        resident_name=name or f"Resident {i}",
        amount_due=32500,
        currency="USD",
        email_status=EmailStatus.FAILED if reason else EmailStatus.SENT,
        email_to=email,
        reason=reason,
    )
    return DeliveryLine(row, unit=f"{i}A")


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_a_spreadsheet_would_evaluate_starts_with_a_quote(start):
    text, rest = delivery_csv.render([line(1, name=f"{start}cmd|' /C calc'!A0")], lambda _: "never")

    assert rest is None
    assert rows_of(text)[1][1] == f"'{start}cmd|' /C calc'!A0"


def test_ordinary_cells_are_left_as_they_are_and_quoted_by_csv_rules():
    text, _ = delivery_csv.render([line(7, name='Lee, "Pat"', reason="550, user unknown")], lambda _: "never")

    header, row = rows_of(text)
    assert header == list(delivery_csv.HEADER)
    assert row == ["INV-00007", 'Lee, "Pat"', "7A", "$325.00", "Failed", "pat@example.com", "550, user unknown"]
    assert text.startswith("\ufeffInvoice,")  # spreadsheets then read UTF-8 as UTF-8
    assert text.endswith("\r\n")


def test_a_report_over_the_budget_ends_where_the_next_part_begins():
    lines = [line(i, name="N" * 120, email=f"{'a' * 240}@example.com", reason="R" * 200) for i in range(1, 101)]
    cut_after: list[str] = []

    def resume_after(last: DeliveryLine) -> str:
        cut_after.append(last.delivery.number)
        return f"after:{last.delivery.number}"

    first, rest = delivery_csv.render(lines, resume_after, budget=20_000)

    shown = [row[0] for row in rows_of(first)[1:]]
    assert rest == f"after:{shown[-1]}" == f"after:{cut_after[0]}"
    assert len(json.dumps(first)) - 2 <= 20_000
    assert len(shown) > 10
    assert shown == [f"INV-{i:05d}" for i in range(1, len(shown) + 1)]
    remaining = [entry for entry in lines if entry.delivery.number > shown[-1]]
    second, _ = delivery_csv.render(remaining, resume_after, budget=20_000)
    assert rows_of(second)[0] == list(delivery_csv.HEADER)  # each part is a CSV of its own
    assert rows_of(second)[1][0] == f"INV-{len(shown) + 1:05d}"


def test_ten_thousand_rows_of_the_longest_fields_still_come_out_in_parts_under_six_megabytes():
    lines = [line(i, name="É" * 120, email=f"{'a' * 240}@example.com", reason="R" * 200) for i in range(1, 10_001)]
    parts, rest, remaining = [], "start", lines
    while rest:
        text, rest = delivery_csv.render(remaining, lambda last: last.delivery.number)
        parts.append(text)
        assert len(json.dumps(text)) < 6 * 1024 * 1024
        if rest:
            remaining = [entry for entry in remaining if entry.delivery.number > rest]
    numbers = [row[0] for part in parts for row in rows_of(part)[1:]]
    assert numbers == [f"INV-{i:05d}" for i in range(1, 10_001)]
    assert len(parts) > 1


@pytest.mark.parametrize(
    ("job_id", "name"),
    [
        ("job_01JFDEMO", "publish-job_01JFDEMO-deliveries.csv"),
        ('job"\r\nSet-Cookie: x=1', "publish-job___Set-Cookie__x_1-deliveries.csv"),
    ],
)
def test_the_file_name_is_safe_in_a_header(job_id, name):
    assert delivery_csv.filename(job_id) == name
    header = delivery_csv.content_disposition(job_id)
    assert header == f'attachment; filename="{name}"'
    assert "\r" not in header
    assert "\n" not in header


def test_counts_add_up_and_a_sending_email_counts_as_queued():
    states = {
        EmailStatus.SENT: 5,
        EmailStatus.SENDING: 1,
        EmailStatus.QUEUED: 2,
        EmailStatus.FAILED: 1,
        EmailStatus.BOUNCED: 1,
        EmailStatus.SKIPPED_NO_ADDRESS: 3,
    }

    counts = DeliveryCounts.of(states)

    assert counts == DeliveryCounts(
        invoices=13, emailed=10, sent=5, queued=3, failed=1, bounced=1, no_address=3, not_requested=0
    )
    assert counts.letters_ready is None
    assert DeliveryCounts.of({}, letters_ready=4).letters_ready == 4
