"""What the manager's screens need beyond publishing: correcting a resident, editing a
draft, a menu that offers only what would succeed (greyed with the reason otherwise),
finding invoices, one Publish All at a time, and the property's settings."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hoa_billing.core import errors
from hoa_billing.core.jobs import JobState
from hoa_billing.core.lifecycle import Action
from hoa_billing.core.models import EmailState, EmailStatus, InvoiceStatus, LineItem
from hoa_billing.invoices import DraftChanges, ResidentEdit
from hoa_billing.properties import NewProperty, Properties, PropertySettings
from hoa_billing.publish_all import PublishAll
from tests.domain.conftest import MANAGER, World
from tests.domain.support import draft, published, resident
from tests.support.fakes import FakeQueue

# -- residents ------------------------------------------------------------------------


def test_a_bouncing_address_corrected_on_the_profile_can_be_emailed_again(world: World):
    who = resident(world, email="old@example.com")
    world.directory.mark_address_bouncing("prop_a", who.resident_id, "old@example.com")
    assert world.invoices.residents.get("prop_a", who.resident_id).email_state is EmailState.BOUNCING

    fixed = world.invoices.residents.update(
        "prop_a", who.resident_id, ResidentEdit(email="new@example.com", email_given=True), MANAGER
    )

    assert (fixed.email, fixed.email_state) == ("new@example.com", EmailState.OK)
    assert fixed.history[-1].details == {"email": {"from": "old@example.com", "to": "new@example.com"}}
    assert published(world, fixed).email_status is EmailStatus.QUEUED


def test_a_resident_without_an_address_gets_one_and_removing_it_is_recorded(world: World):
    who = resident(world, email=None)
    assert who.email_state is EmailState.MISSING

    added = world.invoices.residents.update(
        "prop_a", who.resident_id, ResidentEdit(email="pat@example.com", email_given=True), MANAGER
    )
    removed = world.invoices.residents.update(
        "prop_a", who.resident_id, ResidentEdit(email=None, email_given=True), MANAGER
    )

    assert added.email_state is EmailState.OK
    assert (removed.email, removed.email_state) == (None, EmailState.MISSING)
    assert [entry.action for entry in removed.history] == ["profile_updated", "profile_updated"]


def test_a_correction_that_changes_nothing_writes_nothing(world: World):
    who = resident(world, email="pat@example.com", name="Pat Lee")
    same = world.invoices.residents.update("prop_a", who.resident_id, ResidentEdit(name="Pat Lee"), MANAGER)
    assert same == world.invoices.residents.get("prop_a", who.resident_id)
    assert same.history == []


def test_an_unknown_resident_is_not_found(world: World):
    with pytest.raises(errors.ResidentNotFound):
        world.invoices.residents.update("prop_a", "res_missing", ResidentEdit(unit="9Z"), MANAGER)


# -- editing a draft --------------------------------------------------------------------


def test_a_draft_is_edited_against_the_version_the_manager_saw(world: World):
    invoice = draft(world, None, 32500)
    items = [LineItem(description="Monthly assessment", amount=32500), LineItem(description="Pool key", amount=3000)]

    edited = world.invoices.drafts.edit(
        "prop_a", invoice.invoice_id, DraftChanges(version=invoice.version, line_items=items), MANAGER
    )

    assert (edited.amount_due, edited.version, edited.status) == (35500, invoice.version + 1, InvoiceStatus.DRAFT)
    assert edited.history[-1].action == "edited"
    listed, _ = world.store.page("prop_a", InvoiceStatus.DRAFT, 10, None)
    assert listed[0].amount_due == 35500


def test_an_edit_of_a_version_someone_else_changed_is_refused_and_changes_nothing(world: World):
    invoice = draft(world)
    world.invoices.drafts.edit(
        "prop_a", invoice.invoice_id, DraftChanges(version=1, memo="first", memo_given=True), MANAGER
    )
    before = world.store.get(invoice.invoice_id)

    with pytest.raises(errors.VersionConflict) as refused:
        world.invoices.drafts.edit(
            "prop_a", invoice.invoice_id, DraftChanges(version=1, memo="second", memo_given=True), MANAGER
        )

    assert refused.value.details["current_version"] == 2
    assert world.store.get(invoice.invoice_id) == before


def test_a_published_invoice_cannot_be_edited(world: World):
    invoice = published(world, send_email=False)
    with pytest.raises(errors.InvoiceNotDraft):
        world.invoices.drafts.edit(
            "prop_a", invoice.invoice_id, DraftChanges(version=invoice.version, memo="x", memo_given=True), MANAGER
        )


def test_an_edited_due_date_must_not_be_in_the_past(world: World):
    invoice = draft(world)
    with pytest.raises(errors.DueDateInPast):
        world.invoices.drafts.edit(
            "prop_a",
            invoice.invoice_id,
            DraftChanges(version=invoice.version, due_date=world.today - timedelta(days=1)),
            MANAGER,
        )


# -- the actions menu ----------------------------------------------------------------------


def reasons(world: World, invoice_id: str) -> dict[Action, str]:
    detail = world.invoices.reads.detail("prop_a", invoice_id)
    return {u.action: u.reason for u in detail.unavailable}


def test_resend_is_not_offered_to_a_resident_without_an_address_and_says_why(world: World):
    invoice = published(world, resident(world, email=None))
    detail = world.invoices.reads.detail("prop_a", invoice.invoice_id)
    assert detail.actions == [Action.VOID]
    assert reasons(world, invoice.invoice_id)[Action.RESEND_EMAIL] == "resident_has_no_email"


def test_void_is_greyed_with_the_reason_once_a_payment_is_processing(world: World):
    invoice = published(world, send_email=False)
    world.force(invoice, amount_processing=32500)
    assert Action.VOID not in world.invoices.reads.detail("prop_a", invoice.invoice_id).actions
    assert reasons(world, invoice.invoice_id)[Action.VOID] == "invoice_has_payments"


def test_a_paid_invoice_offers_nothing_and_says_why_for_each_action(world: World):
    invoice = published(world, send_email=False)
    world.force(invoice, status=InvoiceStatus.PAID)
    assert world.invoices.reads.detail("prop_a", invoice.invoice_id).actions == []
    assert reasons(world, invoice.invoice_id) == {
        Action.PUBLISH: "invoice_not_draft",
        Action.EDIT: "invoice_not_draft",
        Action.DELETE: "invoice_not_draft",
        Action.VOID: "invoice_not_voidable",
        Action.RESEND_EMAIL: "invoice_not_emailable",
    }


def test_the_publish_dialog_names_the_address_or_why_the_box_is_disabled(world: World):
    ok = draft(world, resident(world, email="pat@example.com"))
    missing = draft(world, resident(world, email=None))
    bouncing_resident = resident(world, email="gone@example.com")
    world.directory.mark_address_bouncing("prop_a", bouncing_resident.resident_id, "gone@example.com")
    bouncing = draft(world, bouncing_resident)

    previews = {
        name: world.invoices.reads.detail("prop_a", invoice.invoice_id).publish_preview
        for name, invoice in (("ok", ok), ("missing", missing), ("bouncing", bouncing))
    }

    assert previews["ok"].recipient.email == "pat@example.com"  # type: ignore[union-attr]
    assert previews["ok"].email_disabled_reason is None  # type: ignore[union-attr]
    assert previews["missing"].email_disabled_reason == "no_address"  # type: ignore[union-attr]
    assert previews["bouncing"].email_disabled_reason == "address_bouncing"  # type: ignore[union-attr]
    assert not previews["bouncing"].email_enabled  # type: ignore[union-attr]


# -- finding invoices --------------------------------------------------------------------


def test_the_invoice_list_is_newest_first_across_statuses(world: World):
    first = published(world, send_email=False)
    second = draft(world)
    third = published(world, send_email=False)

    rows, _ = world.invoices.reads.page("prop_a", None, 10, None)

    assert [row.invoice_id for row in rows] == [third.invoice_id, second.invoice_id, first.invoice_id]


def test_pages_of_the_list_follow_one_another_without_gaps_or_repeats(world: World):
    created = [draft(world) if n % 2 else published(world, send_email=False) for n in range(7)]
    seen, cursor = [], None
    while True:
        rows, cursor = world.invoices.reads.page("prop_a", None, 3, cursor)
        seen += [row.invoice_id for row in rows]
        if cursor is None:
            break
    assert seen == [i.invoice_id for i in reversed(created)]


def test_search_finds_an_invoice_by_number_or_resident_name(world: World):
    pat = draft(world, resident(world, name="Pat Lee"))
    sam = draft(world, resident(world, name="Sam Ortiz"))
    published(world, resident(world, name="Samira Khan"), send_email=False)

    by_number, _ = world.invoices.reads.page("prop_a", None, 10, None, "INV-00002")
    by_digits, _ = world.invoices.reads.page("prop_a", None, 10, None, "1")
    by_name, _ = world.invoices.reads.page("prop_a", None, 10, None, "sam")

    assert [r.invoice_id for r in by_number] == [sam.invoice_id]
    assert [r.invoice_id for r in by_digits] == [pat.invoice_id]
    assert {r.resident_name for r in by_name} == {"Sam Ortiz", "Samira Khan"}


# -- one Publish All at a time -----------------------------------------------------------


def bulk(world: World) -> PublishAll:
    return PublishAll.build(
        publisher=world.invoices.publisher,
        invoices=world.store,
        listings=world.store,
        directory=world.directory,
        jobs=world.jobs,
        publish_queue=FakeQueue(),
        fan_out_queue=FakeQueue(),
        clock=world.clock,
    )


def test_a_second_publish_all_while_one_runs_is_refused_with_the_running_job(world: World):
    draft(world)
    draft(world)
    publish_all = bulk(world)
    first = publish_all.starts.start("prop_a", 2, MANAGER)

    with pytest.raises(errors.PublishAllRunning) as refused:
        publish_all.starts.start("prop_a", 2, MANAGER)

    assert refused.value.details["job_id"] == first.job_id
    running, _ = publish_all.jobs.list("prop_a", JobState.RUNNING, 10, None)
    assert [job.job_id for job in running] == [first.job_id]


def test_once_a_job_finished_the_next_publish_all_may_start(world: World):
    draft(world)
    publish_all = bulk(world)
    first = publish_all.starts.start("prop_a", 1, MANAGER)
    world.jobs.record_fan_out(
        first.job_id, first.fan_out, first.fan_out.model_copy(update={"seq": 1, "done": True}), 1, world.clock.now()
    )
    from hoa_billing.core.jobs import ChunkTally

    world.jobs.record_chunk(first.job_id, "m-1", ChunkTally(1, 0, []), world.clock.now())
    draft(world)
    world.later(seconds=1)

    second = publish_all.starts.start("prop_a", 2, MANAGER)

    listed, _ = publish_all.jobs.list("prop_a", None, 10, None)
    assert [job.job_id for job in listed] == [second.job_id, first.job_id]


# -- properties -----------------------------------------------------------------------------


def test_an_administrator_creates_a_property_and_its_sender_defaults_to_its_name(world: World):
    properties = Properties(world.directory)

    created = properties.create(NewProperty(name="Birch Hill HOA", time_zone="America/Los_Angeles", currency="USD"))

    assert created.property_id.startswith("prop_")
    assert properties.get(created.property_id).sender_display_name == "Birch Hill HOA"
    assert [p.name for p in properties.of_manager(frozenset({created.property_id, "prop_a", "prop_gone"}))] == [
        "Birch Hill HOA",
        "Maple Court HOA",
    ]


def test_a_manager_sets_the_sender_and_reply_to_and_can_remove_the_reply_to(world: World):
    properties = Properties(world.directory)

    set_ = properties.update(
        "prop_a",
        PropertySettings(sender_name="Maple Court Billing", reply_to_email="office@maple.example", reply_to_given=True),
    )
    cleared = properties.update("prop_a", PropertySettings(reply_to_email=None, reply_to_given=True))

    assert (set_.sender_display_name, set_.reply_to_email) == ("Maple Court Billing", "office@maple.example")
    assert (cleared.sender_display_name, cleared.reply_to_email) == ("Maple Court Billing", None)
    with pytest.raises(errors.PropertyNotFound):
        properties.update("prop_missing", PropertySettings(name="X"))
