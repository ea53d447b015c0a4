"""The email sender's pace: with ``MaximumConcurrency`` senders at ``rate / senders`` each,
the account's SES rate is never exceeded. Time is a fake; nothing sleeps."""

from __future__ import annotations

import itertools

from hoa_billing.adapters.pacing import PacedSender
from hoa_billing.email import EmailMessage
from tests.support.fakes import FakeEmailSender


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def message() -> EmailMessage:
    return EmailMessage(to_name="Pat", to_address="pat@example.com", subject="s", html="h", text="t", tags={})


def test_sends_are_at_least_one_pace_apart():
    time = FakeTime()
    inner = FakeEmailSender()
    sender = PacedSender(inner, per_second=10, clock=lambda: time.now, sleep=time.sleep)

    starts = []
    for _ in range(5):
        sender.send(message())
        starts.append(time.now)

    gaps = [later - earlier for earlier, later in itertools.pairwise(starts)]
    assert all(gap >= 0.1 - 1e-9 for gap in gaps)
    assert len(inner.sent) == 5


def test_a_sender_that_was_idle_does_not_wait():
    time = FakeTime()
    slept: list[float] = []
    sender = PacedSender(FakeEmailSender(), per_second=7, clock=lambda: time.now, sleep=slept.append)

    sender.send(message())
    time.now += 5  # nothing to send for a while
    sender.send(message())

    assert slept == []
