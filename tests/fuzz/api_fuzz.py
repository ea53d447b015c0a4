"""Schemathesis against the local runtime's HTTP API, from the committed OpenAPI document.

Starts ``python -m hoa_local run`` on a free port (demo data seeded), publishes a few of
the demo resident's drafts so the portal has invoices to show and pay, writes the real ids
the hooks mix into path parameters (``tests/fuzz/hooks.py``), then runs the ``schemathesis``
CLI with ``tests/fuzz/schemathesis.toml``: a manager token for the demo property on
``/properties/...``, the demo resident's token on ``/portal/...``, and the checks: no 5xx,
documented status codes, content types and response bodies.

Used by the bounded CI test (``tests/fuzz/test_api_fuzz.py``) and the long run
(``bench/fuzz_api.py``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hoa_local import ROOT
from tests.e2e.conftest import RunningRuntime, child_env, start_runtime

DOCUMENT = ROOT / "docs" / "openapi.json"
CONFIG = Path(__file__).with_name("schemathesis.toml")
PUBLISHED_FOR_PORTAL = 3
JOB_DEADLINE_S = 30
CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance", "response_schema_conformance")


@dataclass(frozen=True)
class FuzzResult:
    returncode: int
    output: str
    report: dict[str, Any]
    # "METHOD /path/{param}" -> status code -> responses
    statuses: dict[str, Counter[int]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and bool(self.report.get("complete"))

    def summary(self) -> dict[str, Any]:
        """Operations, test cases, failures and errors (from the JSON run report) and the
        responses by status class (from the hooks)."""
        operations = self.report.get("operations", {})
        cases = self.report.get("test_cases", {})
        by_class: Counter[str] = Counter()
        for counts in self.statuses.values():
            for status, n in counts.items():
                by_class[f"{status // 100}xx"] += n
        return {
            "operations_tested": operations.get("tested"),
            "operations_selected": operations.get("selected"),
            "operations_total": operations.get("total"),
            "test_cases": cases.get("generated"),
            "unique_failures": cases.get("unique_failures"),
            "failures": [f"{f['code']} {f['title']} x{f['count']}" for f in self.report.get("failures", [])],
            "errors": sum(e.get("count", 1) for e in self.report.get("errors", [])),
            "responses": sum(by_class.values()),
            "responses_by_class": dict(sorted(by_class.items())),
            "running_time_s": round(float(self.report.get("running_time", 0.0)), 1),
        }


def read_statuses(path: Path) -> dict[str, Counter[int]]:
    statuses: dict[str, Counter[int]] = {}
    if not path.exists():
        return statuses
    for line in path.read_text(encoding="utf-8").splitlines():
        operation, status = line.rsplit(" ", 1)
        statuses.setdefault(operation, Counter())[int(status)] += 1
    return statuses


def prepare(runtime: RunningRuntime) -> dict[str, list[str]]:
    """Give the fuzzer real things to act on; return the ids the hooks use.

    Three of the demo resident's drafts are published (the portal shows them), the rest
    go out in a Publish All job (a real job id), then a fresh batch of drafts is created
    so publish, void and delete still find drafts.
    """
    property_id = str(runtime.ready.get("property_id") or "prop_demo")
    resident_id = str(runtime.ready["resident_id"])
    manager = runtime.tokens.manager(property_id)
    drafts = _all_invoices(runtime, manager, property_id)
    own = [i for i in drafts if i["resident_id"] == resident_id][:PUBLISHED_FOR_PORTAL]
    for invoice in own:
        path = f"/properties/{property_id}/invoices/{invoice['invoice_id']}/publish"
        _expect(runtime.call("POST", path, manager, {"send_email": False}), 200)
    started = runtime.call(
        "POST", f"/properties/{property_id}/publish-all", manager, {"expected_count": len(drafts) - len(own)}
    )
    job_id = _expect(started, 202)["job_id"]
    _wait_for_job(runtime, manager, property_id, job_id)
    for invoice in drafts:
        body = {
            "resident_id": invoice["resident_id"],
            "currency": invoice["amount_due"]["currency"],
            "due_date": invoice["due_date"],
            "line_items": [{"description": "Monthly assessment", "amount": invoice["amount_due"]["amount"]}],
        }
        _expect(runtime.call("POST", f"/properties/{property_id}/invoices", manager, body), 201)
    invoices = _all_invoices(runtime, manager, property_id)
    others = [i["invoice_id"] for i in invoices if i["resident_id"] != resident_id and i["status"] != "Draft"]
    return {
        "property_ids": [property_id],
        "invoice_ids": [i["invoice_id"] for i in invoices],
        # The resident's own published invoices, and others' (which must answer 404).
        "portal_invoice_ids": [i["invoice_id"] for i in own] + others[:2],
        "resident_ids": sorted({i["resident_id"] for i in invoices}),
        "job_ids": [job_id],
    }


def _expect(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, f"{response.request.method} {response.url}: {response.text}"
    body: dict[str, Any] = response.json()
    return body


def _wait_for_job(runtime: RunningRuntime, token: str, property_id: str, job_id: str) -> None:
    """The runtime's SQS consumers run the job; the fuzzing starts once it finished."""
    deadline = time.monotonic() + JOB_DEADLINE_S
    while time.monotonic() < deadline:
        job = _expect(runtime.call("GET", f"/properties/{property_id}/publish-jobs/{job_id}", token), 200)
        if job["finished_at"]:
            return
        time.sleep(0.1)
    raise AssertionError(f"publish job {job_id} did not finish within {JOB_DEADLINE_S} s")


def _all_invoices(runtime: RunningRuntime, token: str, property_id: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = ""
    while True:
        query = f"?limit=100&cursor={cursor}" if cursor else "?limit=100"
        response = runtime.call("GET", f"/properties/{property_id}/invoices{query}", token)
        assert response.status_code == 200, response.text
        page = response.json()
        items.extend(page["items"])
        cursor = page.get("next_cursor") or ""
        if not cursor:
            return items


def run(
    state_dir: Path,
    *,
    max_examples: int,
    seed: int,
    extra_args: tuple[str, ...] = (),
    echo: bool = False,
) -> FuzzResult:
    """Start a runtime in ``state_dir``, fuzz every operation, stop the runtime."""
    runtime = start_runtime(state_dir)
    try:
        ids_file = state_dir / "fuzz-ids.json"
        ids_file.write_text(json.dumps(prepare(runtime), indent=2), encoding="utf-8")
        report_file = state_dir / "schemathesis-report.json"
        stats_file = state_dir / "fuzz-statuses.txt"
        property_id = str(runtime.ready.get("property_id") or "prop_demo")
        env = {
            **child_env(),
            "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "local")]),
            "HOA_FUZZ_URL": runtime.url,
            "HOA_FUZZ_MANAGER_TOKEN": runtime.tokens.manager(property_id),
            "HOA_FUZZ_ADMIN_TOKEN": runtime.tokens.mint({"sub": "fuzz-admin", "role": "admin"}),
            "HOA_FUZZ_RESIDENT_TOKEN": runtime.tokens.resident(str(runtime.ready["resident_id"])),
            "HOA_FUZZ_IDS": str(ids_file),
            "HOA_FUZZ_STATS": str(stats_file),
        }
        command = [
            str(Path(sys.executable).with_name("schemathesis")),
            "--no-color",
            "--config-file",
            str(CONFIG),
            "run",
            str(DOCUMENT),
            "--max-examples",
            str(max_examples),
            "--seed",
            str(seed),
            "--generation-database",
            "none",
            "--checks",
            ",".join(CHECKS),
            "--report",
            "json",
            "--report-json-path",
            str(report_file),
            *extra_args,
        ]
        completed = subprocess.run(  # noqa: S603 - our own tool, fixed arguments
            command, env=env, cwd=state_dir, capture_output=not echo, text=True, check=False
        )
        report = json.loads(report_file.read_text(encoding="utf-8")) if report_file.exists() else {}
        output = (completed.stdout or "") + (completed.stderr or "")
        return FuzzResult(completed.returncode, output, report, read_statuses(stats_file))
    finally:
        runtime.stop()
