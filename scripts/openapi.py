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

from openapi_contract import enrich  # beside this script

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
            "description": "Managers publish invoices to residents; residents view and pay them. "
            'Every error is `{"error": {"code", "message", ...}}` with a stable code (each '
            "operation lists the codes it can answer with); API Gateway's own answers (no token, no such "
            'route, throttled) are `{"message": ...}`.',
        },
        "tags": [
            {"name": "Invoices", "description": "Drafts, publishing one invoice, void, the Invoices page."},
            {"name": "Publish All", "description": "Publish every draft of a property at once, and follow it."},
            {"name": "Residents", "description": "Who invoices are for, and where their email goes."},
            {"name": "Properties", "description": "The page header, the property switcher and settings."},
            {"name": "Portal", "description": "The resident's own published invoices."},
            {"name": "Payments", "description": "Pay Now (Stripe Checkout) and Stripe's webhook."},
        ],
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
    public = {route.key for route in routes if not route.authorized}
    _error_schemas(document)
    enrich(document, public)
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


GATEWAY_ERROR = {
    "title": "GatewayError",
    "type": "object",
    "description": "API Gateway's own answer, before any function runs.",
    "properties": {"message": {"title": "Message", "type": "string"}},
    "required": ["message"],
}


def _error_schemas(document: dict[str, Any]) -> None:
    """Every error the API returns has one shape: ``{"error": {"code", "message", ...}}``;
    Powertools' own validation-error schemas are replaced by it."""
    schemas = document["components"]["schemas"]
    schemas.update(ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}").pop("$defs"))
    schemas["ErrorOut"] = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas["GatewayError"] = GATEWAY_ERROR
    for name in ("HTTPValidationError", "ValidationError", "ResponseValidationError"):
        schemas.pop(name, None)
    for operations in document["paths"].values():
        for operation in operations.values():
            operation.get("responses", {}).pop("422", None)


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
