"""The functions' structured log lines, as a test reads them: every line the package's
Powertools logger writes at INFO or above, parsed from the JSON it would print. The
logger is imported when the fixture is used (the domain suite starts with no AWS SDK
imported, and Powertools imports botocore when it can)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest


class LogLines(logging.Handler):
    def __init__(self, formatter: logging.Formatter) -> None:
        super().__init__(level=logging.INFO)
        self.setFormatter(formatter)
        self.lines: list[dict[str, Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))

    def about(self, **match: Any) -> list[dict[str, Any]]:
        """The lines whose keys have these values."""
        return [line for line in self.lines if all(line.get(key) == value for key, value in match.items())]


@pytest.fixture
def log_lines() -> Iterator[LogLines]:
    from hoa_billing.core.observability import logger

    target = logging.getLogger(logger.service)
    capture = LogLines(logger.registered_formatter)
    level = target.level
    target.addHandler(capture)
    target.setLevel(logging.INFO)
    try:
        yield capture
    finally:
        target.removeHandler(capture)
        target.setLevel(level)
