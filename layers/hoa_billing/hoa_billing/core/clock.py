"""Time and identifiers, as adapters so tests can pin them."""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections import OrderedDict
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


_last: OrderedDict[int, int] = OrderedDict()  # the last id made in each recent millisecond
_last_lock = threading.Lock()


def new_id(prefix: str, at: datetime | None = None) -> str:
    """A ULID with a type prefix: sortable by creation time, unique without coordination.
    ``at``: the moment it stands for (the operation's clock; default: now).

    Monotonic within a millisecond in a process (as the ULID spec allows): an id made in
    the same millisecond as an earlier one is that one plus one at least, so ids made one
    after the other here also sort in the order they were made."""
    millis = int((at.timestamp() if at is not None else time.time()) * 1000)
    with _last_lock:
        value = (millis << 80) | int.from_bytes(os.urandom(10), "big")
        previous = _last.get(millis)
        if previous is not None and value <= previous:
            value = previous + 1
        _last[millis] = value
        _last.move_to_end(millis)
        while len(_last) > 1024:
            _last.popitem(last=False)
    chars = []
    for _ in range(26):
        value, index = divmod(value, 32)
        chars.append(_CROCKFORD[index])
    return f"{prefix}_{''.join(reversed(chars))}"


def made_after(identifier: str, moment: datetime) -> bool:
    """Whether ``new_id`` made ``identifier`` in a later millisecond than ``moment``.
    An id that is not one of ``new_id``'s (seeded, imported) was not."""
    ulid = identifier.rpartition("_")[2]
    if len(ulid) != 26 or not all(char in _CROCKFORD for char in ulid):
        return False
    millis = 0
    for char in ulid[:10]:
        millis = millis * 32 + _CROCKFORD.index(char)
    return millis > int(moment.timestamp() * 1000)


def forget_last_id() -> None:
    """Start the monotonic sequence afresh: after SnapStart resumes several execution
    environments from one snapshot, each must not continue the same sequence."""
    with _last_lock:
        _last.clear()


def derived_id(prefix: str, *parts: str) -> str:
    """An id named by what it is for: the same parts always give the same id, so a
    retried request finds what its earlier attempt made."""
    digest = hashlib.blake2b("|".join(parts).encode(), digest_size=16)
    return f"{prefix}_{digest.hexdigest()}"


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
