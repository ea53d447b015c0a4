"""Fixtures for the fault table: an injected clock for the email sender, wall-clock
travel for the leases that use real time, and the row's outcome for the table."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from hoa_billing.clock import FixedClock
from tests.faults.support import clock as start_clock


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
