"""The fault table's rows and the normal ways each path recovers.

A row is one fault on one AWS call of one path. The paths recover only as they would in
production: the SDK retries what it retries, an API caller retries with the same
Idempotency-Key (waiting out a ``request_in_progress``), Stripe redelivers a webhook
that got no 2xx, and Lambda redelivers a stream batch that failed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import boto3
from moto.backends import get_backend

from hoa_billing.adapters.ses import SesEmailSender, ses_client
from hoa_billing.core.clock import FixedClock
from hoa_billing.core.settings import EmailSettings
from hoa_billing.data import aws
from hoa_billing.data.outbox import DynamoEmailOutbox
from hoa_billing.email import InvoiceEmailer
from hoa_local.faults import (
    CONNECT_TIMEOUT,
    CRASH_AFTER,
    CRASH_BEFORE,
    INTERNAL_ERROR,
    READ_TIMEOUT,
    SERVICE_UNAVAILABLE,
    THROTTLING,
    THROUGHPUT_EXCEEDED,
    TOO_MANY_REQUESTS,
    Fault,
    FaultInjector,
)
from hoa_local.streams import FunctionCrashed
from hoa_local.template import Stack
from tests.support.api import ApiResponse
from tests.support.outbox import EmailFlow

SENDER = "billing@maplecourt.example"
EVERY_ATTEMPT = 99  # more attempts than any client makes: the SDK gives up


@dataclass(frozen=True)
class Step:
    """One AWS call of a path, in the order the path makes them."""

    name: str
    service: str
    operation: str
    table: str | None = None  # the template's logical id
    call: int = 1  # which call of that operation on that table


@dataclass(frozen=True)
class Row:
    step: Step
    fault: Fault
    times: int = 1

    @property
    def id(self) -> str:
        times = "all" if self.times == EVERY_ATTEMPT else f"x{self.times}"
        return f"{self.step.name}:{self.fault.name.replace(' ', '-')}:{times}"

    def inject(self, stack: Stack) -> FaultInjector:
        faults = FaultInjector()
        table = stack.physical_name(self.step.table) if self.step.table else None
        faults.on(
            self.step.service, self.step.operation, self.fault, call=self.step.call, times=self.times, table=table
        )
        return faults


def rows_for(steps: list[Step]) -> list[Row]:
    """Every fault on every step: one transient failure the SDK absorbs, the same
    failure on every attempt (it reaches our code), timeouts, and crashes."""
    rows = []
    for step in steps:
        throttle = {"dynamodb": THROUGHPUT_EXCEEDED, "sesv2": TOO_MANY_REQUESTS}.get(step.service, THROTTLING)
        rows += [
            Row(step, THROTTLING if step.service != "sesv2" else TOO_MANY_REQUESTS),
            Row(step, throttle, EVERY_ATTEMPT),
            Row(step, INTERNAL_ERROR),
            Row(step, SERVICE_UNAVAILABLE, EVERY_ATTEMPT),
            Row(step, CONNECT_TIMEOUT),
            Row(step, READ_TIMEOUT),
            Row(step, CRASH_BEFORE),
            Row(step, CRASH_AFTER),
        ]
    return rows


class Recovery:
    """What recovery took, for the table: how the path got back on its feet."""

    def __init__(self) -> None:
        self.via: list[str] = []
        self.statuses: list[int] = []  # every HTTP status the caller saw, in order

    def note(self, how: str) -> None:
        if how not in self.via:
            self.via.append(how)

    def summary(self, faults: FaultInjector) -> str:
        via = list(self.via)
        if faults.backoff:
            via.insert(0, "SDK retry")
        return ", ".join(via) or "none needed"


def retry_as_a_client(
    call: Any, recovery: Recovery, later: Any, *, lease_seconds: int, who: str, attempts: int = 5
) -> ApiResponse:
    """Call, and retry as a well-behaved client does: after a 5xx or a dead connection
    at once, after a "still in progress" once the previous attempt's lease is over."""
    for _ in range(attempts):
        try:
            response = call()
        except FunctionCrashed:
            recovery.note(f"{who} retry after the function died")
            recovery.statuses.append(502)  # what API Gateway answers for a dead function
            continue
        except Exception as error:  # the function failed outside the resolver
            recovery.note(f"{who} retry after a function error ({type(error).__name__})")
            recovery.statuses.append(500)
            continue
        recovery.statuses.append(response.status)
        if response.status >= 500:
            recovery.note(f"{who} retry after {response.status} {response.error_code}")
            continue
        if response.error_code in ("request_in_progress", "event_in_progress"):
            recovery.note(f"{who} retry after the in-progress lease")
            later(seconds=lease_seconds + 1)
            continue
        return response
    raise AssertionError(f"{who} gave up after {attempts} attempts")


class EmailPipe(EmailFlow):
    """The invoice stream through the outbox function and the email queue into the email
    sender, sending through an SES client configured as in production."""

    def __init__(self, stack: Stack, clock: FixedClock) -> None:
        boto3.client("ses").verify_email_identity(EmailAddress=SENDER)
        self.ses = ses_client()
        settings = EmailSettings.model_validate(stack.function_environment("EmailSenderFunction"))
        emailer = InvoiceEmailer(
            DynamoEmailOutbox(stack.physical_name("InvoicesTable")),
            SesEmailSender(self.ses, settings.sender_email, settings.configuration_set),
            settings,
            clock,
        )
        super().__init__(stack, clock, emailer)
        self.invocations = 0

    def deliver(self, recovery: Recovery | None = None) -> None:
        """Deliver what the stream has, as Lambda does: a failed message comes back."""
        report = self.run()
        self.invocations += report.invocations
        assert not report.discarded, report.discarded
        if recovery is not None and report.failed_receives:
            recovery.note("queue redelivery")

    @staticmethod
    def sent() -> list[Any]:
        return list(get_backend("ses")["123456789012"]["us-east-1"].sent_messages)


def dynamodb() -> Any:
    return aws.client("dynamodb")


def clock() -> FixedClock:
    return FixedClock(datetime(2026, 3, 2, 15, 0, tzinfo=UTC))


def actions(history: list[dict[str, Any]]) -> list[str]:
    return [entry["action"] for entry in history]
