"""Render what the letter printer stores, from invoices as the system holds them: one
invoice's letter and a Publish All job's merged letters, to docs/letters/delivered-*.pdf,
with PNG pictures of every page (pdftoppm, from Debian's poppler-utils):

    .venv/bin/python scripts/render_delivered_letter_samples.py

It runs ``LetterPrinter`` itself over in-memory storage: the same content (money, dates in
the property's time zone, the contact line, the pay page) the deployed printer writes to S3.
"""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "layers" / "hoa_billing"))
sys.path.insert(0, str(ROOT / "scripts"))

from render_letter_samples import OUT, to_png  # noqa: E402

from hoa_billing.core.clock import FixedClock  # noqa: E402
from hoa_billing.core.models import (  # noqa: E402
    Actor,
    ActorKind,
    HistoryEntry,
    Invoice,
    InvoiceStatus,
    LineItem,
    Property,
    Resident,
)
from hoa_billing.letters_delivery import LetterPrinter  # noqa: E402

NOW = datetime(2026, 3, 28, 13, 14, tzinfo=UTC)
PROPERTY = Property(
    property_id="prop_maple",
    name="Maple Court HOA",
    time_zone="America/Chicago",
    reply_to_email="office@maplecourt.example",
)
PEOPLE = [("Jordan Alvarez", "4B", 0), ("Zoë Ångström", "7A", 2500), ("Łukasz Wójcik", "12C", 0)]


class Memory:
    """The printer's storage ports, in memory: the files and the invoices."""

    def __init__(self, invoices: list[Invoice], residents: dict[str, Resident]) -> None:
        self.by_id = {invoice.invoice_id: invoice for invoice in invoices}
        self.people = residents
        self.stored: dict[str, bytes] = {}
        self.job: list[str] = []

    # files
    def letter_version(self, property_id: str, invoice_id: str) -> int | None:
        return None

    def put_letter(self, property_id: str, invoice_id: str, pdf: bytes, *, version: int) -> None:
        self.stored[invoice_id] = pdf

    def add_to_job(self, property_id: str, job_id: str, invoice_id: str) -> None:
        self.job.append(invoice_id)

    def job_invoice_ids(self, property_id: str, job_id: str) -> list[str]:
        return list(self.by_id)

    def batch_digest(self, property_id: str, job_id: str) -> str | None:
        return None

    def put_batch(self, property_id: str, job_id: str, pdf: bytes, *, digest: str, letters: int) -> None:
        self.stored[job_id] = pdf

    # sources
    def invoice(self, invoice_id: str) -> Invoice | None:
        return self.by_id.get(invoice_id)

    def invoices(self, invoice_ids: Any) -> list[Invoice]:
        return [self.by_id[i] for i in invoice_ids]

    def residents(self, property_id: str, resident_ids: Any) -> dict[str, Resident]:
        return {rid: self.people[rid] for rid in resident_ids if rid in self.people}

    def property(self, property_id: str) -> Property | None:
        return PROPERTY


def invoice(index: int, name: str, paid: int) -> Invoice:
    actor = Actor(kind=ActorKind.API, id="mgr", name="Dana Manager")
    return Invoice(
        invoice_id=f"inv_01JQ3Z8K4X7M2N5P9R6T1V0W{index:02d}",
        property_id=PROPERTY.property_id,
        property_name=PROPERTY.name,
        time_zone=PROPERTY.time_zone,
        resident_id=f"res_{index}",
        resident_name=name,
        number=f"INV-{42 + index:05d}",
        status=InvoiceStatus.OPEN,
        currency="USD",
        line_items=[
            LineItem(description="Monthly assessment, April 2026", amount=32500),
            LineItem(description="Pool key replacement", amount=3000),
        ],
        amount_due=35500,
        amount_paid=paid,
        due_date=date(2026, 4, 15),
        created_at=NOW,
        created_by=actor,
        published_at=NOW,
        history=[
            HistoryEntry(
                at=NOW,
                action="published",
                actor=actor,
                from_status=InvoiceStatus.DRAFT,
                to_status=InvoiceStatus.OPEN,
                details={"email": "skipped_no_address", "job_id": "job_01JQ40AB"},
            )
        ],
    )


def main() -> None:
    invoices = [invoice(i, name, paid) for i, (name, _, paid) in enumerate(PEOPLE)]
    residents = {
        f"res_{i}": Resident(
            resident_id=f"res_{i}", property_id=PROPERTY.property_id, name=name, unit=unit, created_at=NOW
        )
        for i, (name, unit, _) in enumerate(PEOPLE)
    }
    memory = Memory(invoices, residents)
    printer = LetterPrinter(memory, memory, "https://portal.maplecourt.example", FixedClock(NOW))  # type: ignore[arg-type]
    printer.print_invoice(PROPERTY.property_id, invoices[0].invoice_id)
    printer.print_job(PROPERTY.property_id, "job_01JQ40AB")
    OUT.mkdir(parents=True, exist_ok=True)
    for name, key in (("delivered-letter", invoices[0].invoice_id), ("delivered-batch", "job_01JQ40AB")):
        path = OUT / f"{name}.pdf"
        path.write_bytes(memory.stored[key])
        print(f"{path.relative_to(ROOT)}  {path.stat().st_size:,} bytes")
        for png in to_png(path):
            print(png.relative_to(ROOT))


if __name__ == "__main__":
    main()
