"""Invoices, as the help article walks them: residents, drafts, publishing one invoice,
voiding a mistake, and what the Invoices page and an invoice's detail page show.

The public surface is what this module exports; other features and the handlers use
nothing else of this package.
"""

from __future__ import annotations

from dataclasses import dataclass

from hoa_billing.core.clock import Clock, SystemClock
from hoa_billing.invoices.drafts import DraftChanges, Drafts, NewInvoice
from hoa_billing.invoices.lookup import require_property
from hoa_billing.invoices.ports import Directory, InvoiceListings, InvoiceStore
from hoa_billing.invoices.publish import Publisher, email_status_for, publish_id_for
from hoa_billing.invoices.reads import InvoiceDetail, InvoiceReads, PropertySummary, PublishPreview
from hoa_billing.invoices.residents import NewResident, ResidentEdit, Residents
from hoa_billing.invoices.void import Voider

__all__ = [
    "Directory",
    "DraftChanges",
    "Drafts",
    "InvoiceDetail",
    "InvoiceListings",
    "InvoiceReads",
    "InvoiceStore",
    "Invoices",
    "NewInvoice",
    "NewResident",
    "PropertySummary",
    "PublishPreview",
    "Publisher",
    "ResidentEdit",
    "Residents",
    "Voider",
    "email_status_for",
    "publish_id_for",
    "require_property",
]


@dataclass(frozen=True)
class Invoices:
    """The invoice operations, built over one set of repositories and one clock."""

    residents: Residents
    drafts: Drafts
    publisher: Publisher
    voider: Voider
    reads: InvoiceReads

    @classmethod
    def build(
        cls, store: InvoiceStore, listings: InvoiceListings, directory: Directory, clock: Clock | None = None
    ) -> Invoices:
        clock = clock or SystemClock()
        return cls(
            residents=Residents(directory, clock),
            drafts=Drafts(store, directory, clock),
            publisher=Publisher(store, directory, clock),
            voider=Voider(store, clock),
            reads=InvoiceReads(store, listings, directory),
        )
