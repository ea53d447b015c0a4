"""The publish jobs table: one bulk publish's progress, written per batch, never per invoice.

Items under ``pk = job_id``:

* ``sk = "JOB"``: the head. Who started it, the confirmed total, how many invoices the
  fan-out has enqueued so far and where its listing stands, how many counted drafts it
  found no longer drafts (``unlisted``), and the counters ``published``, ``skipped``,
  ``failed``.
* ``sk = "MSG#{message_id}"``: one marker per worker message that has been counted. It
  is written in the same transaction as the counters with ``attribute_not_exists``, so a
  message delivered twice is counted once. It lists the invoices the message published
  (``inv``, a string set of at most ``CHUNK_SIZE`` = 25 ids, ~30 bytes each: the marker
  stays under 1 KB, the write unit it cost before); an invoice another message of the
  job published is listed there only, so each published invoice is in exactly one
  marker. Together they are the job's manifest, read by its delivery report
  (``data/deliveries.py``): a marker that lists invoices lives as long as its job (no
  ``expires_at``); one that lists none expires after a month.
* ``sk = "FAIL#{invoice_id}"``: why an invoice could not be published. Sorted before
  ``JOB``, so one Query (``sk <= "JOB"``, descending) returns the head then the failures.

Items under ``pk = "PROPERTY#{property_id}"``:

* ``sk = "JOB#{started_at}#{job_id}"``: the property's jobs, newest first by Query.
* ``sk = "RUNNING"``: the property's latest job. A new job replaces it only if it is the
  job the starter saw finished (or there is none), in the same transaction that creates
  the job: at most one Publish All runs per property, even when two start at once.

The head stays small however large the job, so each counter update costs a few write
units (the alternative, a set of processed message ids on the head, grows with the job
and makes every later update dearer).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from hoa_billing.core.clock import iso
from hoa_billing.core.errors import Refused
from hoa_billing.core.jobs import (
    AnotherJobStarted,
    ChunkTally,
    FanOutMoved,
    FanOutProgress,
    JobExists,
    JobFailure,
    PublishJob,
)
from hoa_billing.core.models import InvoiceStatus
from hoa_billing.data.counters import CountChange, counts_key
from hoa_billing.data.items import decode_cursor, encode_cursor, from_item, to_attr, to_item
from hoa_billing.data.table import TableRepository
from hoa_billing.data.writes import Put, Update

HEAD = "JOB"
MESSAGE_PREFIX = "MSG#"
FAILURE_PREFIX = "FAIL#"
MARKER_DAYS = 30
PROPERTY_PREFIX = "PROPERTY#"
LISTED_PREFIX = "JOB#"
LATEST = "RUNNING"
# On the head: the job's markers list what each message published (a head written before
# they did has no such mark, and its job no delivery report).
LISTED = "dl"
# On a marker: the ids of the invoices its message published.
PUBLISHED_IDS = "inv"


def _head_item(job: PublishJob) -> dict[str, Any]:
    return {
        "pk": job.job_id,
        "sk": HEAD,
        "job_id": job.job_id,
        "property_id": job.property_id,
        "actor": job.actor.model_dump(mode="json", exclude_none=True),
        "total": job.total,
        "enumerated": job.enumerated,
        "published": job.published,
        "skipped": job.skipped,
        "failed": job.failed,
        "unlisted": job.unlisted,
        "fanout_seq": job.fan_out.seq,
        "fanout_position": job.fan_out.position,
        "fanout_done": job.fan_out.done,
        "started_at": iso(job.started_at),
        "updated_at": iso(job.updated_at),
        LISTED: job.deliveries_listed,
    }


def _job_of(head: dict[str, Any], failures: list[dict[str, Any]] | None = None) -> PublishJob:
    return PublishJob.model_validate(
        {
            **head,
            "deliveries_listed": bool(head.get(LISTED, False)),
            "fan_out": FanOutProgress(
                seq=int(head["fanout_seq"]), position=head.get("fanout_position"), done=bool(head["fanout_done"])
            ),
            "failures": [
                JobFailure(invoice_id=item["sk"].removeprefix(FAILURE_PREFIX), reason=item["reason"])
                for item in failures or []
            ],
        }
    )


class DynamoPublishJobs(TableRepository):
    """``counts_table``: the invoices table, whose per-property counts each chunk moves
    in the transaction that counts it on its job (None: the counts are not kept)."""

    def __init__(self, table_name: str, client: Any | None = None, *, counts_table: str | None = None) -> None:
        super().__init__(table_name, client)
        self.counts_table = counts_table

    def create(self, job: PublishJob, replacing: str | None = None) -> None:
        """The job, listed under its property and made the property's latest, in one
        transaction. ``replacing``: the latest job the caller saw finished (None: none).
        Raises ``JobExists`` (this id was created before) or ``AnotherJobStarted``."""
        owner = PROPERTY_PREFIX + job.property_id
        head = Put(_head_item(job)).require_absent("pk")
        listed = Put({"pk": owner, "sk": f"{LISTED_PREFIX}{iso(job.started_at)}#{job.job_id}", "job_id": job.job_id})
        latest = Put({"pk": owner, "sk": LATEST, "job_id": job.job_id})
        if replacing is None:
            latest.require_absent("pk")
        else:
            latest.require("{job_id} = :seen", seen=replacing)
        try:
            self._transact([{"Put": _transact(put.request(self.table_name))} for put in (head, listed, latest)])
        except Refused as refused:
            if refused.current == 0:
                raise JobExists(job.job_id) from refused
            current = self._get({"pk": owner, "sk": LATEST})
            raise AnotherJobStarted(current["job_id"] if current else None) from refused

    def latest(self, property_id: str) -> PublishJob | None:
        """The property's most recently started job (running or finished), or None."""
        marker = self._get({"pk": PROPERTY_PREFIX + property_id, "sk": LATEST})
        return self.get(marker["job_id"]) if marker else None

    def for_property(self, property_id: str, limit: int, cursor: str | None) -> tuple[list[PublishJob], str | None]:
        """The property's jobs, newest first."""
        scope = f"jobs|{property_id}"
        request: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "pk = :owner AND begins_with(sk, :listed)",
            "ExpressionAttributeValues": {
                ":owner": to_attr(PROPERTY_PREFIX + property_id),
                ":listed": to_attr(LISTED_PREFIX),
            },
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if cursor:
            request["ExclusiveStartKey"] = to_item(decode_cursor(cursor, scope=scope)["key"])
        response = self.client.query(**request)
        job_ids = [from_item(item)["job_id"] for item in response["Items"]]
        heads = self._heads(job_ids)
        last = response.get("LastEvaluatedKey")
        jobs = [heads[job_id] for job_id in job_ids if job_id in heads]
        return jobs, (encode_cursor({"scope": scope, "key": from_item(last)}) if last else None)

    def _heads(self, job_ids: list[str]) -> dict[str, PublishJob]:
        if not job_ids:
            return {}
        request: dict[str, Any] = {
            self.table_name: {
                "Keys": [to_item({"pk": job_id, "sk": HEAD}) for job_id in job_ids],
                "ConsistentRead": True,
            }
        }
        found: dict[str, PublishJob] = {}
        while request:
            response = self.client.batch_get_item(RequestItems=request)
            for item in response.get("Responses", {}).get(self.table_name, []):
                job = _job_of(from_item(item))
                found[job.job_id] = job
            request = response.get("UnprocessedKeys") or {}
        return found

    def get(self, job_id: str) -> PublishJob | None:
        head = self._get({"pk": job_id, "sk": HEAD})
        return _job_of(head) if head else None

    def get_with_failures(self, job_id: str, max_failures: int) -> PublishJob | None:
        """The job and up to ``max_failures`` of its failed invoices, in one Query."""
        response = self.client.query(
            TableName=self.table_name,
            KeyConditionExpression="pk = :job AND sk <= :head",
            ExpressionAttributeValues={":job": to_attr(job_id), ":head": to_attr(HEAD)},
            ScanIndexForward=False,
            ConsistentRead=True,
            Limit=max_failures + 1,
        )
        items = [from_item(item) for item in response["Items"]]
        if not items or items[0]["sk"] != HEAD:
            return None
        return _job_of(items[0], items[1:])

    def record_fan_out(
        self, job_id: str, seen: FanOutProgress, step: FanOutProgress, enqueued: int, at: datetime, unlisted: int = 0
    ) -> None:
        """Advance the fan-out, conditional on nobody having advanced it since ``seen``."""
        update = (
            Update()
            .set("fanout_seq", step.seq)
            .set("fanout_position", step.position)
            .set("fanout_done", step.done)
            .set("updated_at", iso(at))
            .add("enumerated", enqueued)
            .require("{fanout_seq} = :seq", seq=seen.seq)
        )
        if unlisted:
            update.add("unlisted", unlisted)
        try:
            self._update({"pk": job_id, "sk": HEAD}, update)
        except Refused as moved:
            raise FanOutMoved(job_id) from moved

    def record_chunk(self, job_id: str, message_id: str, tally: ChunkTally, at: datetime) -> bool:
        """Count one worker message once: marker + counters (+ failure reasons) in one
        transaction. False when this message was already counted."""
        now = iso(at)
        marked: dict[str, Any] = {"pk": job_id, "sk": MESSAGE_PREFIX + message_id}
        if tally.published_ids:
            # The job's manifest: kept as long as the job, for its delivery report.
            marked[PUBLISHED_IDS] = set(tally.published_ids)
        else:
            marked["expires_at"] = int((at + timedelta(days=MARKER_DAYS)).timestamp())
        marker = Put(marked).require_absent("pk")
        counters = (
            Update()
            .add("published", tally.published)
            .add("skipped", tally.skipped)
            .add("failed", len(tally.failures))
            .set("updated_at", now)
            .require_present("pk")
        )
        failures = [
            Put({"pk": job_id, "sk": FAILURE_PREFIX + invoice_id, "reason": reason, "at": now})
            for invoice_id, reason in tally.failures
        ]
        items = [
            {"Put": _transact(marker.request(self.table_name))},
            {"Update": _transact(counters.request(self.table_name, {"pk": job_id, "sk": HEAD}))},
            *({"Put": _transact(put.request(self.table_name))} for put in failures),
        ]
        if self.counts_table and tally.property_id and tally.published:
            # The chunk's publishes move the property's counts once, with the chunk.
            moved = CountChange(
                {InvoiceStatus.DRAFT: -tally.published, InvoiceStatus.OPEN: tally.published},
                -tally.published_amount,
            )
            request = moved.update().request(self.counts_table, counts_key(tally.property_id))
            items.append({"Update": _transact(request)})
        try:
            self._transact(items)
        except Refused as refused:
            if refused.current == 0:  # the marker: this message was counted before
                return False
            raise
        return True


def _transact(request: dict[str, Any]) -> dict[str, Any]:
    """A single-item request as a transaction item (no return values there)."""
    return {key: value for key, value in request.items() if not key.startswith("Return")}
