"""Sending no faster than the account's SES rate.

The email sender runs as at most ``MaximumConcurrency`` processes at once (its queue's
event source caps them); each sends at most ``per_second`` emails a second, so together
they send at most the rate the template was given for the account (``SesMaxSendRate``):
the pace is that rate divided by the number of senders. SES throttling, should it come
anyway (the quota lowered, another sender in the account), is retried by the queue
without losing the email.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from hoa_billing.email import EmailMessage, EmailSender


class PacedSender:
    """An ``EmailSender`` that leaves at least ``1 / per_second`` seconds between the
    starts of two sends of this process."""

    def __init__(
        self,
        sender: EmailSender,
        per_second: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.sender = sender
        self.interval = 1.0 / per_second
        self.clock = clock
        self.sleep = sleep
        self._next = float("-inf")
        self._lock = threading.Lock()

    def send(self, message: EmailMessage) -> str:
        with self._lock:
            now = self.clock()
            if now < self._next:
                self.sleep(self._next - now)
                now = self._next
            self._next = now + self.interval
        return self.sender.send(message)
