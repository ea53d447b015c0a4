"""Fixtures for the fault table: an injected clock for the email sender, wall-clock
travel for the leases that use real time, and the row's outcome for the table."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from hoa_billing import payment_wiring, secrets
from hoa_billing.clock import FixedClock
from hoa_local.stripe_fake import TEST_WEBHOOK_SECRET
from hoa_local.template import Stack
from tests.conftest import STACK
from tests.faults.support import clock as start_clock

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
    payment_wiring.stripe_webhook.cache_clear()
    secrets.secure_parameter.cache_clear()
    return TEST_WEBHOOK_SECRET
