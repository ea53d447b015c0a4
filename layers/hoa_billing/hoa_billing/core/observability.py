"""Logger, Tracer and Metrics: one instance each per process, configured from the
environment (POWERTOOLS_SERVICE_NAME, POWERTOOLS_METRICS_NAMESPACE, POWERTOOLS_LOG_LEVEL).

Each invocation's log keys (the function, the request id, an API request's correlation
id) are Powertools' thread-local keys, set when the invocation starts and cleared when
it ends, never the logger's shared keys: the local runtime runs every function in one
process, one thread per invocation, and shared keys labelled one function's lines with
another's name and an API request's correlation id.

Tracing: every function has Lambda active tracing (the invocation and its init phase
appear in X-Ray with no SDK). The X-Ray SDK behind Powertools' Tracer, which adds a
subsegment per AWS call, costs 130-200 ms of every cold start (it builds a botocore client
when imported), so it is switched on per deployment with the template parameter
``XRaySdkTracing`` (POWERTOOLS_TRACE_DISABLED=false) when an investigation needs it.
Until then ``tracer`` is a stand-in with the same decorators that never imports the SDK.
"""

from __future__ import annotations

import functools
import os
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from aws_lambda_powertools import Logger, Metrics

F = TypeVar("F", bound=Callable[..., Any])

logger = Logger()
metrics = Metrics()
# An invocation that had nothing to count (a read, a retry that found the work done) is
# normal here; Powertools would print a Python warning to the function's log for each.
warnings.filterwarnings("ignore", message="No application metrics to publish")


class _SdkTracingOff:
    """The parts of Powertools' Tracer the handlers use, doing nothing."""

    def capture_lambda_handler(self, handler: F) -> F:
        return handler

    def capture_method(self, method: F) -> F:
        return method

    def put_annotation(self, key: str, value: Any) -> None:
        return None


def _tracer() -> Any:
    if os.environ.get("POWERTOOLS_TRACE_DISABLED", "true").lower() in ("1", "true", "yes"):
        return _SdkTracingOff()
    from aws_lambda_powertools import Tracer

    return Tracer()


tracer = _tracer()


_cold = {"start": True}


@contextmanager
def invocation(context: Any, correlation_id: str | None = None) -> Iterator[None]:
    """This invocation's log keys, on this thread only, for as long as it runs."""
    cold_start, _cold["start"] = _cold["start"], False
    keys: dict[str, Any] = {
        "function_name": getattr(context, "function_name", None),
        "function_memory_size": getattr(context, "memory_limit_in_mb", None),
        "function_arn": getattr(context, "invoked_function_arn", None),
        "function_request_id": getattr(context, "aws_request_id", None),
        "cold_start": cold_start,
    }
    if correlation_id:
        keys["correlation_id"] = correlation_id
    logger.thread_safe_clear_keys()
    logger.thread_safe_append_keys(**{key: value for key, value in keys.items() if value is not None})
    try:
        yield
    finally:
        logger.thread_safe_clear_keys()


def instrumented(handler: F) -> F:
    """The observability stack of an event-driven function's handler: structured logs
    with the invocation's own keys, the X-Ray subsegment when tracing is on, and
    metrics flushed at the end."""

    @functools.wraps(handler)
    def run(event: Any, context: Any, *args: Any, **kwargs: Any) -> Any:
        with invocation(context):
            return handler(event, context, *args, **kwargs)

    return metrics.log_metrics(tracer.capture_lambda_handler(run))  # type: ignore[return-value]
