"""Stripe without Stripe: a fake API server for the SDK and webhook payloads signed as Stripe does.

``FakeStripe`` serves the part of the Stripe API this project calls (creating a Checkout
Session) on 127.0.0.1, so the real SDK can be pointed at it (``STRIPE_API_BASE``). It
honours ``Idempotency-Key`` like Stripe: the same key and parameters return the first
answer; the same key with different parameters is refused.

The event builders make payloads shaped like Stripe's (``checkout.session.completed``,
``...async_payment_succeeded``/``_failed``, ``payment_intent.payment_failed``,
``charge.refunded``), and ``sign`` makes the ``Stripe-Signature`` header:
``t=<unix time>,v1=<hex HMAC-SHA256(secret, "<t>.<payload>")>``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

TEST_WEBHOOK_SECRET = "whsec_local_test_secret"  # noqa: S105 - a well-known local value, not a secret
TEST_API_KEY = "sk_test_local_fake"


def _id(prefix: str) -> str:
    return f"{prefix}_test_{secrets.token_hex(12)}"


# -- signing --------------------------------------------------------------------------


def sign(payload: bytes | str, secret: str = TEST_WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """The ``Stripe-Signature`` header Stripe would send for ``payload``."""
    text = payload.decode("utf-8") if isinstance(payload, bytes) else payload
    at = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode("utf-8"), f"{at}.{text}".encode(), hashlib.sha256).hexdigest()
    return f"t={at},v1={digest}"


def signed(event: dict[str, Any], secret: str = TEST_WEBHOOK_SECRET, timestamp: int | None = None) -> tuple[bytes, str]:
    """The body and signature header of one delivery of ``event``."""
    body = json.dumps(event, separators=(",", ":")).encode("utf-8")
    return body, sign(body, secret, timestamp)


def post_event(url: str, event: dict[str, Any], secret: str = TEST_WEBHOOK_SECRET) -> tuple[int, bytes]:
    """Sign and POST an event to a webhook URL (the local runtime's "send a test event")."""
    body, signature = signed(event, secret)
    request = urllib.request.Request(  # noqa: S310 - a URL the developer typed, on their machine
        url, data=body, method="POST", headers={"Content-Type": "application/json", "Stripe-Signature": signature}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


# -- events ---------------------------------------------------------------------------


def event(event_type: str, obj: dict[str, Any], *, event_id: str | None = None, created: int | None = None) -> dict:
    return {
        "id": event_id or _id("evt"),
        "object": "event",
        "api_version": "2025-09-30.clover",
        "created": int(time.time()) if created is None else created,
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
        "data": {"object": obj},
    }


def checkout_session(
    invoice_id: str,
    property_id: str,
    amount: int,
    *,
    currency: str = "usd",
    payment_status: str = "paid",
    session_id: str | None = None,
    payment_intent: str | None = None,
    status: str = "complete",
) -> dict[str, Any]:
    """A Checkout Session as it appears in ``checkout.session.*`` events."""
    session_id = session_id or _id("cs")
    created = int(time.time())
    return {
        "id": session_id,
        "object": "checkout.session",
        "amount_subtotal": amount,
        "amount_total": amount,
        "client_reference_id": invoice_id,
        "created": created,
        "currency": currency,
        "customer_details": {"email": "resident@example.com", "name": "Pat Resident"},
        "expires_at": created + 86400,
        "livemode": False,
        "metadata": {"invoice_id": invoice_id, "property_id": property_id},
        "mode": "payment",
        "payment_intent": payment_intent or _id("pi"),
        "payment_method_types": ["card", "us_bank_account"],
        "payment_status": payment_status,
        "status": status,
        "url": None,
    }


def completed(session: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    return event("checkout.session.completed", session, **kwargs)


def async_succeeded(session: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    return event("checkout.session.async_payment_succeeded", {**session, "payment_status": "paid"}, **kwargs)


def async_failed(session: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    return event("checkout.session.async_payment_failed", {**session, "payment_status": "unpaid"}, **kwargs)


def payment_failed(
    session: dict[str, Any],
    *,
    code: str = "insufficient_funds",
    message: str = "The bank account has insufficient funds.",
    method: str = "us_bank_account",
    **kwargs: Any,
) -> dict[str, Any]:
    """``payment_intent.payment_failed`` for the session's PaymentIntent."""
    intent = {
        "id": session["payment_intent"],
        "object": "payment_intent",
        "amount": session["amount_total"],
        "currency": session["currency"],
        "metadata": dict(session["metadata"]),
        "status": "requires_payment_method",
        "last_payment_error": {
            "code": code,
            "message": message,
            "type": "card_error" if method == "card" else "invalid_request_error",
            "payment_method": {"id": _id("pm"), "type": method},
        },
    }
    return event("payment_intent.payment_failed", intent, **kwargs)


def charge_refunded(session: dict[str, Any], amount_refunded: int, *, charge_id: str | None = None, **kwargs: Any):
    charge = {
        "id": charge_id or _id("ch"),
        "object": "charge",
        "amount": session["amount_total"],
        "amount_refunded": amount_refunded,
        "currency": session["currency"],
        "metadata": dict(session["metadata"]),
        "payment_intent": session["payment_intent"],
        "refunded": amount_refunded >= session["amount_total"],
        "status": "succeeded",
    }
    return event("charge.refunded", charge, **kwargs)


# -- the fake API -----------------------------------------------------------------------


class FakeStripe:
    """A local Stripe API (Checkout Session create only) on a thread. Use as a context manager."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.requests: list[dict[str, Any]] = []
        self.sessions: dict[str, dict[str, Any]] = {}
        self._by_key: dict[str, tuple[dict[str, str], dict[str, Any]]] = {}
        self.fail_with: int | None = None  # answer the next requests with this HTTP status
        # Where a session's ``url`` leads: a local checkout page (``<base>/<session id>``)
        # instead of checkout.stripe.com, when the local runtime serves one.
        self.checkout_page_base: str | None = None
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer((host, port), self._handler())
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, name="fake-stripe", daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.server.server_port}"

    def start(self) -> FakeStripe:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> FakeStripe:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self.sessions.clear()
            self._by_key.clear()
            self.fail_with = None

    def create_session(self, params: dict[str, str], idempotency_key: str | None) -> tuple[int, dict[str, Any]]:
        with self._lock:
            if idempotency_key and idempotency_key in self._by_key:
                first_params, first = self._by_key[idempotency_key]
                if first_params != params:
                    return 400, _error(
                        "idempotency_error",
                        "Keys for idempotent requests can only be used with the same parameters "
                        "they were first used with.",
                    )
                return 200, first
            session_id = _id("cs")
            created = int(time.time())
            metadata = {k[len("metadata[") : -1]: v for k, v in params.items() if k.startswith("metadata[")}
            methods = [v for k, v in sorted(params.items()) if k.startswith("payment_method_types[")]
            session = {
                "id": session_id,
                "object": "checkout.session",
                "amount_subtotal": int(params["line_items[0][price_data][unit_amount]"]),
                "amount_total": int(params["line_items[0][price_data][unit_amount]"]),
                "cancel_url": params.get("cancel_url"),
                "client_reference_id": params.get("client_reference_id"),
                "created": created,
                "currency": params["line_items[0][price_data][currency]"],
                "expires_at": created + 86400,
                "livemode": False,
                "metadata": metadata,
                "mode": params.get("mode", "payment"),
                "payment_intent": None,
                "payment_method_types": methods,
                "payment_status": "unpaid",
                "status": "open",
                "success_url": params.get("success_url"),
                "url": f"{self.checkout_page_base or 'https://checkout.stripe.com/c/pay'}/{session_id}",
            }
            self.sessions[session_id] = session
            if idempotency_key:
                self._by_key[idempotency_key] = (params, session)
            return 200, session

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def _send(self, status: int, body: dict[str, Any]) -> None:
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.send_header("Request-Id", _id("req"))
                self.end_headers()
                self.wfile.write(raw)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                params = dict(parse_qsl(self.rfile.read(length).decode(), keep_blank_values=True))
                key = self.headers.get("Idempotency-Key")
                fake.requests.append(
                    {
                        "path": self.path,
                        "params": params,
                        "idempotency_key": key,
                        "authorization": self.headers.get("Authorization"),
                    }
                )
                if fake.fail_with:
                    self._send(fake.fail_with, _error("api_error", "The fake Stripe was told to fail."))
                    return
                if self.path != "/v1/checkout/sessions":
                    self._send(404, _error("invalid_request_error", f"Unrecognized request URL (POST: {self.path})."))
                    return
                if not (self.headers.get("Authorization") or "").startswith("Bearer sk_"):
                    self._send(401, _error("invalid_request_error", "Invalid API Key provided."))
                    return
                status, body = fake.create_session(params, key)
                self._send(status, body)

        return Handler


def _error(kind: str, message: str) -> dict[str, Any]:
    return {"error": {"type": kind, "message": message}}
