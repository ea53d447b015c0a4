"""Fixtures for the fault table: an injected clock for the email sender, wall-clock
travel for the leases that use real time, and the row's outcome for the table."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from hoa_billing import compose
from hoa_billing.core.clock import FixedClock
from hoa_billing.data import parameters
from hoa_local.stripe_fake import TEST_WEBHOOK_SECRET
from hoa_local.template import Stack
from tests.support.api import STACK
from tests.support.faults import clock as start_clock

for _key, _value in STACK.function_environment("StripeWebhookFunction").items():
    os.environ.setdefault(_key, _value)


@pytest.fixture
def clock() -> FixedClock:
    return start_clock()


@pytest.fixture
def later(time_machine: Any) -> Callable[..., None]:
    """Let wall-clock time pass (leases and Powertools' in-progress expiry read it)."""

    def move(seconds: int) -> None:
        time_machine.move_to(datetime.now(tz=UTC) + timedelta(seconds=seconds), tick=True)

    return move


@pytest.fixture
def outcome(record_property: Callable[[str, Any], None]) -> Callable[..., None]:
    """Record a row's result; ``bench/fault_table.py`` prints them as the table."""

    def record(**fields: Any) -> None:
        for name, value in fields.items():
            record_property(name, value)

    return record


@pytest.fixture
def webhook_secret(stack: Stack) -> str:
    """The webhook secret in SSM, and a webhook function that has not read it yet (a
    cold start), so that reading it is one of the calls a fault can hit."""
    boto3.client("ssm").put_parameter(
        Name=os.environ["STRIPE_WEBHOOK_SECRET_PARAMETER"], Value=TEST_WEBHOOK_SECRET, Type="SecureString"
    )
    compose.stripe_webhook.cache_clear()
    parameters.forget()
    return TEST_WEBHOOK_SECRET
