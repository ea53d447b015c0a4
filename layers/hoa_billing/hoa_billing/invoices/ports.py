"""What the invoices feature asks of storage. The data layer's repositories satisfy
these structurally; tests use in-memory fakes of the same shape."""

from __future__ import annotations

from typing import Protocol

from hoa_billing.core.changes import DraftEdit, Publication, ResidentChange, Voiding
from hoa_billing.core.models import (
    DraftRef,
    EmailStatus,
    Invoice,
    InvoiceListing,
    InvoiceStatus,
    Property,
    Resident,
    StatusTotals,
)


class InvoiceStore(Protocol):
    """Single invoices and their lifecycle writes. Each write is conditional and raises
    ``errors.Refused`` (carrying the invoice as it stood, or None) when its condition fails."""

    def add_draft(self, invoice: Invoice) -> None: ...

    def get(self, invoice_id: str) -> Invoice | None: ...

    def delete_draft(self, property_id: str, invoice_id: str) -> None: ...

    def publish(self, draft: DraftRef, publication: Publication, *, read_back: bool = True) -> Invoice | None: ...

    def void(self, property_id: str, invoice_id: str, voiding: Voiding) -> Invoice: ...

    def edit_draft(self, property_id: str, invoice_id: str, edit: DraftEdit) -> Invoice: ...


class InvoiceListings(Protocol):
    """A property's invoices, many at a time."""

    def page(
        self,
        property_id: str,
        status: InvoiceStatus | None,
        limit: int,
        cursor: str | None,
        search: str | None = None,
        email: EmailStatus | None = None,
    ) -> tuple[list[InvoiceListing], str | None]: ...

    def status_totals(self, property_id: str) -> StatusTotals: ...


class Directory(Protocol):
    """Properties and their residents."""

    def get_property(self, property_id: str) -> Property | None: ...

    def next_invoice_number(self, property_id: str) -> tuple[int, Property] | None: ...

    def add_resident(self, resident: Resident) -> None: ...

    def get_resident(self, property_id: str, resident_id: str) -> Resident | None: ...

    def list_residents(self, property_id: str, limit: int, cursor: str | None) -> tuple[list[Resident], str | None]: ...

    def update_resident(self, property_id: str, resident_id: str, change: ResidentChange) -> Resident: ...
