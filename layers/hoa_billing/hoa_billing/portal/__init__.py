"""The resident portal: a resident's own published invoices.

Every read goes through the resident index, which only the publish transition writes: a
Draft is not in it, so no portal answer can contain one. An invoice that is not the
resident's is reported exactly like one that does not exist (404), so the portal never
tells a resident which invoice ids exist.
"""

from __future__ import annotations

from typing import Protocol

from hoa_billing.core import errors
from hoa_billing.core.models import Invoice, ResidentInvoiceRow

__all__ = ["ResidentInvoices", "ResidentPortal"]


class ResidentInvoices(Protocol):
    def for_resident(
        self, resident_id: str, limit: int, cursor: str | None
    ) -> tuple[list[ResidentInvoiceRow], str | None]: ...

    def get_for_resident(self, resident_id: str, invoice_id: str) -> Invoice | None: ...


class ResidentPortal:
    def __init__(self, invoices: ResidentInvoices) -> None:
        self.invoices = invoices

    def list_invoices(
        self, resident_id: str, limit: int, cursor: str | None
    ) -> tuple[list[ResidentInvoiceRow], str | None]:
        """My Account's invoice history: a row per published invoice, newest first."""
        return self.invoices.for_resident(resident_id, limit, cursor)

    def get_invoice(self, resident_id: str, invoice_id: str) -> Invoice:
        invoice = self.invoices.get_for_resident(resident_id, invoice_id)
        if invoice is None:
            raise errors.InvoiceNotFound(f"Invoice {invoice_id} was not found.", invoice_id=invoice_id)
        return invoice
