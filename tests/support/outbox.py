"""Drives the email flow as AWS would: the invoice table's stream, read from moto, through
the template's event source mapping, into the email sender function, out through SES."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import boto3
from botocore.exceptions import ClientError
from moto.backends import get_backend

from hoa_billing.adapters.ses import SesEmailSender
from hoa_billing.core.clock import FixedClock
from hoa_billing.core.settings import EmailSettings
from hoa_billing.data.outbox import DynamoEmailOutbox
from hoa_billing.email import InvoiceEmailer
from hoa_local.lambdas import function_invoker
from hoa_local.streams import DeliveryReport, EventSourceMapping, FunctionCrashed, StreamReader
from hoa_local.template import Stack

SENDER = "billing@maplecourt.example"
PORTAL = "https://portal.maplecourt.example"


class Outbox:
    def __init__(self, stack: Stack, clock: FixedClock, **settings: Any) -> None:
        self.stack = stack
        self.clock = clock
        self.reader = StreamReader(boto3.client("dynamodbstreams"), stack.attributes["InvoicesTable"]["StreamArn"])
        self.mapping = EventSourceMapping.from_template(
            stack, "EmailSenderFunction", "EmailRequested", sqs=boto3.client("sqs")
        )
        self.ses = boto3.client("sesv2")
        self.settings = EmailSettings.model_validate(
            stack.function_environment("EmailSenderFunction") | {k.upper(): v for k, v in settings.items()}
        )
        self.emailer = InvoiceEmailer(
            DynamoEmailOutbox(stack.physical_name("InvoicesTable")),
            SesEmailSender(self.ses, self.settings.sender_email, self.settings.configuration_set),
            self.settings,
            clock,
        )
        self.calls = 0
        self.ses.meta.events.register("before-call.sesv2.SendEmail", self._count)

    def _count(self, **_: Any) -> None:
        self.calls += 1

    def records(self) -> list[dict[str, Any]]:
        return self.reader.read()

    def run(self, records: list[dict[str, Any]] | None = None) -> DeliveryReport:
        """Deliver the stream's new records (or the ones given) to the email sender."""
        batch = self.records() if records is None else records
        return self.mapping.deliver(batch, function_invoker(self.stack, "EmailSenderFunction", deps=self.emailer))

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
