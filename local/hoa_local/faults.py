"""Faults at the AWS client boundary: throttling, timeouts, 5xx and process crashes,
injected into real boto3 clients through botocore's event hooks. Our own code is not
touched; it sees exactly what it would see from AWS.

    faults = FaultInjector()
    faults.on("dynamodb", "UpdateItem", THROTTLING, call=1, times=2, table="invoices")
    with faults.installed(aws.client("dynamodb"), ses):
        ...  # the code under test
    assert faults.fired()

A rule names the service and operation, the fault, which matching call it hits
(``call``, counted from 1 per rule; ``where``/``table`` narrow what matches) and on how
many attempts in a row (``times``): the SDK's own retries are attempts of the same call,
so ``times=1`` is absorbed by the SDK and ``times >= max attempts`` reaches our code.

Each fault says whether the service applied the request before it went wrong:

* throttling and 5xx answers and a connect timeout: the request never took effect;
* a read timeout: the service applied the request and the answer was lost, so the
  SDK's retry repeats a request that already took effect;
* ``CRASH_BEFORE`` / ``CRASH_AFTER``: the execution environment dies just before the
  request is sent, or just after the service applied it. They raise
  ``hoa_local.streams.FunctionCrashed`` (a ``BaseException``): no handler catches it.

``installed()`` makes SDK retries immediate (the delays the SDK would have slept are
kept in ``backoff``), so tests never sleep. It works on clients served by moto in this
process (``mock_aws``), the way the test suite runs.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.exceptions import ConnectTimeoutError, ReadTimeoutError
from botocore.retries import quota, standard
from moto.core.models import botocore_stubber

from hoa_local.streams import FunctionCrashed

Params = dict[str, Any]


@dataclass(frozen=True)
class Fault:
    """One kind of failure. ``applied``: the service acted on the request first."""

    name: str
    applied: bool = False
    status: int | None = None  # an error answer from the service
    error: Callable[[str], BaseException] | None = None  # raised in the SDK or the process, given the URL

    def strike(self, request: AWSPreparedRequest) -> AWSResponse:
        if self.error is not None:
            raise self.error(request.url)
        body = json.dumps({"__type": self.name, "message": f"Injected {self.name}."}).encode()
        headers = {"x-amzn-ErrorType": f"{self.name}:", "Content-Type": "application/x-amz-json-1.0"}
        return AWSResponse(request.url, self.status or 500, headers, _Raw(body))


THROTTLING = Fault("ThrottlingException", status=400)
THROUGHPUT_EXCEEDED = Fault("ProvisionedThroughputExceededException", status=400)
TOO_MANY_REQUESTS = Fault("TooManyRequestsException", status=429)
INTERNAL_ERROR = Fault("InternalServerError", status=500)
SERVICE_UNAVAILABLE = Fault("ServiceUnavailable", status=503)
CONNECT_TIMEOUT = Fault("ConnectTimeoutError", error=lambda url: ConnectTimeoutError(endpoint_url=url))
READ_TIMEOUT = Fault("ReadTimeoutError", applied=True, error=lambda url: ReadTimeoutError(endpoint_url=url))
CRASH_BEFORE = Fault("crash before the call", error=lambda url: FunctionCrashed(f"died before calling {url}"))
CRASH_AFTER = Fault(
    "crash after the call", applied=True, error=lambda url: FunctionCrashed(f"died after {url} answered")
)


class _Raw:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.body


@dataclass
class Rule:
    service: str  # botocore's service id, hyphenated: dynamodb, sesv2, ssm, sqs
    operation: str  # GetItem, UpdateItem, SendEmail...
    fault: Fault
    call: int = 1
    times: int = 1
    where: Callable[[Params], bool] | None = None
    seen: int = 0  # matching calls so far
    fired: int = 0  # attempts that failed because of this rule

    def matches(self, service: str, operation: str, params: Params) -> bool:
        return (service, operation) == (self.service, self.operation) and (self.where is None or self.where(params))


@dataclass
class Injected:
    service: str
    operation: str
    call: int
    attempt: int
    fault: str


@dataclass
class _Call:
    service: str
    operation: str
    armed: list[Rule] = field(default_factory=list)
    attempts: int = 0


class FaultInjector:
    def __init__(self) -> None:
        self.rules: list[Rule] = []
        self.log: list[Injected] = []
        self.calls: Counter[tuple[str, str]] = Counter()
        self.backoff: list[float] = []
        self._current = threading.local()
        self._installed: list[Any] = []

    def on(
        self,
        service: str,
        operation: str,
        fault: Fault,
        *,
        call: int = 1,
        times: int = 1,
        table: str | None = None,
        where: Callable[[Params], bool] | None = None,
    ) -> Rule:
        """Fail ``times`` attempts of the ``call``-th matching call. ``table``: only
        requests naming that ``TableName``."""
        if table is not None:
            inner = where

            def where(params: Params) -> bool:
                return params.get("TableName") == table and (inner is None or inner(params))

        rule = Rule(service, operation, fault, call=call, times=times, where=where)
        self.rules.append(rule)
        return rule

    def fired(self) -> bool:
        return all(rule.fired for rule in self.rules)

    # -- installing on clients ----------------------------------------------------------

    @contextmanager
    def installed(self, *clients: Any) -> Iterator[FaultInjector]:
        for client in clients:
            self.install(client)
        try:
            yield self
        finally:
            self.uninstall()

    def install(self, client: Any) -> Any:
        if any(existing is client for existing in self._installed):
            return client
        events = client.meta.events
        service = client.meta.service_model.service_id.hyphenize()
        events.register(f"before-parameter-build.{service}", self._begin, unique_id=self._id(client, "begin"))
        # This handler stands between the SDK and the service: it forwards to moto itself.
        events.unregister("before-send", botocore_stubber)
        events.register_first("before-send", self._send, unique_id=self._id(client, "send"))
        retries = self._instant_retries(client)
        events.register_first(f"needs-retry.{service}", retries, unique_id=self._id(client, "retry"))
        self._installed.append(client)
        return client

    def uninstall(self) -> None:
        while self._installed:
            client = self._installed.pop()
            events = client.meta.events
            service = client.meta.service_model.service_id.hyphenize()
            events.unregister(f"before-parameter-build.{service}", unique_id=self._id(client, "begin"))
            events.unregister("before-send", unique_id=self._id(client, "send"))
            events.unregister(f"needs-retry.{service}", unique_id=self._id(client, "retry"))
            events.register("before-send", botocore_stubber)

    def _id(self, client: Any, what: str) -> str:
        return f"fault-injector-{id(self)}-{id(client)}-{what}"

    def _instant_retries(self, client: Any) -> Callable[..., Any]:
        """The client's own standard retry rules, answering "retry now" instead of "retry
        after a backoff": the SDK retries exactly as often, without sleeping."""
        config = client.meta.config.retries or {}
        if config.get("mode") != "standard":
            raise ValueError("the fault injector expects clients in the standard retry mode")
        service = client.meta.service_model.service_id.hyphenize()
        adapter = standard.RetryEventAdapter()
        detector = standard.ThrottlingErrorDetector(adapter)
        handler = standard.RetryHandler(
            retry_policy=standard.RetryPolicy(
                retry_checker=standard.StandardRetryConditions(max_attempts=config["total_max_attempts"]),
                retry_backoff=standard.ExponentialBackoff(service_name=service, throttling_detector=detector),
            ),
            retry_event_adapter=adapter,
            retry_quota=standard.RetryQuotaChecker(quota.RetryQuota(), detector),
            service_name=service,
        )

        def needs_retry(**kwargs: Any) -> Any:
            delay = handler.needs_retry(**kwargs)
            if delay is None:
                return False  # a definite "no": the client's own handler is not consulted
            self.backoff.append(delay)
            return 0

        return needs_retry

    # -- the hooks ------------------------------------------------------------------------

    def _begin(self, params: Params, model: Any, **_: Any) -> None:
        """Once per API call (SDK retries are attempts of the same call)."""
        service = model.service_model.service_id.hyphenize()
        call = _Call(service, model.name)
        self.calls[(service, model.name)] += 1
        for rule in self.rules:
            if rule.matches(service, model.name, params):
                rule.seen += 1
                if rule.seen == rule.call:
                    call.armed.append(rule)
        self._current.call = call

    def _send(self, request: AWSPreparedRequest, **kwargs: Any) -> AWSResponse | None:
        call: _Call | None = getattr(self._current, "call", None)
        if call is None:
            return botocore_stubber(request=request, **kwargs)
        call.attempts += 1
        rule = next((rule for rule in call.armed if rule.fired < rule.times), None)
        if rule is None:
            return botocore_stubber(request=request, **kwargs)
        rule.fired += 1
        self.log.append(Injected(call.service, call.operation, rule.call, call.attempts, rule.fault.name))
        if rule.fault.applied:
            botocore_stubber(request=request, **kwargs)
        return rule.fault.strike(request)


# -- partial batch failures ---------------------------------------------------------------


@dataclass
class _AnsweredCall:
    status_code: int = 200
    headers: dict[str, str] = field(default_factory=dict)


@contextmanager
def failed_batch_entries(
    client: Any,
    operation: str,
    *,
    calls: int = 1,
    code: str = "InternalError",
    sender_fault: bool = False,
) -> Iterator[list[str]]:
    """SQS refusing one entry of a batch: in each of the next ``calls`` ``operation``
    calls (``SendMessageBatch``, ``DeleteMessageBatch``...) the first entry is taken out
    of the request before it is sent, so the service never sees it, and reported in the
    answer's ``Failed`` with ``code``, as SQS reports a partial failure. Yields the ids of
    the entries refused so far."""
    refused: list[str] = []
    pending = threading.local()
    event = f"{client.meta.service_model.service_id.hyphenize()}.{operation}"

    def take_first_entry(params: Params, **_: Any) -> None:
        pending.entry = None
        if len(refused) < calls and params.get("Entries"):
            entries = list(params["Entries"])
            pending.entry = entries.pop(0)
            pending.alone = not entries
            params["Entries"] = entries
            refused.append(str(pending.entry["Id"]))

    def answer_alone(**_: Any) -> tuple[_AnsweredCall, dict[str, Any]] | None:
        # A batch of one whose only entry is refused: nothing is left to send.
        if getattr(pending, "entry", None) is not None and pending.alone:
            return _AnsweredCall(), {"Successful": []}
        return None

    def report_refused(parsed: dict[str, Any], **_: Any) -> None:
        entry = getattr(pending, "entry", None)
        if entry is not None:
            failure = {"Id": entry["Id"], "Code": code, "SenderFault": sender_fault, "Message": "injected by the test"}
            parsed.setdefault("Failed", []).append(failure)
            pending.entry = None

    hooks = (
        (f"before-parameter-build.{event}", take_first_entry),
        (f"before-call.{event}", answer_alone),
        (f"after-call.{event}", report_refused),
    )
    for name, hook in hooks:
        client.meta.events.register_first(name, hook, unique_id=f"failed-entries-{id(refused)}-{name}")
    try:
        yield refused
    finally:
        for name, _ in hooks:
            client.meta.events.unregister(name, unique_id=f"failed-entries-{id(refused)}-{name}")
