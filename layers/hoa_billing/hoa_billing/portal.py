"""The resident portal: a resident's own published invoices, and paying one.

Every read goes through the ``ByResident`` index, which only the publish transition
writes: a Draft is not in it, so no portal answer can contain one. An invoice that is
not the resident's is reported exactly like one that does not exist (404), so the
portal never tells a resident which invoice ids exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from hoa_billing import errors, lifecycle
from hoa_billing.dal.invoices import InvoiceRepository
from hoa_billing.models import Invoice


@dataclass(frozen=True)
class CheckoutRequest:
    invoice_id: str
    property_id: str
    amount: int
    currency: str
    description: str
    success_url: str
    cancel_url: str
    # Same invoice, same balance, same version: the same Checkout Session, however often
    # the resident clicks Pay. Any change to the invoice gives a new key.
    idempotency_key: str


@dataclass(frozen=True)
class CheckoutSession:
    session_id: str
    url: str
    expires_at: int


class CheckoutGateway(Protocol):
    def create_session(self, request: CheckoutRequest) -> CheckoutSession: ...


def payable_amount(invoice: Invoice) -> int:
    """What is left to pay once the bank debits still in flight are counted."""
    return max(0, invoice.balance - invoice.amount_processing)


class ResidentPortal:
    def __init__(self, invoices: InvoiceRepository) -> None:
        self.invoices = invoices

    def list_invoices(self, resident_id: str, limit: int, cursor: str | None) -> tuple[list[Invoice], str | None]:
        return self.invoices.list_for_resident(resident_id, limit, cursor)

    def get_invoice(self, resident_id: str, invoice_id: str) -> Invoice:
        invoice = self.invoices.get_for_resident(resident_id, invoice_id)
        if invoice is None:
            raise errors.InvoiceNotFound(f"Invoice {invoice_id} was not found.", invoice_id=invoice_id)
        return invoice


class ResidentCheckout:
    """Starts a Stripe Checkout for the remaining balance of one of the resident's invoices."""

    def __init__(self, portal: ResidentPortal, gateway: CheckoutGateway, portal_base_url: str) -> None:
        self.portal = portal
        self.gateway = gateway
        self.portal_base_url = portal_base_url.rstrip("/")

    def start(self, resident_id: str, invoice_id: str) -> tuple[Invoice, int, CheckoutSession]:
        invoice = self.portal.get_invoice(resident_id, invoice_id)
        amount = payable_amount(invoice)
        if invoice.status not in lifecycle.PAYABLE:
            raise errors.InvoiceNotPayable(
                f"Invoice {invoice.number} is {invoice.status}; only Open or Overdue invoices can be paid.",
                status=invoice.status.value,
            )
        if amount <= 0:
            raise errors.InvoiceNotPayable(
                f"Invoice {invoice.number} has nothing left to pay; a bank payment may still be processing.",
                status=invoice.status.value,
                amount_processing=invoice.amount_processing,
            )
        page = f"{self.portal_base_url}/invoices/{invoice.invoice_id}"
        request = CheckoutRequest(
            invoice_id=invoice.invoice_id,
            property_id=invoice.property_id,
            amount=amount,
            currency=invoice.currency,
            description=f"{invoice.property_name} invoice {invoice.number}",
            success_url=f"{page}?checkout=success",
            cancel_url=f"{page}?checkout=cancelled",
            idempotency_key=f"checkout-{invoice.invoice_id}-{amount}-v{invoice.version}",
        )
        return invoice, amount, self.gateway.create_session(request)
