"""A Publish All job as the manager follows it."""

from __future__ import annotations

from hoa_billing.core import errors
from hoa_billing.core.clock import derived_id
from hoa_billing.core.jobs import JobState, PublishJob
from hoa_billing.core.models import Actor
from hoa_billing.publish_all.ports import JobStore

MAX_FAILURES_SHOWN = 100


def job_id_for(property_id: str, actor: Actor, request_key: str) -> str:
    """The same Publish All request (key, caller, property) always names the same job."""
    return derived_id("job", property_id, actor.kind, actor.id, request_key)


class JobReads:
    def __init__(self, jobs: JobStore) -> None:
        self.jobs = jobs

    def get(self, property_id: str, job_id: str) -> PublishJob:
        """The job, its counts and up to ``MAX_FAILURES_SHOWN`` failures with reasons."""
        job = self.jobs.get_with_failures(job_id, MAX_FAILURES_SHOWN)
        if job is None or job.property_id != property_id:
            raise errors.PublishJobNotFound(f"Publish job {job_id} was not found.", job_id=job_id)
        return job

    def list(
        self, property_id: str, state: JobState | None, limit: int, cursor: str | None
    ) -> tuple[list[PublishJob], str | None]:
        """The property's jobs, newest first; ``state`` keeps only those in it (a page may
        then hold fewer than ``limit``: follow the cursor)."""
        jobs, next_cursor = self.jobs.for_property(property_id, limit, cursor)
        return [job for job in jobs if state is None or job.state is state], next_cursor
