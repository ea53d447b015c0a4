"""What the OpenAPI document says beyond what the handlers declare: for each operation the
exact error codes it can answer (by status, as enums a client can switch on), the
Idempotency-Key header, examples for request bodies and main responses, and the servers.

The codes come from each route's declared refusals (``api.http.refusals``) plus what the
API glue and API Gateway answer for every route of its kind (no token, a body that is not
JSON, a bad cursor, a busy service). Schemathesis checks every answer against them.
"""

from __future__ import annotations

from typing import Any

from hoa_billing.api import errors as api_errors
from hoa_billing.api.errors import http_status
from hoa_billing.api.http import PATH_REFUSALS
from hoa_billing.core import errors as domain_errors

ERROR_REF = "#/components/schemas/ErrorOut"
GATEWAY_REF = "#/components/schemas/GatewayError"
# Statuses API Gateway itself answers before any function runs (no token, no such route,
# body over its limit, throttled), with its own body: {"message": "Unauthorized"}.
GATEWAY_STATUSES = {"401", "404", "413", "414", "429", "431"}
DESCRIPTIONS = {
    "400": "Malformed request: the body is not UTF-8 JSON (or nests deeper than 64 levels, has a number literal "
    "longer than 40 characters, NaN or Infinity, or a key twice), or the cursor is not one this API issued.",
    "401": "No verified identity (API Gateway's own answer, or ours for a token without the claims).",
    "403": "Not allowed for this principal or property.",
    "404": "Not found (for residents: not theirs either), or no such route.",
    "409": "State conflict; the error carries the current status.",
    "413": "The body is over 64 KB.",
    "414": "The request line is over API Gateway's quota (10240 bytes of request line and header values).",
    "415": "A body was sent with a Content-Type other than application/json (a charset parameter is fine), "
    "or with none.",
    "422": "Validation failed: `fields` says which field and why (a body that is JSON but not an object, `null` "
    "included; unknown fields; fields sent to a route that takes no body; text with control, bidi or separator "
    "characters, line feeds and tabs only in `memo` and `reason`; amounts that are not non-negative integers; an "
    "Idempotency-Key that is not 1-128 printable characters); or a refusal of the request's content.",
    "429": "Too many requests.",
    "431": "The headers take the request over API Gateway's quota (10240 bytes of request line and header values).",
    "500": "Something went wrong on our side; nothing to correct in the request.",
    "502": "The payment provider did not answer as expected; try again in a minute.",
    "503": "A service the API depends on is busy; nothing was decided. Send the same request "
    "(same Idempotency-Key) again after `Retry-After` seconds.",
}
RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before retrying.", "schema": {"type": "integer"}}}
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Any 1-128 printable characters. A retry with the same key and body gets the first "
    "response; the same key with another body is refused (422 idempotency_key_reused).",
    "schema": {"type": "string", "minLength": 1, "maxLength": 128},
    "example": "3f2b9c1e-7d4a-4e0b-9a51-0c6f2d8e4b17",
}
SERVERS = [
    {
        "url": "https://{api_id}.execute-api.{region}.amazonaws.com/{stage}",
        "description": "A deployed stack (the ApiUrl output of `sam deploy`).",
        "variables": {
            "api_id": {"default": "abc123defg", "description": "The HTTP API's id."},
            "region": {"default": "us-east-1"},
            "stage": {"default": "dev", "description": "The Stage parameter."},
        },
    },
    {"url": "http://127.0.0.1:3000", "description": "The local runtime (`make run`)."},
]


def _status_of(kind: type[domain_errors.DomainError]) -> str:
    return str(http_status(kind("example")))


def error_codes(operation: dict[str, Any], method: str, public: bool) -> dict[str, set[str]]:
    """Every error code the operation can answer with, by HTTP status."""
    codes: dict[str, set[str]] = {"500": {"internal_error"}, "503": {"service_busy"}}

    def add(status: int | str, code: str) -> None:
        codes.setdefault(str(status), set()).add(code)

    for name in operation.pop("x-refusals", []):
        kind = getattr(domain_errors, name, None) or getattr(api_errors, name)
        add(_status_of(kind), kind.code)
    if not public:
        add(401, api_errors.Unauthorized.code)
        add(403, api_errors.Forbidden.code)
    parameters = operation.get("parameters", [])
    if "requestBody" in operation or method in ("post", "patch", "put"):
        add(400, api_errors.MalformedBody.code)
        add(413, api_errors.PayloadTooLarge.code)
        add(415, api_errors.UnsupportedMediaType.code)
    add(422, "validation_failed")  # also: fields sent to a route that takes no body
    add(422, domain_errors.InvalidRequest.code)  # an Idempotency-Key that is not 1-128 printable characters
    for parameter in parameters:
        if parameter.get("in") == "path":
            # An id no record can have is not looked up (api.http._check_path).
            add(404, PATH_REFUSALS.get(parameter["name"], domain_errors.NotFound).code)
    if any(p.get("name") == "cursor" for p in parameters):
        add(400, domain_errors.InvalidCursor.code)
    if operation.pop("x-idempotent", False):
        add(409, "request_in_progress")
        add(422, "idempotency_key_reused")
        add(422, domain_errors.InvalidRequest.code)
        operation.setdefault("parameters", []).append(IDEMPOTENCY_KEY)
    for status in GATEWAY_STATUSES - codes.keys():
        codes[status] = set()  # API Gateway's own answers only
    return codes


def error_responses(codes: dict[str, set[str]]) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    for status in sorted(codes):
        enum = sorted(codes[status])
        ours: dict[str, Any] = {"$ref": ERROR_REF}
        if enum:
            ours = {
                "allOf": [
                    {"$ref": ERROR_REF},
                    {
                        "type": "object",
                        "properties": {"error": {"type": "object", "properties": {"code": {"enum": enum}}}},
                    },
                ]
            }
        schema: dict[str, Any] = ours
        if status in GATEWAY_STATUSES:
            schema = {"anyOf": [ours, {"$ref": GATEWAY_REF}]} if enum else {"$ref": GATEWAY_REF}
        content: dict[str, Any] = {"schema": schema}
        if enum:
            content["example"] = {"error": {"code": enum[0], "message": DESCRIPTIONS.get(status, "Refused.")}}
        responses[status] = {
            "description": DESCRIPTIONS.get(status, "Refused."),
            "content": {"application/json": content},
        }
        if status == "503":
            responses[status]["headers"] = RETRY_AFTER
    return responses


# -- examples --------------------------------------------------------------------------------

_STRINGS = {
    "invoice_id": "inv_01JFDEMO00000000000000000A",
    "property_id": "prop_demo",
    "resident_id": "res_01JFDEMO00000000000000000B",
    "job_id": "job_01JFDEMO00000000000000000C",
    "payment_id": "pi_3QDemoPaymentIntent",
    "session_id": "cs_test_a1Demo",
    "number": "INV-00012",
    "name": "Maple Court HOA",
    "resident_name": "Pat Lee",
    "property_name": "Maple Court HOA",
    "sender_name": "Maple Court HOA",
    "unit": "1A",
    "currency": "USD",
    "formatted": "$325.00",
    "time_zone": "America/New_York",
    "description": "Monthly assessment",
    "memo": "Thank you for paying on time.",
    "reason": "Published by mistake",
    "message": "A sentence a person can act on.",
    "code": "invoice_not_draft",
    "checkout_url": "https://checkout.stripe.com/c/pay/cs_test_a1Demo",
    "status_url": "/dev/properties/prop_demo/publish-jobs/job_01JFDEMO00000000000000000C",
    "next_cursor": "eyJzY29wZSI6ImV4YW1wbGUifQ",
    "action": "published",
}
_INTEGERS = {"amount": 32500, "count": 12, "total": 12, "version": 1, "enqueued": 12, "published": 12}


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def example_of(schema: dict[str, Any], components: dict[str, Any], name: str = "", depth: int = 0) -> Any:
    """A plausible value for ``schema``, by field name where the type says too little."""
    schema = _resolve(schema, components)
    if schema.get("examples"):
        return schema["examples"][0]
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return next((value for value in schema["enum"] if value is not None), None)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [s for s in schema[key] if _resolve(s, components).get("type") != "null"]
            return example_of(options[0], components, name, depth) if options else None
    if "allOf" in schema:
        return example_of(schema["allOf"][0], components, name, depth)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        if depth > 6:
            return {}
        return {
            field: example_of(sub, components, field, depth + 1) for field, sub in schema.get("properties", {}).items()
        }
    if kind == "array":
        item = example_of(schema.get("items", {}), components, name, depth + 1)
        return [] if item is None or depth > 6 else [item]
    if kind == "integer":
        return _INTEGERS.get(name, 0)
    if kind == "number":
        return 0
    if kind == "boolean":
        return False
    if kind == "string":
        if schema.get("format") == "date-time":
            return "2026-12-01T15:00:00.000Z"
        if schema.get("format") == "date":
            return "2027-01-01"
        if schema.get("format") == "email" or name.endswith("email"):
            return "pat.lee@example.com"
        return _STRINGS.get(name, "string")
    return None


def add_examples(operation: dict[str, Any], components: dict[str, Any]) -> None:
    """An example for the request body and each 2xx response that has none."""
    body = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if body is not None and "example" not in body:
        body["example"] = example_of(body["schema"], components)
    for status, response in operation.get("responses", {}).items():
        content = response.get("content", {}).get("application/json")
        if status.startswith("2") and content is not None and "example" not in content:
            content["example"] = example_of(content.get("schema", {}), components)


def enrich(document: dict[str, Any], public: set[str]) -> None:
    """Errors, the Idempotency-Key header and examples for every operation; the servers."""
    components = document["components"]["schemas"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            codes = error_codes(operation, method, f"{method.upper()} {path}" in public)
            operation.setdefault("responses", {}).update(error_responses(codes))
            add_examples(operation, components)
    document["servers"] = SERVERS
