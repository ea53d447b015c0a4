"""What a manager reads: the Invoices page (list and counts), and one invoice with what
can be done with it now and what its Publish dialog shows."""

from __future__ import annotations

from dataclasses import dataclass

from hoa_billing.core import lifecycle
from hoa_billing.core.models import (
    EmailState,
    EmailStatus,
    Invoice,
    InvoiceListing,
    InvoiceStatus,
    Recipient,
    StatusTotals,
)
from hoa_billing.invoices.lookup import get_invoice, require_property
from hoa_billing.invoices.ports import Directory, InvoiceListings, InvoiceStore


@dataclass(frozen=True)
class PublishPreview:
    """The Publish dialog: the invoice number and amount, the resident who will receive
    it, and the email checkbox (checked by default if the resident has an address;
    disabled, with the reason, when there is none or it bounces)."""

    number: str
    amount_due: int
    currency: str
    resident_name: str
    recipient: Recipient | None
    email_state: EmailState

    @property
    def email_enabled(self) -> bool:
        return self.recipient is not None

    @property
    def email_checked_by_default(self) -> bool:
        return self.recipient is not None

    @property
    def email_disabled_reason(self) -> str | None:
        return {EmailState.MISSING: "no_address", EmailState.BOUNCING: "address_bouncing"}.get(self.email_state)


@dataclass(frozen=True)
class InvoiceDetail:
    invoice: Invoice
    actions: list[lifecycle.Action]
    unavailable: list[lifecycle.Unavailable]
    publish_preview: PublishPreview | None


@dataclass(frozen=True)
class PropertySummary:
    totals: StatusTotals
    currency: str


class InvoiceReads:
    def __init__(self, store: InvoiceStore, listings: InvoiceListings, directory: Directory) -> None:
        self.store = store
        self.listings = listings
        self.directory = directory

    def get(self, property_id: str, invoice_id: str) -> Invoice:
        return get_invoice(self.store, property_id, invoice_id)

    def detail(self, property_id: str, invoice_id: str) -> InvoiceDetail:
        """The invoice, what can be done with it now (and why not, for the rest of the
        menu), and, for a Draft, what its Publish dialog shows."""
        invoice = self.get(property_id, invoice_id)
        resident = self.directory.get_resident(property_id, invoice.resident_id)
        preview = None
        if invoice.status in lifecycle.PUBLISHABLE:
            preview = PublishPreview(
                number=invoice.number,
                amount_due=invoice.amount_due,
                currency=invoice.currency,
                resident_name=invoice.resident_name,
                recipient=resident.recipient() if resident else None,
                email_state=resident.email_state if resident else EmailState.MISSING,
            )
        return InvoiceDetail(
            invoice,
            lifecycle.manager_actions(invoice, resident),
            lifecycle.unavailable_actions(invoice, resident),
            preview,
        )

    def page(
        self,
        property_id: str,
        status: InvoiceStatus | None,
        limit: int,
        cursor: str | None,
        search: str | None = None,
        email: EmailStatus | None = None,
    ) -> tuple[list[InvoiceListing], str | None]:
        """The Invoices page: newest first, optionally one status, optionally a search;
        with ``email``, the invoices in that email state (``skipped_no_address``: the
        residents to notify another way), among Open and Overdue unless ``status`` says."""
        return self.listings.page(property_id, status, limit, cursor, search, email)

    def summary(self, property_id: str) -> PropertySummary:
        prop = require_property(self.directory, property_id)
        return PropertySummary(self.listings.status_totals(property_id), prop.currency)
