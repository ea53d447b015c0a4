"""Each invocation's log lines carry its own keys. The local runtime runs every function
in one process, a thread per invocation, with one Powertools logger: an email sender
running while an API request was in flight used to relabel the request's lines with
the sender's name and drop its correlation id (or lend it to the sender)."""

from __future__ import annotations

import threading
from typing import Any

from hoa_billing.api.auth import Caller
from hoa_billing.api.http import ApiFunction, json_response
from hoa_billing.core.observability import instrumented, logger
from hoa_local.lambdas import LambdaContext


def api_event(request_id: str) -> dict[str, Any]:
    return {
        "version": "2.0",
        "routeKey": "GET /ping",
        "rawPath": "/ping",
        "rawQueryString": "",
        "headers": {},
        "requestContext": {
            "requestId": request_id,
            "http": {"method": "GET", "path": "/ping", "sourceIp": "127.0.0.1"},
            "routeKey": "GET /ping",
            "stage": "$default",
        },
        "isBase64Encoded": False,
    }


def test_a_function_running_meanwhile_does_not_relabel_an_api_request_s_lines(log_lines):
    inside, release = threading.Event(), threading.Event()
    api = ApiFunction[None](lambda: None, Caller.PUBLIC)

    @api.app.get("/ping")
    def ping() -> Any:
        logger.info("api before")
        inside.set()
        assert release.wait(30)
        logger.info("api after")
        return json_response(200, {"ok": True})

    @instrumented
    def email_sender(event: dict[str, Any], context: Any) -> None:
        logger.info("sender")

    answers: list[dict[str, Any]] = []
    request = threading.Thread(
        target=lambda: answers.append(api.handler(api_event("corr-api-1"), LambdaContext("InvoiceReadsFunction")))
    )
    request.start()
    assert inside.wait(30)
    email_sender({"Records": []}, LambdaContext("EmailSenderFunction"))
    release.set()
    request.join(30)

    assert answers[0]["statusCode"] == 200
    lines = {line["message"]: line for line in log_lines.lines}
    for message in ("api before", "api after"):
        assert lines[message]["function_name"] == "InvoiceReadsFunction"
        assert lines[message]["correlation_id"] == "corr-api-1"
    assert lines["sender"]["function_name"] == "EmailSenderFunction"
    assert "correlation_id" not in lines["sender"]
    assert lines["api after"]["function_request_id"] != lines["sender"]["function_request_id"]


def test_keys_do_not_outlive_their_invocation(log_lines):
    @instrumented
    def handler(event: dict[str, Any], context: Any) -> None:
        logger.info("inside")

    handler({}, LambdaContext("BulkFanOutFunction"))
    logger.info("outside")

    lines = {line["message"]: line for line in log_lines.lines}
    assert lines["inside"]["function_name"] == "BulkFanOutFunction"
    assert "function_name" not in lines["outside"]
