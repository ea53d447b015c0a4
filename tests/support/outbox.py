"""Drives the email flow as AWS would: the invoice table's stream, read from moto, through
the template's event source mapping into the outbox function, onto the email queue, and
from the queue, as Lambda's SQS event source does, into the email sender and out through
SES. A message that failed comes back after the queue's visibility timeout: the clock
moves on by that much, so claim leases age as they would."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import boto3
from botocore.exceptions import ClientError
from moto.backends import get_backend

from hoa_billing.adapters.ses import SesEmailSender
from hoa_billing.core.clock import FixedClock
from hoa_billing.core.settings import EmailSettings
from hoa_billing.data.directory import DynamoDirectory
from hoa_billing.data.notices import DynamoNotices
from hoa_billing.data.outbox import DynamoEmailOutbox
from hoa_billing.data.queues import SqsQueue
from hoa_billing.email import EmailRequests, InvoiceEmailer, Mailroom, NoticeEmailer, PropertySenders
from hoa_local.consumers import SqsConsumer
from hoa_local.lambdas import function_invoker
from hoa_local.streams import EventSourceMapping, FunctionCrashed, StreamReader
from hoa_local.template import Stack

SENDER = "billing@maplecourt.example"
PORTAL = "https://portal.maplecourt.example"


@dataclass
class DrainReport:
    """One run of the email flow: the sender's invocations, and what was given up on (a
    stream batch the outbox function could not forward, a queue message moved to the
    dead-letter queue after its last receive)."""

    forwarded: int = 0  # queue messages the outbox function sent
    invocations: int = 0
    failed_receives: int = 0  # receives of a message that came back
    discarded: list[dict[str, Any]] = field(default_factory=list)


class EmailFlow:
    """The stream, the outbox function, the email queue and the sender, as one."""

    def __init__(self, stack: Stack, clock: FixedClock, emailer: InvoiceEmailer) -> None:
        self.stack = stack
        self.clock = clock
        self.emailer = emailer
        sqs = boto3.client("sqs")
        self.sqs = sqs
        streams = boto3.client("dynamodbstreams")
        self.reader = StreamReader(streams, stack.attributes["InvoicesTable"]["StreamArn"])
        self.mapping = EventSourceMapping.from_template(stack, "EmailOutboxFunction", "EmailRequested", sqs=sqs)
        # Receipts and payment notices: the notices table's stream, the same function.
        self.notice_reader = StreamReader(streams, stack.attributes["NoticesTable"]["StreamArn"])
        self.notice_mapping = EventSourceMapping.from_template(stack, "EmailOutboxFunction", "NoticeQueued", sqs=sqs)
        self.notices = NoticeEmailer(
            DynamoNotices(stack.physical_name("NoticesTable"), stack.physical_name("InvoicesTable")),
            DynamoEmailOutbox(stack.physical_name("InvoicesTable")),
            DynamoDirectory(stack.physical_name("PropertiesTable")),
            emailer.sender,
            emailer.settings,
            clock,
            senders=emailer.senders,
        )
        self.mailroom = Mailroom(emailer, self.notices)
        self.requests = EmailRequests(SqsQueue(stack.attributes["EmailQueue"]["QueueUrl"]))
        self.sender = SqsConsumer.for_function(stack, "EmailSenderFunction", sqs, deps=self.mailroom)
        queue = stack.template["Resources"]["EmailQueue"]["Properties"]
        self.visibility = timedelta(seconds=int(queue["VisibilityTimeout"]))
        self.dead_letters = stack.attributes["EmailDeadLetterQueue"]["QueueUrl"]

    def records(self) -> list[dict[str, Any]]:
        return self.reader.read()

    def notice_records(self) -> list[dict[str, Any]]:
        return self.notice_reader.read()

    def give_up_after(self, receives: int) -> None:
        """SQS moves a message to the dead-letter queue after this many receives."""
        policy = {
            "deadLetterTargetArn": self.stack.attributes["EmailDeadLetterQueue"]["Arn"],
            "maxReceiveCount": receives,
        }
        self.sqs.set_queue_attributes(QueueUrl=self.sender.queue_url, Attributes={"RedrivePolicy": json.dumps(policy)})

    def run(
        self,
        records: list[dict[str, Any]] | None = None,
        *,
        wait: bool = True,
        notice_records: list[dict[str, Any]] | None = None,
    ) -> DrainReport:
        """Forward both streams' new records (or the ones given), then let the sender take
        the queue until it is empty. ``wait``: a failed message comes back once the
        visibility timeout has passed (the clock moves on); otherwise at once."""
        report = DrainReport()
        batch = self.records() if records is None else records
        notices = self.notice_records() if notice_records is None else notice_records
        before = self._dead_letter_count()
        forward = function_invoker(self.stack, "EmailOutboxFunction", deps=self.requests)
        forwarding = self.mapping.deliver(batch, forward)
        report.discarded += forwarding.discarded
        report.discarded += self.notice_mapping.deliver(notices, forward).discarded
        report.forwarded = self._queued()
        for _ in range(1000):
            outcome = self.sender.poll_once()
            if outcome is None:
                break
            report.invocations += 1
            if outcome.failed:
                report.failed_receives += len(outcome.failed)
                if wait:
                    self.clock.at = self.clock.at + self.visibility
        moved = self._dead_letter_count() - before
        report.discarded += [{"EmailQueue": "moved to EmailDeadLetterQueue"}] * moved
        return report

    def _queued(self) -> int:
        attributes = self.sqs.get_queue_attributes(
            QueueUrl=self.sender.queue_url, AttributeNames=["ApproximateNumberOfMessages"]
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"])

    def _dead_letter_count(self) -> int:
        attributes = self.sqs.get_queue_attributes(
            QueueUrl=self.dead_letters,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])

    def dead_letters_received(self) -> list[dict[str, Any]]:
        return list(self.sqs.receive_message(QueueUrl=self.dead_letters, MaxNumberOfMessages=10).get("Messages", []))


class Outbox(EmailFlow):
    def __init__(self, stack: Stack, clock: FixedClock, **settings: Any) -> None:
        self.ses = boto3.client("sesv2")
        self.settings = EmailSettings.model_validate(
            stack.function_environment("EmailSenderFunction") | {k.upper(): v for k, v in settings.items()}
        )
        emailer = InvoiceEmailer(
            DynamoEmailOutbox(stack.physical_name("InvoicesTable")),
            SesEmailSender(self.ses, self.settings.sender_email, self.settings.configuration_set),
            self.settings,
            clock,
            senders=PropertySenders(DynamoDirectory(stack.physical_name("PropertiesTable"))),
        )
        super().__init__(stack, clock, emailer)
        self.calls = 0
        self.ses_requests: list[dict[str, Any]] = []  # SendEmail's parameters, as sent
        self.ses.meta.events.register("before-call.sesv2.SendEmail", self._count)
        self.ses.meta.events.register("provide-client-params.sesv2.SendEmail", self._keep)

    def _count(self, **_: Any) -> None:
        self.calls += 1

    def _keep(self, params: dict[str, Any], **_: Any) -> None:
        self.ses_requests.append(dict(params))

    @staticmethod
    def sent() -> list[Any]:
        return list(get_backend("ses")["123456789012"]["us-east-1"].sent_messages)

    # -- faults at the SES client boundary -----------------------------------------------

    def crash_before_send(self, times: int = 1) -> None:
        self._fault("before-call.sesv2.SendEmail", times, FunctionCrashed)

    def crash_after_send(self, times: int = 1) -> None:
        self._fault("after-call.sesv2.SendEmail", times, FunctionCrashed)

    def throttle_every_second_call(self) -> None:
        def throttle(**_: Any) -> None:
            if self.calls % 2 == 0:
                raise throttled()

        self.ses.meta.events.register("before-call.sesv2.SendEmail", throttle)

    def throttle_always(self) -> None:
        def throttle(**_: Any) -> None:
            raise throttled()

        self.ses.meta.events.register("before-call.sesv2.SendEmail", throttle)

    def _fault(self, event: str, times: int, error: type[BaseException]) -> None:
        remaining = [times]

        def fault(**_: Any) -> None:
            if remaining[0] > 0:
                remaining[0] -= 1
                raise error(event)

        self.ses.meta.events.register(event, fault)


def throttled() -> ClientError:
    return ClientError(
        {
            "Error": {"Code": "TooManyRequestsException", "Message": "Maximum sending rate exceeded."},
            "ResponseMetadata": {"HTTPStatusCode": 429},
        },
        "SendEmail",
    )


def later(clock: FixedClock, seconds: int) -> None:
    clock.at = clock.at + timedelta(seconds=seconds)
