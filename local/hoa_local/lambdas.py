"""Invoking the functions template.yaml declares, as Lambda does: the handler imported
once per execution environment, a ``context`` with the function's name, timeout and
memory, and one event at a time per function.

``Functions`` is what the local runtime uses; ``function_invoker`` gives tests and the
benchmark one function as ``event -> result``, with keyword ``overrides`` passed to
the handler (the fakes its adapters accept)."""

from __future__ import annotations

import importlib
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hoa_local.template import Stack

Invoke = Callable[[dict[str, Any]], Any]  # one function: event -> result


@dataclass
class LambdaContext:
    """What Lambda passes as ``context``: enough for Powertools and the handlers."""

    function_name: str
    memory_limit_in_mb: int = 1024
    timeout_seconds: int = 10
    aws_request_id: str = ""
    invoked_function_arn: str = ""
    log_group_name: str = ""
    log_stream_name: str = ""
    function_version: str = "$LATEST"

    def __post_init__(self) -> None:
        self.aws_request_id = self.aws_request_id or str(uuid.uuid4())
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{self.function_name}"
        self._deadline = time.monotonic() + self.timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


_handlers: dict[str, Any] = {}


def handler_for(handler: str) -> Any:
    """Import ``package.module.function`` once, as Lambda does per execution environment."""
    if handler not in _handlers:
        module_name, function_name = handler.rsplit(".", 1)
        _handlers[handler] = getattr(importlib.import_module(module_name), function_name)
    return _handlers[handler]


def context_for(stack: Stack, logical: str) -> LambdaContext:
    """A fresh context for one invocation of ``logical``, with its template settings."""
    return LambdaContext(
        function_name=stack.physical_name(logical),
        timeout_seconds=int(stack.function_setting(logical, "Timeout") or 3),
        memory_limit_in_mb=int(stack.function_setting(logical, "MemorySize") or 128),
    )


def function_invoker(stack: Stack, function: str, **overrides: Any) -> Invoke:
    """Invoke the handler ``function`` names in the template, as Lambda would."""
    handler = handler_for(str(stack.function_setting(function, "Handler")))

    def invoke(event: dict[str, Any]) -> Any:
        return handler(event, context_for(stack, function), **overrides)

    return invoke


class Functions:
    """Every function of the template, each with one execution environment: module-level
    state in a handler (the resolver's current event, the logger's keys) is never shared
    by two requests at once."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self._environments: defaultdict[str, threading.Lock] = defaultdict(threading.Lock)
        self._guard = threading.Lock()

    def invoke(self, logical: str, event: dict[str, Any], **overrides: Any) -> Any:
        with self._guard:
            environment = self._environments[logical]
        with environment:
            return function_invoker(self.stack, logical, **overrides)(event)
