"""Paying from the portal: a Stripe Checkout Session for what is left to pay."""

from __future__ import annotations

from hoa_billing.core import errors, lifecycle
from hoa_billing.core.models import Invoice
from hoa_billing.payments.ports import CheckoutGateway, CheckoutRequest, CheckoutSession
from hoa_billing.portal import ResidentPortal


class ResidentCheckout:
    """Starts a Stripe Checkout for the remaining balance of one of the resident's invoices."""

    def __init__(self, portal: ResidentPortal, gateway: CheckoutGateway, portal_base_url: str) -> None:
        self.portal = portal
        self.gateway = gateway
        self.portal_base_url = portal_base_url.rstrip("/")

    def start(self, resident_id: str, invoice_id: str) -> tuple[Invoice, int, CheckoutSession]:
        invoice = self.portal.get_invoice(resident_id, invoice_id)
        amount = lifecycle.payable_amount(invoice)
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
