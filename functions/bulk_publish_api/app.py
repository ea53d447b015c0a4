"""Publish All Drafts from the Invoices page: the dialog's preview, the confirmed start,
the job's progress, and the property's jobs."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Query

from hoa_billing import compose
from hoa_billing.api.auth import Caller
from hoa_billing.api.http import ApiFunction, json_response, refusals
from hoa_billing.api.publish_all_schemas import (
    PublishAllAccepted,
    PublishAllIn,
    PublishAllPreviewOut,
    PublishJobListOut,
    PublishJobOut,
)
from hoa_billing.core import errors
from hoa_billing.core.jobs import JobState
from hoa_billing.publish_all import PublishAll, job_id_for

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


lambda_handler = api.handler
