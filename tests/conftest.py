"""The whole suite's environment: fake AWS credentials (nothing here reaches AWS), and
the functions' settings as template.yaml gives them. The fixtures live in
``tests.support.fixtures``; the ones that need moto import it only when used, so the
domain suite runs without moto or boto3 on its path (``make test-domain``)."""

from __future__ import annotations

import os
from typing import Any

from hypothesis import settings

os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }
)

# Property tests: the same examples on every run (a failure reproduces), no per-example
# time limit (this is a shared machine), and no example database left in the worktree.
settings.register_profile("hoa", derandomize=True, deadline=None, database=None)
settings.load_profile("hoa")

pytest_plugins = ["tests.support.fixtures", "tests.support.logs"]


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Lines a test recorded for the session's end (``record_property("summary", ...)``):
    the hostile corpus's size and result. Here, so that xdist's controller prints them."""
    for outcome in ("passed", "failed"):
        for report in terminalreporter.stats.get(outcome, []):
            for name, value in getattr(report, "user_properties", []):
                if name == "summary" and report.when == "call":
                    terminalreporter.write_line(str(value))
