"""A stand-in SQS/schedule function for the local runtime's tests: what it does is
steered by each message body, and it records every event it was invoked with."""

from __future__ import annotations

import json
from typing import Any

invocations: list[dict[str, Any]] = []


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    invocations.append(event)
    if "Records" not in event:
        return {"ran": True}
    bodies = [json.loads(record["body"]) for record in event["Records"]]
    if any(body.get("crash") for body in bodies):
        raise RuntimeError("the function crashed")
    failures = [
        {"itemIdentifier": "not-in-this-batch" if body.get("bogus") else record["messageId"]}
        for record, body in zip(event["Records"], bodies, strict=True)
        if body.get("fail") or body.get("bogus")
    ]
    return {"batchItemFailures": failures}
