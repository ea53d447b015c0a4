"""Publish All Drafts from the Invoices page: the dialog's preview, the confirmed start,
and the job's progress."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from hoa_billing import compose
from hoa_billing.api.auth import Caller
from hoa_billing.api.http import ApiFunction, json_response
from hoa_billing.api.publish_all_schemas import PublishAllAccepted, PublishAllIn, PublishAllPreviewOut, PublishJobOut
from hoa_billing.publish_all import PublishAll, job_id_for

api = ApiFunction[PublishAll](compose.publish_all, Caller.MANAGER)
app = api.app


@app.get("/properties/<property_id>/publish-all/preview")
def preview(property_id: str) -> Response[PublishAllPreviewOut]:
    return json_response(200, PublishAllPreviewOut.of(api.deps().starts.preview(property_id)))


@app.post(
    "/properties/<property_id>/publish-all",
    responses={
        202: {
            "description": "Accepted: the job runs; follow status_url",
            "content": {"application/json": {"model": PublishAllAccepted}},
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
        return 202, PublishAllAccepted.of(job)

    return api.idempotent(manager, start)


@app.get("/properties/<property_id>/publish-jobs/<job_id>")
def job(property_id: str, job_id: str) -> Response[PublishJobOut]:
    return json_response(200, PublishJobOut.of(api.deps().jobs.get(property_id, job_id)))


lambda_handler = api.handler
