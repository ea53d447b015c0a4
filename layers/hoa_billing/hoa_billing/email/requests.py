"""Handing the outbox's email requests to the sender's queue.

The invoices table's stream carries each request (a publish with the box checked, a
resend) to the outbox function; it forwards them, ``PER_MESSAGE`` to a queue message, to
the queue the email sender reads. The sender's concurrency on that queue
(``MaximumConcurrency``) and its pace per process are what keep the sending at the
account's SES rate, whatever the number of stream shards the table has grown to.

Forwarding is at least once (a stream batch that failed is delivered again, split in
halves): a request forwarded twice is claimed once, and the second delivery finds it
claimed or sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

# Stream records per queue message: one SendMessageBatch carries up to ten messages, so
# a hundred requests cost one request to forward. A record is the invoice as the publish
# left it, about 1 KB; ten stay far below the 256 KB a message may hold.
PER_MESSAGE = 10


class RequestQueue(Protocol):
    def send_all(self, bodies: Sequence[dict[str, Any]]) -> None: ...


class EmailRequests:
    def __init__(self, queue: RequestQueue) -> None:
        self.queue = queue

    def forward(self, records: Sequence[dict[str, Any]]) -> int:
        """Put the stream's email requests on the sender's queue; how many messages."""
        bodies = [{"records": list(records[i : i + PER_MESSAGE])} for i in range(0, len(records), PER_MESSAGE)]
        if bodies:
            self.queue.send_all(bodies)
        return len(bodies)


def requests_in(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The stream records one queue message carries."""
    records: list[dict[str, Any]] = body["records"]
    return records
