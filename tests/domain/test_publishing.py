"""Publish a single invoice, as the help article walks it: the dialog, the checkbox, the
publish, and the troubleshooting section's refusals."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hoa_billing.core import errors
from hoa_billing.core.lifecycle import Action
from hoa_billing.core.models import EmailStatus, InvoiceStatus
from tests.domain.conftest import MANAGER, World
from tests.domain.support import draft, published, resident


def test_a_draft_shows_number_amount_resident_and_a_checked_email_box(world: World):
    invoice = draft(world, resident(world, name="Pat Lee"), 32500, 2500)

    detail = world.invoices.reads.detail("prop_a", invoice.invoice_id)

    preview = detail.publish_preview
    assert preview is not None
    assert (preview.number, preview.amount_due, preview.resident_name) == ("INV-00001", 35000, "Pat Lee")
    assert preview.email_enabled
    assert preview.email_checked_by_default
    assert detail.actions == [Action.PUBLISH, Action.EDIT, Action.DELETE]


def test_without_an_email_the_checkbox_is_disabled_and_unchecked(world: World):
    invoice = draft(world, resident(world, email=None))

    preview = world.invoices.reads.detail("prop_a", invoice.invoice_id).publish_preview

    assert preview is not None
    assert not preview.email_enabled
    assert not preview.email_checked_by_default


def test_publishing_moves_draft_to_open_and_queues_the_email(world: World):
    invoice = published(world, resident(world, email="pat@example.com"))

    assert invoice.status is InvoiceStatus.OPEN
    assert invoice.email_status is EmailStatus.QUEUED
    assert invoice.recipient is not None
    assert invoice.recipient.email == "pat@example.com"
    assert [entry.action for entry in invoice.history] == ["created", "published"]
    assert invoice.history[-1].actor == MANAGER
    assert world.store.get(invoice.invoice_id) == invoice


def test_the_resident_sees_it_in_the_portal_only_once_published(world: World):
    who = resident(world)
    invoice = draft(world, who)
    assert world.store.for_resident(who.resident_id, 10, None) == ([], None)

    world.invoices.publisher.publish_invoice("prop_a", invoice.invoice_id, None, MANAGER)

    listed, _ = world.store.for_resident(who.resident_id, 10, None)
    assert [i.invoice_id for i in listed] == [invoice.invoice_id]


def test_unchecking_the_box_publishes_without_an_email(world: World):
    invoice = published(world, send_email=False)
    assert (invoice.status, invoice.email_status, invoice.recipient) == (
        InvoiceStatus.OPEN,
        EmailStatus.NOT_REQUESTED,
        None,
    )


def test_without_an_address_it_publishes_and_records_that_no_email_went_out(world: World):
    invoice = published(world, resident(world, email=None))
    assert invoice.email_status is EmailStatus.SKIPPED_NO_ADDRESS


def test_asking_for_an_email_to_a_resident_without_an_address_is_refused_and_changes_nothing(world: World):
    invoice = draft(world, resident(world, email=None))

    with pytest.raises(errors.ResidentHasNoEmail):
        world.invoices.publisher.publish_invoice("prop_a", invoice.invoice_id, True, MANAGER)

    assert world.store.get(invoice.invoice_id) == invoice


@pytest.mark.parametrize("status", [InvoiceStatus.OPEN, InvoiceStatus.PAID, InvoiceStatus.OVERDUE, InvoiceStatus.VOID])
def test_open_paid_overdue_and_void_invoices_cannot_be_published(world: World, status: InvoiceStatus):
    invoice = published(world, send_email=False)
    before = world.force(invoice, status=status)

    with pytest.raises(errors.InvoiceNotDraft) as refused:
        world.invoices.publisher.publish_invoice("prop_a", invoice.invoice_id, None, MANAGER)

    assert refused.value.details["status"] == status.value
    assert world.store.get(invoice.invoice_id) == before


def test_two_publishes_of_one_draft_exactly_one_wins(world: World):
    invoice = draft(world)
    first = world.invoices.publisher.publish_invoice("prop_a", invoice.invoice_id, None, MANAGER)

    with pytest.raises(errors.InvoiceNotDraft):
        world.invoices.publisher.publish_invoice("prop_a", invoice.invoice_id, None, MANAGER)

    assert world.store.get(invoice.invoice_id) == first
    assert [e.action for e in first.history].count("published") == 1


def test_a_retried_publish_with_the_same_key_finds_its_own_publish(world: World):
    invoice = draft(world)
    first = world.invoices.publisher.publish_invoice("prop_a", invoice.invoice_id, None, MANAGER, "key-1")

    again = world.invoices.publisher.publish_invoice("prop_a", invoice.invoice_id, None, MANAGER, "key-1")

    assert again == first


def test_an_invoice_of_another_property_is_not_found(world: World):
    invoice = draft(world)
    with pytest.raises(errors.InvoiceNotFound):
        world.invoices.publisher.publish_invoice("prop_b", invoice.invoice_id, None, MANAGER)


def test_a_draft_is_deleted_not_voided_and_a_published_invoice_is_not_deleted(world: World):
    kept = published(world, send_email=False)
    gone = draft(world)

    world.invoices.drafts.delete("prop_a", gone.invoice_id)
    with pytest.raises(errors.InvoiceNotDraft):
        world.invoices.drafts.delete("prop_a", kept.invoice_id)

    assert world.store.get(gone.invoice_id) is None
    assert world.store.get(kept.invoice_id) == kept


def test_invoice_numbers_count_up_per_property(world: World):
    numbers = [draft(world).number for _ in range(3)]
    assert numbers == ["INV-00001", "INV-00002", "INV-00003"]


def test_a_due_date_before_today_in_the_property_s_time_zone_is_refused(world: World):
    # 02:00 UTC on 1 March is still 28 February in New York.
    world.clock.at = datetime(2027, 3, 1, 2, 0, tzinfo=UTC)
    assert draft(world, due_in_days=0).due_date.isoformat() == "2027-02-28"
    with pytest.raises(errors.DueDateInPast):
        draft(world, due_in_days=-1)


def test_the_summary_counts_statuses_and_the_draft_total_behind_publish_all(world: World):
    draft(world, None, 10000)
    draft(world, None, 2500)
    published(world, resident(world, email=None))

    summary = world.invoices.reads.summary("prop_a")

    assert summary.totals.counts[InvoiceStatus.DRAFT] == 2
    assert summary.totals.counts[InvoiceStatus.OPEN] == 1
    assert summary.totals.draft_total == 12500


def test_the_invoices_published_without_an_address_are_listed_to_notify_another_way(world: World):
    reachable = published(world, resident(world, email="pat@example.com"))
    unreachable = published(world, resident(world, email=None, name="Sam Ortiz"))
    draft(world, resident(world, email=None))
    world.invoices.voider.void("prop_a", published(world, resident(world, email=None)).invoice_id, "typo", MANAGER)

    rows, cursor = world.invoices.reads.page("prop_a", None, 10, None, email=EmailStatus.SKIPPED_NO_ADDRESS)

    assert [(row.number, row.resident_name) for row in rows] == [(unreachable.number, "Sam Ortiz")]
    assert cursor is None
    assert reachable.invoice_id not in {row.invoice_id for row in rows}
