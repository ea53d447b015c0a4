"""Make moto's DynamoDB behave like DynamoDB where the service's guarantees matter here.

DynamoDB applies each write atomically: a ConditionExpression is evaluated and the
write applied as one step, so two concurrent conditional writes to one item cannot both
succeed. moto evaluates and applies in ordinary Python without a lock, so concurrent
requests from threads can interleave. Serializing moto's DynamoDB requests restores the
guarantee that the code under test relies on (and that the concurrency tests assert).
"""

from __future__ import annotations

import threading
from typing import Any

from moto.dynamodb.responses import DynamoHandler

_lock = threading.RLock()


def make_dynamodb_requests_atomic() -> None:
    original = DynamoHandler.call_action
    if getattr(original, "serialized", False):
        return

    def call_action(self: DynamoHandler) -> Any:
        with _lock:
            return original(self)

    call_action.serialized = True  # type: ignore[attr-defined]
    DynamoHandler.call_action = call_action  # type: ignore[method-assign]
