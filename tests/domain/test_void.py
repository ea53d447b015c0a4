"""I published an invoice by mistake: void it if no payment has been made."""

from __future__ import annotations

import pytest

from hoa_billing.core import errors
from hoa_billing.core.lifecycle import Action
from hoa_billing.core.models import InvoiceStatus
from tests.domain.conftest import MANAGER, World
from tests.domain.support import draft, published


def test_an_open_invoice_without_payments_is_voided_with_its_reason(world: World):
    invoice = published(world, send_email=False)

    voided = world.invoices.voider.void("prop_a", invoice.invoice_id, "Published by mistake", MANAGER)

    assert voided.status is InvoiceStatus.VOID
    assert voided.void_reason == "Published by mistake"
    assert voided.history[-1].action == "voided"
    assert world.invoices.reads.detail("prop_a", invoice.invoice_id).actions == []


def test_an_overdue_invoice_can_be_voided_too(world: World):
    invoice = published(world, send_email=False)
    world.force(invoice, status=InvoiceStatus.OVERDUE)

    assert world.invoices.voider.void("prop_a", invoice.invoice_id, "Duplicate", MANAGER).status is InvoiceStatus.VOID


@pytest.mark.parametrize(("paid", "processing"), [(100, 0), (0, 32500)])
def test_a_payment_made_or_still_processing_blocks_the_void(world: World, paid: int, processing: int):
    invoice = published(world, send_email=False)
    changed = world.force(invoice, amount_paid=paid, amount_processing=processing)
    assert Action.VOID not in world.invoices.reads.detail("prop_a", invoice.invoice_id).actions

    with pytest.raises(errors.InvoiceHasPayments) as refused:
        world.invoices.voider.void("prop_a", invoice.invoice_id, "Mistake", MANAGER)

    assert refused.value.details["amount_paid"] == paid
    assert world.store.get(invoice.invoice_id) == changed


def test_a_draft_cannot_be_voided_and_is_told_to_delete_it(world: World):
    invoice = draft(world)
    with pytest.raises(errors.InvoiceNotVoidable) as refused:
        world.invoices.voider.void("prop_a", invoice.invoice_id, "Mistake", MANAGER)
    assert "Delete it instead" in refused.value.message
    assert world.store.get(invoice.invoice_id) == invoice


def test_paid_and_void_invoices_cannot_be_voided(world: World):
    invoice = published(world, send_email=False)
    for status in (InvoiceStatus.PAID, InvoiceStatus.VOID):
        world.force(invoice, status=status)
        with pytest.raises(errors.InvoiceNotVoidable):
            world.invoices.voider.void("prop_a", invoice.invoice_id, "Mistake", MANAGER)
