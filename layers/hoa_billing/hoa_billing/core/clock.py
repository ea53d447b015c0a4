"""Time and identifiers, as adapters so tests can pin them."""

from __future__ import annotations

import hashlib
import os
import threading
import time
from datetime import UTC, date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock for tests: it says what it is told."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


def today_in(clock: Clock, time_zone: str) -> date:
    return clock.now().astimezone(ZoneInfo(time_zone)).date()


_last = [0]
_last_lock = threading.Lock()


def new_id(prefix: str) -> str:
    """A ULID with a type prefix: sortable by creation time, unique without coordination.

    Monotonic within a process (as the ULID spec allows): an id made in the same
    millisecond as the previous one is the previous one plus one, so ids made one after
    the other here also sort in the order they were made."""
    with _last_lock:
        value = (int(time.time() * 1000) << 80) | int.from_bytes(os.urandom(10), "big")
        if value >> 80 <= _last[0] >> 80:
            value = _last[0] + 1
        _last[0] = value
    chars = []
    for _ in range(26):
        value, index = divmod(value, 32)
        chars.append(_CROCKFORD[index])
    return f"{prefix}_{''.join(reversed(chars))}"


def forget_last_id() -> None:
    """Start the monotonic sequence afresh: after SnapStart resumes several execution
    environments from one snapshot, each must not continue the same sequence."""
    with _last_lock:
        _last[0] = 0


def derived_id(prefix: str, *parts: str) -> str:
    """An id named by what it is for: the same parts always give the same id, so a
    retried request finds what its earlier attempt made."""
    digest = hashlib.blake2b("|".join(parts).encode(), digest_size=16)
    return f"{prefix}_{digest.hexdigest()}"


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
