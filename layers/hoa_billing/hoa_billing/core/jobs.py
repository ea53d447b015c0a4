"""A Publish All job as the domain sees it: who started it, the confirmed total, how far
the fan-out has got, and what the workers counted."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from pydantic import Field

from hoa_billing.core.models import Actor, EmailStatus, Model


class JobState(StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    COMPLETED_WITH_ERRORS = "completed_with_errors"


class JobFailure(Model):
    invoice_id: str
    reason: str


class FanOutProgress(Model):
    """Where the fan-out stands: ``seq`` counts recorded steps (a step is recorded only by
    the runner that read the previous one); ``position`` is the listing's opaque cursor."""

    seq: int = 0
    position: str | None = None
    done: bool = False


class PublishJob(Model):
    job_id: str
    property_id: str
    actor: Actor
    total: int
    enumerated: int = 0
    published: int = 0
    skipped: int = 0
    failed: int = 0
    # Counted at the start but no longer drafts when the fan-out listed them (published
    # singly or deleted meanwhile): skipped without reaching a worker.
    unlisted: int = 0
    fan_out: FanOutProgress = Field(default_factory=FanOutProgress)
    started_at: datetime
    updated_at: datetime
    failures: list[JobFailure] = Field(default_factory=list)
    # Whether the job's chunk markers list the invoices each chunk published (jobs started
    # before the markers did have none): its delivery report is available.
    deliveries_listed: bool = True

    @property
    def processed(self) -> int:
        """What the workers counted of the enqueued drafts."""
        return self.published + self.skipped + self.failed

    @property
    def skipped_all(self) -> int:
        """Drafts this job did not publish because they were no longer drafts."""
        return self.skipped + self.unlisted

    @property
    def state(self) -> JobState:
        """Running until every draft counted at the start is published, skipped or
        failed: the fan-out has listed them all (``total = enumerated + unlisted``) and
        the workers have counted every one it enqueued."""
        if not self.fan_out.done or self.processed < self.enumerated:
            return JobState.RUNNING
        return JobState.COMPLETED_WITH_ERRORS if self.failed else JobState.COMPLETED

    @property
    def finished_at(self) -> datetime | None:
        # Every counter write stamps updated_at, so the last one is when the job finished.
        return None if self.state is JobState.RUNNING else self.updated_at


@dataclass(frozen=True)
class ChunkTally:
    """What one worker message counted. ``property_id`` and ``published_amount`` (the
    published drafts' amounts added up) move the property's counts with the chunk:
    ``published`` drafts are Open now, and the drafts' total is that much smaller."""

    published: int
    skipped: int
    failures: list[tuple[str, str]] = field(default_factory=list)  # (invoice_id, reason)
    property_id: str | None = None
    published_amount: int = 0
    # The invoices this message published (``published`` of them): the job's manifest, for
    # its delivery report. One published by another message of the job is not here.
    published_ids: list[str] = field(default_factory=list)


class JobExists(Exception):
    """A job with this id was already created (a repeated request or schedule delivery)."""


class AnotherJobStarted(Exception):
    """Another Publish All of the property started first; ``job_id`` names it."""

    def __init__(self, job_id: str | None) -> None:
        super().__init__(job_id)
        self.job_id = job_id


class FanOutMoved(Exception):
    """Another fan-out runner recorded progress first; this one stops."""


@dataclass(frozen=True)
class JobDelivery:
    """One invoice a job published, as its delivery report lists it: where the email
    stands (``email_to``: the address it went to; ``reason``: why it failed or bounced)."""

    invoice_id: str
    number: str
    resident_id: str
    resident_name: str
    amount_due: int
    currency: str
    email_status: EmailStatus
    email_to: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class DeliveryPage:
    """A page of a job's deliveries, and how many of all its invoices are in each email
    state (counted over the whole job, whatever the page shows)."""

    states: dict[EmailStatus, int]
    rows: list[JobDelivery]
    next_cursor: str | None
