"""Publish All Drafts from the Invoices page: the dialog's preview, the confirmed start,
and the job's progress."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from hoa_billing.api import auth
from hoa_billing.api.bulk_schemas import PublishAllAccepted, PublishAllIn, PublishAllPreviewOut, PublishJobOut
from hoa_billing.api.http import create_app, entry, idempotent, json_response
from hoa_billing.bulk import BulkPublisher, job_id_for
from hoa_billing.bulk_wiring import bulk_context

app = create_app()


def _bulk() -> BulkPublisher:
    bulk: BulkPublisher = app.context["bulk"]
    return bulk


@app.get("/properties/<property_id>/publish-all/preview")
def preview(property_id: str) -> Response[PublishAllPreviewOut]:
    auth.manager(app.current_event.raw_event, property_id)
    return json_response(200, PublishAllPreviewOut.of(_bulk().preview(property_id)))


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
    manager = auth.manager(app.current_event.raw_event, property_id)

    actor = manager.actor()
    key = app.current_event.headers.get("idempotency-key")
    # With a key, a retry of an attempt that died midway finds that attempt's job.
    job_id = job_id_for(property_id, actor, key) if key else None

    def start() -> tuple[int, PublishAllAccepted]:
        job = _bulk().start(property_id, body.expected_count, actor, job_id, resume=job_id is not None)
        url = f"/properties/{property_id}/publish-jobs/{job.job_id}"
        return 202, PublishAllAccepted(job_id=job.job_id, count=job.total, state=job.state, status_url=url)

    return idempotent(app, manager.subject, start)


@app.get("/properties/<property_id>/publish-jobs/<job_id>")
def job(property_id: str, job_id: str) -> Response[PublishJobOut]:
    auth.manager(app.current_event.raw_event, property_id)
    return json_response(200, PublishJobOut.of(_bulk().job(property_id, job_id)))


lambda_handler = entry(app, bulk_context, caller="manager")
