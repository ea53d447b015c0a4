"""EventBridge schedules from template.yaml (``Schedule`` and ``ScheduleV2`` events):
run on demand (``trigger``) and, when asked, on their own ``cron(...)``/``rate(...)``.

``cron(...)`` is EventBridge's six-field form with its wildcards (``L``, ``W``, ``#``,
``?``, the year), validated and evaluated by aws-croniter."""

from __future__ import annotations

import json
import logging
import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from aws_croniter import AwsCroniter

from hoa_local.template import Stack

log = logging.getLogger("hoa_local.schedules")

Invoke = Callable[[str, dict[str, Any]], Any]
_RATE_UNITS = {"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "day": 86400, "days": 86400}


class UnsupportedExpression(ValueError):
    pass


class InputRefused(ValueError):
    """An override names a key the schedule's ``Input`` does not have."""


@dataclass(frozen=True)
class ScheduleSource:
    function: str
    event_name: str
    kind: str  # Schedule (EventBridge rule) or ScheduleV2 (EventBridge Scheduler)
    expression: str
    time_zone: str = "UTC"
    input: str | None = None
    enabled: bool = True

    @property
    def name(self) -> str:
        return self.event_name


def schedule_sources(stack: Stack) -> list[ScheduleSource]:
    sources = []
    for kind in ("Schedule", "ScheduleV2"):
        for function, event_name, props in stack.events_of(kind):
            state = props.get("State", "ENABLED")
            sources.append(
                ScheduleSource(
                    function=function,
                    event_name=event_name,
                    kind=kind,
                    expression=str(stack.resolve(props["Schedule" if kind == "Schedule" else "ScheduleExpression"])),
                    time_zone=str(props.get("ScheduleExpressionTimezone", "UTC")),
                    input=stack.resolve(props["Input"]) if "Input" in props else None,
                    enabled=bool(props.get("Enabled", True)) and state != "DISABLED",
                )
            )
    return sources


def find(sources: list[ScheduleSource], name: str) -> ScheduleSource:
    """A schedule by event name, ``Function.Event``, or function name when it has only one."""
    for source in sources:
        if name in (source.event_name, f"{source.function}.{source.event_name}"):
            return source
    by_function = [source for source in sources if source.function == name]
    if len(by_function) == 1:
        return by_function[0]
    known = ", ".join(f"{s.function}.{s.event_name}" for s in sources) or "none in template.yaml"
    raise KeyError(f"no schedule named {name!r} (known: {known})")


def scheduled_event(stack: Stack, source: ScheduleSource, now: datetime | None = None) -> dict[str, Any]:
    """What the function receives: the schedule's ``Input`` if set, else EventBridge's event."""
    if source.input is not None:
        parsed: dict[str, Any] = json.loads(source.input)
        return parsed
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    resource = (
        f"arn:aws:events:{stack.region}:{stack.account}:rule/{stack.name}-{source.event_name}"
        if source.kind == "Schedule"
        else f"arn:aws:scheduler:{stack.region}:{stack.account}:schedule/default/{stack.name}-{source.event_name}"
    )
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events" if source.kind == "Schedule" else "aws.scheduler",
        "account": stack.account,
        "time": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": stack.region,
        "resources": [resource],
        "detail": {},
    }


# -- expressions ---------------------------------------------------------------------


@lru_cache(maxsize=64)
def _cron(body: str) -> AwsCroniter:
    try:
        return AwsCroniter(body)
    except ValueError as invalid:  # aws-croniter's expression errors are ValueErrors
        raise UnsupportedExpression(f"cron({body}) is not a valid EventBridge expression: {invalid}") from invalid


def due(source: ScheduleSource, last: datetime | None, now: datetime) -> bool:
    """Whether ``source`` fires at ``now`` (minute resolution), given when it last fired."""
    expression = source.expression.strip()
    rate = re.fullmatch(r"rate\((\d+)\s+(\w+)\)", expression)
    if rate:
        period = timedelta(seconds=int(rate.group(1)) * _RATE_UNITS[rate.group(2)])
        return last is None or now - last >= period
    cron = re.fullmatch(r"cron\((.+)\)", expression)
    if not cron:
        raise UnsupportedExpression(f"{expression!r} runs on demand only")
    local = now.astimezone(ZoneInfo(source.time_zone)).replace(second=0, microsecond=0)
    if last is not None and last.astimezone(ZoneInfo(source.time_zone)).replace(second=0, microsecond=0) == local:
        return False
    # aws-croniter reckons in UTC: give it the schedule's wall-clock minute as if it were UTC.
    wall = local.replace(tzinfo=UTC)
    fires: list[datetime | None] = _cron(" ".join(cron.group(1).split())).get_next(wall, inclusive=True)
    return fires[0] == wall


class ScheduleRunner:
    """Runs the template's schedules: ``trigger`` on demand, ``run`` on their expressions."""

    def __init__(self, stack: Stack, invoke: Invoke) -> None:
        self.stack = stack
        self.invoke = invoke
        self.sources = schedule_sources(stack)
        self.name = "schedules"

    def trigger(self, name: str, overrides: dict[str, Any] | None = None) -> Any:
        """Run a schedule now. ``overrides`` replace keys of the schedule's ``Input``
        (e.g. ``property_ids``); a key its input does not have is ``InputRefused``."""
        source = find(self.sources, name)
        event = scheduled_event(self.stack, source)
        if overrides:
            unknown = sorted(set(overrides) - set(event)) if source.input is not None else sorted(overrides)
            if unknown:
                has = f"its input has {sorted(event)}" if source.input is not None else "it has no Input"
                raise InputRefused(f"{source.function}.{source.event_name} takes no {', '.join(unknown)} ({has})")
            event = {**event, **overrides}
        log.info("schedule %s.%s fired", source.function, source.event_name)
        return self.invoke(source.function, event)

    def run(self, stop: threading.Event) -> None:
        # rate() schedules first fire one period after start, as EventBridge's do.
        started = datetime.now(UTC)
        last: dict[str, datetime | None] = {
            source.event_name: started if source.expression.startswith("rate(") else None for source in self.sources
        }
        runnable = []
        for source in self.sources:
            try:
                due(source, None, started)
                if source.enabled:
                    runnable.append(source)
            except UnsupportedExpression as reason:
                log.warning("schedule %s: %s", source.event_name, reason)
        while not stop.wait(1):
            now = datetime.now(UTC)
            for source in runnable:
                if due(source, last[source.event_name], now):
                    last[source.event_name] = now
                    try:
                        self.trigger(source.event_name)
                    except Exception:
                        log.exception("schedule %s failed", source.event_name)
