"""The API's OpenAPI document, generated from the handlers' own route declarations.

Each API function's resolver describes its routes (Powertools builds the schema from the
pydantic models in the signatures); this module joins them, checks that the routes the
code declares are exactly the routes template.yaml gives API Gateway, and writes
``docs/openapi.json``. ``--check`` fails when the committed document is stale.

    make openapi          # regenerate docs/openapi.json
    make openapi-check    # CI: the committed document matches the code and the template
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import sys
from typing import Any

from hoa_billing.api.schemas import ErrorOut
from hoa_local import ROOT
from hoa_local.template import Stack

DOCUMENT = ROOT / "docs" / "openapi.json"
TITLE = "HOA invoice publishing API"
VERSION = "1.0.0"


def _template_path(powertools_path: str) -> str:
    return re.sub(r"<(\w+)>", r"{\1}", powertools_path)


def build(stack: Stack | None = None) -> dict[str, Any]:
    stack = stack or Stack()
    routes = stack.routes()
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": TITLE,
            "version": VERSION,
            "description": "Managers publish invoices to residents; residents view and pay them.",
        },
        "paths": {},
        "components": {
            "schemas": {},
            "securitySchemes": {"jwt": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
        "security": [{"jwt": []}],
    }
    declared: set[str] = set()
    for module_name in sorted({route.handler.rsplit(".", 1)[0] for route in routes}):
        app = importlib.import_module(module_name).app
        schema = json.loads(app.get_openapi_json_schema(title=TITLE, version=VERSION))
        for path, operations in schema.get("paths", {}).items():
            for method, operation in operations.items():
                declared.add(f"{method.upper()} {path}")
                document["paths"].setdefault(path, {})[method] = operation
        document["components"]["schemas"].update(schema.get("components", {}).get("schemas", {}))
    _uniform_errors(document)
    public = {route.key for route in routes if not route.authorized}
    for key in public:
        method, path = key.split(" ", 1)
        document["paths"][path][method.lower()]["security"] = []
    in_template = {route.key for route in routes}
    if declared != in_template:
        missing = sorted(in_template - declared)
        extra = sorted(declared - in_template)
        raise SystemExit(
            f"routes differ between template.yaml and the code: template only {missing}, code only {extra}"
        )
    document["paths"] = dict(sorted(document["paths"].items()))
    document["components"]["schemas"] = dict(sorted(document["components"]["schemas"].items()))
    return document


ERROR_STATUSES = {
    "400": "Malformed request (invalid JSON, bad cursor).",
    "401": "No verified identity.",
    "403": "Not allowed for this principal or property.",
    "404": "Not found (for residents: not theirs either).",
    "409": "State conflict; carries the current status.",
    "413": "Body too large.",
    "414": "The request line is over API Gateway's quota (10240 bytes of request line and header values).",
    "415": "The body is not application/json.",
    "422": "Validation failed; `fields` says which.",
    "429": "Too many requests.",
    "431": "The headers take the request over API Gateway's quota (10240 bytes of request line and header values).",
    "503": "A service the API depends on is busy; nothing was decided. Send the same request "
    "(same Idempotency-Key) again after `Retry-After` seconds.",
}
RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before retrying.", "schema": {"type": "integer"}}}
# Statuses API Gateway itself answers before any function runs (no token, no such route,
# body over its limit, throttled), with its own body: {"message": "Unauthorized"}; the
# last two only API Gateway answers (request line or headers over its quota).
GATEWAY_STATUSES = {"401", "404", "413", "429", "414", "431"}
GATEWAY_ONLY = {"414", "431"}
GATEWAY_ERROR = {
    "title": "GatewayError",
    "type": "object",
    "description": "API Gateway's own answer, before any function runs.",
    "properties": {"message": {"title": "Message", "type": "string"}},
    "required": ["message"],
}


def _uniform_errors(document: dict[str, Any]) -> None:
    """Every error the API returns has one shape: ``{"error": {"code", "message", ...}}``."""
    schemas = document["components"]["schemas"]
    schemas.update(ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}").pop("$defs"))
    schemas["ErrorOut"] = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas["GatewayError"] = GATEWAY_ERROR
    for name in ("HTTPValidationError", "ValidationError", "ResponseValidationError"):
        schemas.pop(name, None)
    ours = {"$ref": "#/components/schemas/ErrorOut"}
    gateway = {"$ref": "#/components/schemas/GatewayError"}
    either = {"anyOf": [ours, gateway]}
    for operations in document["paths"].values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status, description in ERROR_STATUSES.items():
                schema = gateway if status in GATEWAY_ONLY else either if status in GATEWAY_STATUSES else ours
                responses[status] = {"description": description, "content": {"application/json": {"schema": schema}}}
                if status == "503":
                    responses[status]["headers"] = RETRY_AFTER


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if docs/openapi.json is stale")
    args = parser.parse_args(argv)
    text = render(build())
    if args.check:
        current = DOCUMENT.read_text(encoding="utf-8") if DOCUMENT.exists() else ""
        if current != text:
            print("docs/openapi.json is stale: run `make openapi` and commit it.", file=sys.stderr)
            return 1
        print(f"docs/openapi.json matches the code ({len(json.loads(text)['paths'])} paths).")
        return 0
    DOCUMENT.write_text(text, encoding="utf-8")
    print(f"wrote {DOCUMENT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
