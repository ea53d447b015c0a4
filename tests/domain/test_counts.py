"""The Invoices page's counts and "Publish All (N)": kept with every change, so the summary
is one small read however many invoices the property has, and always what the invoices
themselves say, also when a worker dies between its steps or a chunk comes twice."""

from __future__ import annotations

import json
from typing import Any

import pytest

from hoa_billing.core import errors
from hoa_billing.core.jobs import ChunkTally, JobState
from hoa_billing.core.models import InvoiceStatus, LineItem
from hoa_billing.invoices import DraftChanges
from hoa_billing.overdue import OverdueSweep
from hoa_billing.payments import PaymentLedger, StripeWebhook
from hoa_billing.publish_all import Chunk, FanOutRequest, PublishAll
from hoa_local import stripe_fake
from tests.domain.conftest import MANAGER, World
from tests.domain.support import draft, published, resident
from tests.support.fakes import FakeQueue


def shown(world: World) -> tuple[dict[InvoiceStatus, int], int]:
    """What the summary shows."""
    totals = world.invoices.reads.summary("prop_a").totals
    return totals.counts, totals.draft_total


def truth(world: World) -> tuple[dict[InvoiceStatus, int], int]:
    """What the invoices themselves say, counted one by one."""
    counts = {status: world.store.count("prop_a", status) for status in InvoiceStatus}
    return counts, sum(d.amount_due for d in world.store.draft_amounts("prop_a"))


def counts(**by_status: int) -> dict[InvoiceStatus, int]:
    return {status: by_status.get(status.value.lower(), 0) for status in InvoiceStatus}


def pay_in_full(world: World, invoice_id: str) -> None:
    invoice = world.store.get(invoice_id)
    assert invoice is not None
    hook = StripeWebhook(PaymentLedger(world.store, world.clock), world.events, lambda *_: None, world.clock)
    event = stripe_fake.completed(stripe_fake.checkout_session(invoice_id, "prop_a", invoice.balance))
    assert hook.receive(json.dumps(event).encode(), "signed").outcome == "applied"


def test_a_new_property_counts_nothing(world: World):
    assert shown(world) == (counts(), 0)


def test_every_change_of_one_invoice_moves_the_counts_with_it(world: World):
    first, second, third, fourth, fifth = (draft(world, None, 10000 + n) for n in range(5))
    assert shown(world) == truth(world) == (counts(draft=5), 50010)

    world.invoices.drafts.edit(
        "prop_a",
        second.invoice_id,
        DraftChanges(version=second.version, line_items=[LineItem(description="Assessment", amount=25000)]),
        MANAGER,
    )
    world.invoices.drafts.delete("prop_a", fifth.invoice_id)
    assert shown(world) == truth(world) == (counts(draft=4), 10000 + 25000 + 10002 + 10003)

    for invoice in (first, second, third, fourth):
        world.invoices.publisher.publish_invoice("prop_a", invoice.invoice_id, False, MANAGER)
    assert shown(world) == truth(world) == (counts(open=4), 0)

    world.invoices.voider.void("prop_a", first.invoice_id, "Sent to the wrong unit", MANAGER)
    world.later(days=45)
    OverdueSweep(world.store, world.store, world.clock).run()
    assert shown(world) == truth(world) == (counts(overdue=3, void=1), 0)

    world.invoices.voider.void("prop_a", second.invoice_id, "Waived by the board", MANAGER)
    pay_in_full(world, third.invoice_id)
    assert shown(world) == truth(world) == (counts(overdue=1, void=2, paid=1), 0)


def test_a_refused_change_moves_no_count(world: World):
    invoice = published(world, send_email=False)
    world.invoices.publisher.publish_invoice("prop_a", draft(world).invoice_id, False, MANAGER)
    before = shown(world)

    with pytest.raises(errors.InvoiceNotDraft):
        world.invoices.publisher.publish_invoice("prop_a", invoice.invoice_id, False, MANAGER)
    with pytest.raises(errors.InvoiceNotDraft):
        world.invoices.drafts.delete("prop_a", invoice.invoice_id)
    world.force(invoice, amount_processing=32500)
    with pytest.raises(errors.InvoiceHasPayments):
        world.invoices.voider.void("prop_a", invoice.invoice_id, "Mistake", MANAGER)

    assert shown(world) == before == (counts(open=2), 0)


def test_two_publishes_of_one_draft_count_it_once(world: World):
    invoice = draft(world, None, 32500)
    world.invoices.publisher.publish_invoice("prop_a", invoice.invoice_id, False, MANAGER)
    with pytest.raises(errors.InvoiceNotDraft):
        world.invoices.publisher.publish_invoice("prop_a", invoice.invoice_id, False, MANAGER)

    assert shown(world) == (counts(open=1), 0)


def test_an_invoice_the_sweep_moved_is_voided_out_of_overdue(world: World):
    invoice = published(world, send_email=False)
    world.later(days=45)
    OverdueSweep(world.store, world.store, world.clock).run()

    world.invoices.voider.void("prop_a", invoice.invoice_id, "Waived", MANAGER)

    assert shown(world) == truth(world) == (counts(void=1), 0)


# -- Publish All: counted with each chunk, once --------------------------------------


class Bulk:
    def __init__(self, world: World, jobs: Any = None) -> None:
        self.publish_queue, self.fan_out_queue = FakeQueue(), FakeQueue()
        self.publish_all = PublishAll.build(
            publisher=world.invoices.publisher,
            invoices=world.store,
            listings=world.store,
            directory=world.directory,
            jobs=jobs or world.jobs,
            publish_queue=self.publish_queue,
            fan_out_queue=self.fan_out_queue,
            clock=world.clock,
        )

    def start_and_fan_out(self, count: int) -> list[Chunk]:
        job = self.publish_all.starts.start("prop_a", count, MANAGER)
        for body in self.fan_out_queue.take():
            self.publish_all.fan_out.run(FanOutRequest.model_validate(body), lambda: 60_000)
        self.job_id = job.job_id
        return [Chunk.model_validate(body) for body in self.publish_queue.take()]

    def work(self, chunk: Chunk, message_id: str, receive_count: int = 1) -> ChunkTally:
        return self.publish_all.worker.publish_chunk(chunk, message_id, receive_count=receive_count)


class DiesBeforeCounting:
    """The job store of a worker whose process dies after publishing a chunk's drafts and
    before counting the chunk (once)."""

    def __init__(self, jobs: Any) -> None:
        self.jobs = jobs
        self.deaths = 1

    def __getattr__(self, name: str) -> Any:
        return getattr(self.jobs, name)

    def record_chunk(self, *args: Any, **kwargs: Any) -> bool:
        if self.deaths:
            self.deaths -= 1
            raise RuntimeError("the execution environment stopped")
        result: bool = self.jobs.record_chunk(*args, **kwargs)
        return result


def drafts(world: World, count: int) -> None:
    for n in range(count):
        draft(world, resident(world, email=None if n % 3 == 0 else f"r{n}@example.com"), 10000 + n)


def test_publish_all_leaves_the_counts_exact(world: World):
    drafts(world, 30)
    published(world, send_email=False)
    bulk = Bulk(world)

    for n, chunk in enumerate(bulk.start_and_fan_out(30)):
        bulk.work(chunk, f"m{n}")

    assert shown(world) == truth(world) == (counts(open=31), 0)
    assert bulk.publish_all.jobs.get("prop_a", bulk.job_id).state is JobState.COMPLETED


def test_a_chunk_delivered_twice_is_counted_once(world: World):
    drafts(world, 5)
    bulk = Bulk(world)
    (chunk,) = bulk.start_and_fan_out(5)

    bulk.work(chunk, "m-1")
    bulk.work(chunk, "m-1", receive_count=2)

    assert shown(world) == truth(world) == (counts(open=5), 0)


def test_a_worker_that_dies_before_counting_leaves_the_chunk_to_its_redelivery(world: World):
    drafts(world, 5)
    total = 5 * 10000 + sum(range(5))
    bulk = Bulk(world, DiesBeforeCounting(world.jobs))
    (chunk,) = bulk.start_and_fan_out(5)

    with pytest.raises(RuntimeError):
        bulk.work(chunk, "m-1")
    # Published, not yet counted: the summary still shows the drafts (no Publish All can
    # start meanwhile: this one is running until its chunk is counted).
    assert truth(world) == (counts(open=5), 0)
    assert shown(world) == (counts(draft=5), total)

    bulk.work(chunk, "m-1", receive_count=2)  # SQS delivers the message again

    assert shown(world) == truth(world) == (counts(open=5), 0)


def test_drafts_changed_after_the_fan_out_are_counted_as_they_are(world: World):
    drafts(world, 4)
    bulk = Bulk(world)
    (chunk,) = bulk.start_and_fan_out(4)
    edited, taken, deleted = (world.store.get(ref.id) for ref in chunk.invoices[:3])
    assert edited is not None
    assert taken is not None
    assert deleted is not None
    world.invoices.drafts.edit(
        "prop_a",
        edited.invoice_id,
        DraftChanges(version=edited.version, line_items=[LineItem(description="Corrected", amount=99900)]),
        MANAGER,
    )
    world.invoices.publisher.publish_invoice("prop_a", taken.invoice_id, False, MANAGER)
    world.invoices.drafts.delete("prop_a", deleted.invoice_id)

    tally = bulk.work(chunk, "m-1")

    assert (tally.published, tally.skipped, [f[0] for f in tally.failures]) == (1, 2, [edited.invoice_id])
    assert shown(world) == truth(world) == (counts(draft=1, open=2), 99900)


def test_counts_follow_a_draft_created_while_a_publish_all_runs(world: World):
    drafts(world, 3)
    bulk = Bulk(world)
    (chunk,) = bulk.start_and_fan_out(3)
    late = draft(world, None, 5000)

    bulk.work(chunk, "m-1")

    assert shown(world) == truth(world) == (counts(draft=1, open=3), late.amount_due)


def test_counts_stay_exact_across_days_of_activity(world: World):
    """A month of a small property, every kind of change, checked after each day."""
    invoices = [draft(world, None, 1000 * (n + 1)) for n in range(6)]
    for day, invoice in enumerate(invoices):
        if day % 2 == 0:
            world.invoices.publisher.publish_invoice("prop_a", invoice.invoice_id, False, MANAGER)
        world.later(days=1)
        assert shown(world) == truth(world), f"day {day}"
    world.later(days=40)
    OverdueSweep(world.store, world.store, world.clock).run()
    world.invoices.drafts.delete("prop_a", invoices[1].invoice_id)
    pay_in_full(world, invoices[0].invoice_id)
    assert shown(world) == truth(world) == (counts(draft=2, overdue=2, paid=1), 4000 + 6000)
