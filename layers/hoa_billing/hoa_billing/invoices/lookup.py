"""Finding what an operation acts on, and saying so plainly when it is not there."""

from __future__ import annotations

from typing import Protocol

from hoa_billing.core import errors
from hoa_billing.core.models import Invoice, Property
from hoa_billing.invoices.ports import InvoiceStore


class PropertyLookup(Protocol):
    def get_property(self, property_id: str) -> Property | None: ...


def require_property(directory: PropertyLookup, property_id: str) -> Property:
    prop = directory.get_property(property_id)
    if prop is None:
        raise errors.PropertyNotFound(f"Property {property_id} does not exist.", property_id=property_id)
    return prop


def owned(current: Invoice | None, property_id: str, invoice_id: str) -> Invoice:
    """The invoice, if it exists and belongs to the property; otherwise 404 (never say
    which invoice ids exist elsewhere)."""
    if current is None or current.property_id != property_id:
        raise errors.InvoiceNotFound(f"Invoice {invoice_id} was not found.", invoice_id=invoice_id)
    return current


def get_invoice(store: InvoiceStore, property_id: str, invoice_id: str) -> Invoice:
    return owned(store.get(invoice_id), property_id, invoice_id)


def not_draft(invoice: Invoice) -> errors.InvoiceNotDraft:
    return errors.InvoiceNotDraft(
        f"Invoice {invoice.number} is {invoice.status}; only Draft invoices can be published.",
        status=invoice.status.value,
    )
