"""SES's word about a sent email, played locally: a permanent bounce or a complaint.

On AWS the recipient's mail server bounces a message, SES publishes the event through
the configuration set's event destination to an SNS topic, and SNS invokes the function
subscribed to it (``EmailEventsFunction``), which marks the address bouncing. Locally no
mail server answers, so ``POST /_local/ses/notifications`` (``hoa email-bounce``) builds
the event SES would publish for one sent email and delivers it, as SNS would (one record
per invocation), to every function template.yaml subscribes to the topic that
``AWS::SES::ConfigurationSetEventDestination`` names.

    {"kind": "bounce", "invoice_id": "inv_...", "message_id": "<the SES message id>",
     "recipient": "pat@example.com"}
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from werkzeug.wrappers import Request, Response

from hoa_local.template import Stack

PATH = "/_local/ses/notifications"
KINDS = ("bounce", "complaint")


def ses_event(kind: str, *, invoice_id: str, message_id: str, recipient: str, at: datetime) -> dict[str, Any]:
    """The event SES publishes to a configuration set's SNS destination."""
    when = at.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    mail = {
        "timestamp": when,
        "messageId": message_id,
        "destination": [recipient],
        "tags": {"invoice_id": [invoice_id]},
    }
    if kind == "bounce":
        return {
            "eventType": "Bounce",
            "bounce": {
                "bounceType": "Permanent",
                "bounceSubType": "General",
                "bouncedRecipients": [
                    {
                        "emailAddress": recipient,
                        "action": "failed",
                        "status": "5.1.1",
                        "diagnosticCode": "smtp; 550 5.1.1 user unknown",
                    }
                ],
                "timestamp": when,
                "feedbackId": str(uuid.uuid4()),
            },
            "mail": mail,
        }
    if kind == "complaint":
        return {
            "eventType": "Complaint",
            "complaint": {
                "complainedRecipients": [{"emailAddress": recipient}],
                "timestamp": when,
                "feedbackId": str(uuid.uuid4()),
                "complaintFeedbackType": "abuse",
            },
            "mail": mail,
        }
    raise ValueError(f"kind must be one of {', '.join(KINDS)}")


def sns_event(topic_arn: str, message: dict[str, Any], at: datetime) -> dict[str, Any]:
    """What SNS passes to a subscribed Lambda function for one published message."""
    return {
        "Records": [
            {
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "EventSubscriptionArn": f"{topic_arn}:{uuid.uuid4()}",
                "Sns": {
                    "Type": "Notification",
                    "MessageId": str(uuid.uuid4()),
                    "TopicArn": topic_arn,
                    "Subject": None,
                    "Message": json.dumps(message),
                    "Timestamp": at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                    "SignatureVersion": "1",
                    "Signature": "",
                    "SigningCertUrl": "",
                    "UnsubscribeUrl": "",
                    "MessageAttributes": {},
                },
            }
        ]
    }


class SesNotifications:
    """Delivers SES events to the functions subscribed to the configuration set's topic."""

    def __init__(self, stack: Stack, invoke: Callable[[str, dict[str, Any]], Any]) -> None:
        self.stack = stack
        self.invoke = invoke

    def topic_arn(self) -> str:
        (destination,) = self.stack.resources("AWS::SES::ConfigurationSetEventDestination").values()
        return str(self.stack.resolve(destination["EventDestination"]["SnsDestination"]["TopicARN"]))

    def subscribers(self) -> list[str]:
        topic = self.topic_arn()
        return [
            function
            for function, _, props in self.stack.events_of("SNS")
            if str(self.stack.resolve(props["Topic"])) == topic
        ]

    def deliver(self, kind: str, *, invoice_id: str, message_id: str, recipient: str) -> list[str]:
        now = datetime.now(UTC)
        event = sns_event(
            self.topic_arn(),
            ses_event(kind, invoice_id=invoice_id, message_id=message_id, recipient=recipient, at=now),
            now,
        )
        functions = self.subscribers()
        for function in functions:
            self.invoke(function, event)
        return functions

    def view(self, request: Request, rest: str) -> Response:
        body = request.get_json(silent=True)
        wanted = ("kind", "invoice_id", "message_id", "recipient")
        if rest.strip("/") or not isinstance(body, dict) or not all(isinstance(body.get(k), str) for k in wanted):
            return _json(
                400,
                {
                    "message": 'the body is {"kind": "bounce"|"complaint", '
                    + ", ".join(f'"{k}": "..."' for k in wanted[1:])
                    + "}"
                },
            )
        if body["kind"] not in KINDS:
            return _json(400, {"message": f"kind must be one of {', '.join(KINDS)}"})
        try:
            functions = self.deliver(
                body["kind"], invoice_id=body["invoice_id"], message_id=body["message_id"], recipient=body["recipient"]
            )
        except Exception as failed:
            return _json(500, {"message": f"the function raised {type(failed).__name__}: {failed}"})
        return _json(200, {"delivered_to": functions})


def _json(status: int, body: Any) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")
