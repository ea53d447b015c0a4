"""Logger, Tracer and Metrics: one instance each per process, configured from the
environment (POWERTOOLS_SERVICE_NAME, POWERTOOLS_METRICS_NAMESPACE, POWERTOOLS_LOG_LEVEL).

Tracing: every function has Lambda active tracing (the invocation and its init phase
appear in X-Ray with no SDK). The X-Ray SDK behind Powertools' Tracer, which adds a
subsegment per AWS call, costs 130-200 ms of every cold start (it builds a botocore client
when imported), so it is switched on per deployment with the template parameter
``XRaySdkTracing`` (POWERTOOLS_TRACE_DISABLED=false) when an investigation needs it.
Until then ``tracer`` is a stand-in with the same decorators that never imports the SDK.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
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


def instrumented(handler: F) -> F:
    """The observability stack of an event-driven function's handler: structured logs
    with the invocation's context (state cleared between invocations), the X-Ray
    subsegment when tracing is on, and metrics flushed at the end."""
    decorated = logger.inject_lambda_context(clear_state=True)(handler)
    decorated = tracer.capture_lambda_handler(decorated)
    return metrics.log_metrics(decorated)  # type: ignore[return-value]
