"""The messages Publish All passes through SQS: a fan-out request, and chunks of drafts
for the workers, each with the address its email goes to."""

from __future__ import annotations

from pydantic import Field

from hoa_billing.core.models import Actor, DraftRef, Model, Recipient

CHUNK_SIZE = 25  # invoices per worker message: one counter write per 25 publishes


class InvoiceRef(Model):
    id: str
    resident_id: str
    due_date: str
    number: str | None = None  # for the log line of its publish
    to: Recipient | None = None
    # The draft's amount when it was listed: the publish requires it unchanged, so the
    # drafts' total moves by exactly what was published (absent in a message enqueued
    # before amounts were carried: the worker reads it).
    amount: int | None = None

    def draft(self, property_id: str) -> DraftRef:
        return DraftRef(self.id, property_id, self.resident_id, self.due_date, self.number, amount_due=self.amount)


class Chunk(Model):
    """One worker message: up to CHUNK_SIZE drafts of one job, with their recipients."""

    job_id: str
    property_id: str
    actor: Actor
    invoices: list[InvoiceRef] = Field(min_length=1, max_length=CHUNK_SIZE)


class FanOutRequest(Model):
    job_id: str
    property_id: str
