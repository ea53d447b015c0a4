"""Publish All Drafts from the Invoices page: the dialog's preview, the confirmed start,
the job's progress, the property's jobs, and each job's delivery report (JSON and CSV)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Query

from hoa_billing import compose
from hoa_billing.api import delivery_csv
from hoa_billing.api.auth import Caller
from hoa_billing.api.http import ApiFunction, json_response, refusals
from hoa_billing.api.publish_all_schemas import (
    JobDeliveriesOut,
    PublishAllAccepted,
    PublishAllIn,
    PublishAllPreviewOut,
    PublishJobListOut,
    PublishJobOut,
)
from hoa_billing.core import errors
from hoa_billing.core.jobs import JobState
from hoa_billing.publish_all import DeliveryState, PublishAll, job_id_for

api = ApiFunction[PublishAll](compose.publish_all, Caller.MANAGER)
app = api.app


@app.get(
    "/properties/<property_id>/publish-all/preview",
    summary="The Publish All dialog",
    description="How many drafts will be published, their total, and how many residents get the email "
    "(the others must be told another way).",
    tags=["Publish All"],
    operation_id="previewPublishAll",
    openapi_extensions=refusals(errors.PropertyNotFound),
)
def preview(property_id: str) -> Response[PublishAllPreviewOut]:
    return json_response(200, PublishAllPreviewOut.of(api.deps().starts.preview(property_id)))


@app.post(
    "/properties/<property_id>/publish-all",
    summary="Publish all drafts",
    description="Starts publishing every draft, if their count is still the one the manager confirmed (409 "
    "`draft_count_changed` otherwise; `no_drafts` with none). At most one runs per property: 409 "
    "`publish_all_running` names the running job. A retry with the same Idempotency-Key gets the first 202.",
    tags=["Publish All"],
    operation_id="startPublishAll",
    openapi_extensions=refusals(
        errors.PropertyNotFound,
        errors.NoDraftsToPublish,
        errors.DraftCountChanged,
        errors.PublishAllRunning,
        idempotent=True,
    ),
    responses={
        202: {
            "description": "Accepted: the job runs; follow `status_url` (also the `Location` header)",
            "content": {"application/json": {"model": PublishAllAccepted}},
            "headers": {"Location": {"description": "The job's progress.", "schema": {"type": "string"}}},
        }
    },
)
def publish_all(property_id: str, body: Annotated[PublishAllIn, Body()]) -> Response[PublishAllAccepted]:
    manager = api.manager()
    actor = manager.actor()
    key = api.idempotency_key()
    # With a key, a retry of an attempt that died midway finds that attempt's job.
    job_id = job_id_for(property_id, actor, key) if key else None

    def start() -> tuple[int, PublishAllAccepted]:
        job = api.deps().starts.start(property_id, body.expected_count, actor, job_id, resume=job_id is not None)
        return 202, PublishAllAccepted.of(
            job, api.resource_path(f"/properties/{property_id}/publish-jobs/{job.job_id}")
        )

    def location(body: dict[str, Any]) -> dict[str, str]:
        return {"Location": str(body["status_url"])}

    return api.idempotent(manager, start, headers=location)


@app.get(
    "/properties/<property_id>/publish-jobs",
    summary="The property's Publish All jobs",
    description="Newest first; `state=running` finds the running one after a page reload.",
    tags=["Publish All"],
    operation_id="listPublishJobs",
)
def jobs(
    property_id: str,
    state: Annotated[JobState | None, Query(description="Only jobs in this state.")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=4096)] = None,
) -> Response[PublishJobListOut]:
    found, next_cursor = api.deps().jobs.list(property_id, state, limit, cursor)
    return json_response(200, PublishJobListOut(items=[PublishJobOut.of(j) for j in found], next_cursor=next_cursor))


@app.get(
    "/properties/<property_id>/publish-jobs/<job_id>",
    summary="A Publish All job's progress",
    description="Published, skipped (no longer a Draft when its turn came) and failed (with reasons), and the "
    "state: running until every draft counted at the start is accounted for.",
    tags=["Publish All"],
    operation_id="getPublishJob",
    openapi_extensions=refusals(errors.PublishJobNotFound),
)
def job(property_id: str, job_id: str) -> Response[PublishJobOut]:
    return json_response(200, PublishJobOut.of(api.deps().jobs.get(property_id, job_id)))


Cursor = Annotated[str | None, Query(description="The next_cursor of the previous page.", max_length=4096)]
EmailFilter = Annotated[
    DeliveryState | None,
    Query(
        description="Only deliveries in this email state: failed, bounced, skipped_no_address (no usable "
        "address), sent, queued, not_requested."
    ),
]


@app.get(
    "/properties/<property_id>/publish-jobs/<job_id>/deliveries",
    summary="A Publish All job's delivery report",
    description="Which residents were emailed, whose email failed or bounced (with the reason) and who has no "
    "usable address, as the emails stand now: `counts` over every invoice the job published (they add up to "
    "its published count once it finished), `items` a page in invoice-number order. A job started before "
    "delivery reports existed answers `available: false`.",
    tags=["Publish All"],
    operation_id="getPublishJobDeliveries",
    openapi_extensions=refusals(errors.PublishJobNotFound),
)
def deliveries(
    property_id: str,
    job_id: str,
    email: EmailFilter = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Cursor = None,
) -> Response[JobDeliveriesOut]:
    report = api.deps().deliveries.report(property_id, job_id, email, limit, cursor)
    return json_response(200, JobDeliveriesOut.of(report))


CSV_EXAMPLE = (
    "Invoice,Resident,Unit,Amount,Email status,Email address,Reason\r\n"
    "INV-00012,Pat Lee,1A,$325.00,Sent,pat.lee@example.com,\r\n"
    "INV-00013,Sam Ortiz,2B,$325.00,No email address,,\r\n"
)


@app.get(
    "/properties/<property_id>/publish-jobs/<job_id>/deliveries.csv",
    summary="A Publish All job's delivery report as CSV",
    description="One row per invoice the job published (invoice, resident, unit, amount, email status, address, "
    "reason), for a spreadsheet; `email=` keeps one email state. Cells a spreadsheet would read as a formula "
    "start with a single quote. A report larger than one response (about 5 MB: some 60,000 typical rows) comes "
    'in parts: `X-Next-Cursor` (and `Link: <...>; rel="next"`) names the next, which repeats the header row.',
    tags=["Publish All"],
    operation_id="getPublishJobDeliveriesCsv",
    openapi_extensions=refusals(errors.PublishJobNotFound),
    responses={
        200: {
            "description": "The CSV (UTF-8 with a byte-order mark), as an attachment.",
            "content": {"text/csv": {"schema": {"type": "string"}, "example": CSV_EXAMPLE}},
            "headers": {
                "Content-Disposition": {
                    "description": 'attachment; filename="publish-<job>-deliveries.csv"',
                    "schema": {"type": "string"},
                },
                "X-Next-Cursor": {
                    "description": "Present when the report goes on in another part: pass it as `cursor`.",
                    "schema": {"type": "string"},
                },
            },
        }
    },
)
def deliveries_csv(property_id: str, job_id: str, email: EmailFilter = None, cursor: Cursor = None) -> Response[str]:
    reports = api.deps().deliveries
    report = reports.report(property_id, job_id, email, delivery_csv.MAX_ROWS, cursor)
    text, rest = delivery_csv.render(
        report.lines, lambda line: reports.resume_after(job_id, email, line), delivery_csv.BUDGET_BYTES
    )
    rest = rest or report.next_cursor
    headers = {"Content-Disposition": delivery_csv.content_disposition(job_id), "Cache-Control": "no-store"}
    if rest:
        query = urlencode({"cursor": rest, **({"email": email.value} if email else {})})
        headers["X-Next-Cursor"] = rest
        headers["Link"] = f"<{api.resource_path(f'/properties/{property_id}/publish-jobs/{job_id}/deliveries.csv')}"
        headers["Link"] += f'?{query}>; rel="next"'
    return Response(status_code=200, content_type="text/csv; charset=utf-8", body=text, headers=headers)


lambda_handler = api.handler
