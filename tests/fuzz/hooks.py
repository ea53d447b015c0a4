"""Schemathesis hooks for the API fuzz run: path parameters are often real ids.

Random strings only ever reach the "not yours / not found" answers. Mixing in the demo
property and invoices that exist (drafts, published, another resident's) lets the
generated bodies and queries reach the domain code behind them. The ids come from the
file named by ``HOA_FUZZ_IDS``, written by ``tests.fuzz.api_fuzz`` after it seeded the
runtime: ``{"property_ids": [...], "invoice_ids": [...], "portal_invoice_ids": [...],
"resident_ids": [...], "job_ids": [...]}``. ``HOA_FUZZ_STATS`` names a file that collects the status of
every response.
"""

from __future__ import annotations

import json
import os
import threading
from functools import cache
from typing import Any

import requests
import schemathesis
from hypothesis import strategies as st

IDS_ENV = "HOA_FUZZ_IDS"
STATS_ENV = "HOA_FUZZ_STATS"
_stats_lock = threading.Lock()


@cache
def known_ids() -> dict[str, list[str]]:
    path = os.environ.get(IDS_ENV)
    if not path:
        return {}
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def _real(name: str, path: str) -> list[str]:
    ids = known_ids()
    if name == "property_id":
        return ids.get("property_ids", [])
    if name == "invoice_id":
        return ids.get("portal_invoice_ids" if path.startswith("/portal/") else "invoice_ids", [])
    if name == "resident_id":
        return ids.get("resident_ids", [])
    if name == "job_id":
        return ids.get("job_ids", [])
    return []


@schemathesis.hook
def before_load_schema(context: schemathesis.HookContext, raw_schema: dict[str, Any]) -> None:
    """Real ids as the path parameters' examples (in memory only): the coverage phase,
    which varies one input at a time, then keeps the others real and reaches validation
    and the domain instead of stopping at 403 for an unknown property."""
    for path, operations in raw_schema.get("paths", {}).items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                real = _real(parameter["name"], path) if parameter.get("in") == "path" else []
                if real:
                    parameter["schema"] = {**parameter.get("schema", {}), "examples": real[:2]}


@schemathesis.hook
def flatmap_path_parameters(context: schemathesis.HookContext, path_parameters: dict[str, Any]) -> Any:
    """Three times in four a parameter is a real id; otherwise what was generated."""
    operation = context.operation
    if operation is None or not path_parameters:
        return st.just(path_parameters)
    fields = {}
    for name, generated in path_parameters.items():
        real = _real(name, operation.path)
        fields[name] = st.sampled_from([*real, *real, *real, generated]) if real else st.just(generated)
    return st.fixed_dictionaries(fields)


@schemathesis.hook("flatmap_body").apply_to(path="/properties/{property_id}/invoices", method="POST")
def real_resident_in_new_invoices(context: schemathesis.HookContext, body: Any) -> Any:
    """A new invoice for a resident that exists gets past the lookup to the money and date rules."""
    residents = known_ids().get("resident_ids", [])
    if not residents or not isinstance(body, dict) or "resident_id" not in body:
        return st.just(body)
    return st.sampled_from([*residents, body["resident_id"]]).map(lambda resident: {**body, "resident_id": resident})


@schemathesis.hook
def after_call(context: schemathesis.HookContext, case: Any, response: Any) -> None:
    """One line per response ("GET /path/{id} 200") in ``HOA_FUZZ_STATS``, for the summary:
    how many answers came from deep in the domain rather than from the front door."""
    path = os.environ.get(STATS_ENV)
    if not path:
        return
    line = f"{case.operation.method.upper()} {case.operation.path} {response.status_code}\n"
    with _stats_lock, open(path, "a", encoding="utf-8") as handle:
        handle.write(line)


@schemathesis.hook("flatmap_body").apply_to(path="/properties/{property_id}/publish-all", method="POST")
def confirm_the_current_draft_count(context: schemathesis.HookContext, body: Any) -> Any:
    """Publish All starts only when ``expected_count`` is the current draft count (409
    otherwise); one case in three confirms what the preview says now, so jobs do start."""
    url, token = os.environ.get("HOA_FUZZ_URL"), os.environ.get("HOA_FUZZ_MANAGER_TOKEN")
    property_ids = known_ids().get("property_ids", [])
    if not url or not token or not property_ids or not isinstance(body, dict):
        return st.just(body)
    preview = requests.get(
        f"{url}/properties/{property_ids[0]}/publish-all/preview",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    if preview.status_code != 200 or not preview.json().get("count"):
        return st.just(body)
    confirmed = {**body, "expected_count": preview.json()["count"]}
    return st.sampled_from([body, body, confirmed])
