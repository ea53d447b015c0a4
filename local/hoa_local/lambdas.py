"""Invokes the functions template.yaml declares, with Lambda's one-request-at-a-time
execution environment: each function handles a single event at a time."""

from __future__ import annotations

import threading
from collections import defaultdict
from typing import Any

from hoa_local.apigw import LambdaContext, handler_for
from hoa_local.template import Stack


class Functions:
    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        # One execution environment per function: module-level state in a handler (the
        # resolver's current event, the logger's keys) is never shared by two requests.
        self._environments: defaultdict[str, threading.Lock] = defaultdict(threading.Lock)
        self._guard = threading.Lock()

    def handler_name(self, logical: str) -> str:
        return str(self.stack.function_setting(logical, "Handler"))

    def invoke(self, logical: str, event: dict[str, Any]) -> Any:
        timeout = int(self.stack.function_setting(logical, "Timeout") or 3)
        memory = int(self.stack.function_setting(logical, "MemorySize") or 128)
        with self._guard:
            environment = self._environments[logical]
        with environment:
            context = LambdaContext(
                function_name=self.stack.physical_name(logical), timeout_seconds=timeout, memory_limit_in_mb=memory
            )
            return handler_for(self.handler_name(logical))(event, context)
