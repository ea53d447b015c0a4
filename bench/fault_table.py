"""The fault table: every row of ``tests/faults`` (a fault on one AWS call of the
publish, email, webhook or bulk path), run as tests, printed as one table.

    .venv/bin/python bench/fault_table.py [-n 4]

Each row's outcome is what its test asserts: OK means the path recovered through its
normal retries with every invoice in the right state and every email sent once (twice
only in the documented window, marked *).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]


class Collect:
    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    @pytest.hookimpl
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when != "call" and not (report.when == "setup" and report.failed):
            return
        row = dict(report.user_properties)
        if "path" in row:
            row["ok"] = report.passed
            self.rows.append(row)


def table(rows: list[dict[str, Any]]) -> str:
    header = ("path", "operation", "step", "fault", "attempts", "recovered via", "final state", "emails")
    lines = []
    order = {"publish": 0, "bulk": 1, "email": 2, "webhook": 3}
    for row in sorted(rows, key=lambda r: (order.get(r["path"], 9), r.get("index", 0))):
        times = "all" if row.get("times", 1) >= 99 else str(row.get("times", 1))
        emails = str(row.get("emails", "?")) + ("*" if row.get("window") else "")
        lines.append(
            (
                row["path"],
                row["operation"],
                row["step"],
                row["fault"],
                times,
                row.get("recovered_via", "-"),
                "OK" if row["ok"] else "NOT OK",
                emails,
            )
        )
    widths = [max(len(str(line[i])) for line in [header, *lines]) for i in range(len(header))]

    def fmt(line: tuple[str, ...]) -> str:
        return " | ".join(str(cell).ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()

    rule = "-+-".join("-" * width for width in widths)
    return "\n".join([fmt(header), rule, *(fmt(line) for line in lines)])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", default="0", help="pytest-xdist workers (0: in this process)")
    args = parser.parse_args()
    collect = Collect()
    code = pytest.main(
        [str(ROOT / "tests" / "faults"), "-q", "-p", "no:cacheprovider", "-n", args.n, "--no-header", "-o", "addopts="],
        plugins=[collect],
    )
    print()
    print(table(collect.rows))
    ok = sum(row["ok"] for row in collect.rows)
    window = sum(bool(row.get("window")) for row in collect.rows)
    print(
        f"\n{ok}/{len(collect.rows)} rows recovered with the right final state; "
        f"* = the documented duplicate window ({window} rows: SES accepted, acceptance never recorded)."
    )
    return int(code)


if __name__ == "__main__":
    sys.exit(main())
