"""EventBridge schedules from template.yaml (``Schedule`` and ``ScheduleV2`` events):
run on demand (``trigger``) and, when asked, on their own ``cron(...)``/``rate(...)``."""

from __future__ import annotations

import json
import logging
import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hoa_local.template import Stack

log = logging.getLogger("hoa_local.schedules")

Invoke = Callable[[str, dict[str, Any]], Any]
_MONTHS = {
    m: i + 1 for i, m in enumerate(["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"])
}
_DAYS = {d: i + 1 for i, d in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"])}  # AWS: 1 = Sunday
_RATE_UNITS = {"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "day": 86400, "days": 86400}


class UnsupportedExpression(ValueError):
    pass


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


def _field(text: str, low: int, high: int, names: dict[str, int]) -> set[int] | None:
    """Values a cron field allows; None for ``*`` and ``?`` (anything)."""
    if text in ("*", "?"):
        return None
    values: set[int] = set()
    for part in text.upper().split(","):
        found = re.fullmatch(r"(\*|[0-9A-Z]+)(?:-([0-9A-Z]+))?(?:/(\d+))?", part)
        if not found:
            raise UnsupportedExpression(f"cron field {text!r} is not supported locally")
        start_text, end_text, step_text = found.groups()

        def number(token: str) -> int:
            value = names.get(token) if token in names else int(token) if token.isdigit() else None
            if value is None:
                raise UnsupportedExpression(f"cron field {text!r} is not supported locally")
            return value

        start = low if start_text == "*" else number(start_text)
        end = number(end_text) if end_text else (high if start_text == "*" or step_text else start)
        values.update(range(start, end + 1, int(step_text or 1)))
    return values


@dataclass(frozen=True)
class Cron:
    minutes: set[int] | None
    hours: set[int] | None
    days: set[int] | None
    months: set[int] | None
    weekdays: set[int] | None
    years: set[int] | None

    @classmethod
    def parse(cls, body: str) -> Cron:
        parts = body.split()
        if len(parts) != 6:
            raise UnsupportedExpression(f"cron({body}) needs six fields")
        return cls(
            _field(parts[0], 0, 59, {}),
            _field(parts[1], 0, 23, {}),
            _field(parts[2], 1, 31, {}),
            _field(parts[3], 1, 12, _MONTHS),
            _field(parts[4], 1, 7, _DAYS),
            _field(parts[5], 1970, 2199, {}),
        )

    def matches(self, moment: datetime) -> bool:
        weekday = moment.isoweekday() % 7 + 1  # Sunday = 1
        checks = (
            (self.minutes, moment.minute),
            (self.hours, moment.hour),
            (self.days, moment.day),
            (self.months, moment.month),
            (self.weekdays, weekday),
            (self.years, moment.year),
        )
        return all(allowed is None or value in allowed for allowed, value in checks)


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
    return Cron.parse(cron.group(1)).matches(local)


class ScheduleRunner:
    """Runs the template's schedules: ``trigger`` on demand, ``run`` on their expressions."""

    def __init__(self, stack: Stack, invoke: Invoke) -> None:
        self.stack = stack
        self.invoke = invoke
        self.sources = schedule_sources(stack)
        self.name = "schedules"

    def trigger(self, name: str) -> Any:
        source = find(self.sources, name)
        log.info("schedule %s.%s fired", source.function, source.event_name)
        return self.invoke(source.function, scheduled_event(self.stack, source))

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
