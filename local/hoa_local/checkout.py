"""A clickable stand-in for Stripe Checkout, served by the local runtime.

The fake Stripe API (``stripe_fake.FakeStripe``) hands out sessions whose ``url`` leads
here, ``/_local/checkout/<session id>`` on the HTTP API's port. The page shows what is
being paid and offers what a resident can do on Stripe's page; each button sends the
webhook events Stripe would send, signed with the local webhook secret, to the
runtime's own ``/webhooks/stripe``, then returns to the session's success or cancel URL:

- Pay by card: ``checkout.session.completed`` with ``payment_status=paid``.
- Pay by bank account (ACH): ``checkout.session.completed`` with ``payment_status=unpaid``
  (the debit is processing); later ``checkout.session.async_payment_succeeded`` or
  ``..._failed``, from this page's second set of buttons, or by itself after
  ``--ach-settle-seconds``.
- Decline: ``payment_intent.payment_failed`` (card declined).
"""

from __future__ import annotations

import html
import logging
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from werkzeug.wrappers import Request, Response

from hoa_local import stripe_fake

log = logging.getLogger("hoa_local.checkout")

PREFIX = "/_local/checkout/"
# What happened on the page, per session: what it shows next.
OPEN, PAID, PROCESSING, SETTLED, BANK_FAILED, DECLINED = (
    "open",
    "paid",
    "processing",
    "settled",
    "bank_failed",
    "declined",
)
DONE_TEXT = {
    PAID: "Paid by card.",
    SETTLED: "The bank transfer arrived.",
    BANK_FAILED: "The bank transfer failed.",
}


def _money(amount: int, currency: str) -> str:
    from hoa_billing.core.money import format_money  # the layer is on the path once the runtime runs

    try:
        return format_money(amount, currency.upper())
    except KeyError:
        return f"{amount} {currency.upper()} (minor units)"


class LocalCheckout:
    """The page and its buttons for the sessions of one ``FakeStripe``."""

    def __init__(self, stripe: stripe_fake.FakeStripe, webhook_url: Callable[[], str], ach_settle_seconds: float = 0):
        self.stripe = stripe
        self.webhook_url = webhook_url
        self.ach_settle_seconds = ach_settle_seconds
        self.outcomes: dict[str, str] = {}
        self._lock = threading.Lock()
        self.timers: list[threading.Timer] = []

    # -- routing ---------------------------------------------------------------------

    def view(self, request: Request, rest: str) -> Response:
        """``GET <sid>`` the page; ``POST <sid>/<choice>`` a button; ``GET ?invoice_id=`` the latest session."""
        session_id, _, choice = rest.partition("/")
        if request.method == "GET" and not session_id:
            return self._latest_for_invoice(request.args.get("invoice_id", ""))
        session = self.stripe.sessions.get(session_id)
        if session is None:
            return _page("Checkout not found", "<p>No checkout session with that id on this local runtime.</p>", 404)
        if request.method == "GET" and not choice:
            return self._page(session)
        if request.method == "POST" and choice in self._choices():
            return self._choices()[choice](session)
        return _page("Not found", "<p>No such checkout action.</p>", 404)

    def _choices(self) -> dict[str, Callable[[dict[str, Any]], Response]]:
        return {
            "card": self.pay_by_card,
            "ach": self.pay_by_bank,
            "decline": self.decline,
            "ach-succeeded": lambda session: self.settle(session, succeeded=True),
            "ach-failed": lambda session: self.settle(session, succeeded=False),
        }

    def _latest_for_invoice(self, invoice_id: str) -> Response:
        sessions = [s for s in self.stripe.sessions.values() if s.get("client_reference_id") == invoice_id]
        if not sessions:
            return _page("Checkout not found", "<p>No checkout was started for that invoice.</p>", 404)
        # A bank transfer still waiting comes first: that is what the portal sends people here for.
        latest = max(sessions, key=lambda s: (self.outcomes.get(s["id"]) == PROCESSING, s["created"]))
        return Response(status=303, headers={"Location": f"{PREFIX}{latest['id']}"})

    # -- the buttons -------------------------------------------------------------------

    def pay_by_card(self, session: dict[str, Any]) -> Response:
        failed = self._send(stripe_fake.completed(self._event_session(session, "paid")))
        return failed or self._finish(session, PAID, session["success_url"])

    def pay_by_bank(self, session: dict[str, Any]) -> Response:
        failed = self._send(stripe_fake.completed(self._event_session(session, "unpaid")))
        if failed:
            return failed
        if self.ach_settle_seconds > 0:
            timer = threading.Timer(self.ach_settle_seconds, self._settle_later, args=(session,))
            timer.daemon = True
            self.timers.append(timer)
            timer.start()
        return self._finish(session, PROCESSING, session["success_url"])

    def settle(self, session: dict[str, Any], *, succeeded: bool) -> Response:
        if self.outcomes.get(session["id"]) != PROCESSING:
            return self._page(session, note="There is no bank transfer waiting on this checkout.")
        build = stripe_fake.async_succeeded if succeeded else stripe_fake.async_failed
        failed = self._send(build(self._event_session(session, "unpaid")))
        return failed or self._finish(session, SETTLED if succeeded else BANK_FAILED, session["success_url"])

    def decline(self, session: dict[str, Any]) -> Response:
        event = stripe_fake.payment_failed(
            self._event_session(session, "unpaid"),
            code="card_declined",
            message="Your card was declined.",
            method="card",
        )
        failed = self._send(event)
        return failed or self._finish(session, DECLINED, session["cancel_url"])

    def _settle_later(self, session: dict[str, Any]) -> None:
        if self.outcomes.get(session["id"]) == PROCESSING:
            self._send(stripe_fake.async_succeeded(self._event_session(session, "unpaid")))
            self._record(session, SETTLED)

    def stop(self) -> None:
        for timer in self.timers:
            timer.cancel()

    # -- helpers -------------------------------------------------------------------------

    def _event_session(self, session: dict[str, Any], payment_status: str) -> dict[str, Any]:
        """The session as Stripe's ``checkout.session.*`` events carry it, with one
        PaymentIntent per session (a retry after a decline is the same intent)."""
        metadata = session.get("metadata") or {}
        return stripe_fake.checkout_session(
            str(metadata.get("invoice_id") or session.get("client_reference_id")),
            str(metadata.get("property_id", "")),
            int(session["amount_total"]),
            currency=str(session["currency"]),
            payment_status=payment_status,
            session_id=session["id"],
            payment_intent=session["id"].replace("cs_", "pi_", 1),
        )

    def _send(self, event: dict[str, Any]) -> Response | None:
        """Deliver a signed event to the webhook; a page explaining a refusal, or None."""
        status, body = stripe_fake.post_event(self.webhook_url(), event)
        log.info("local checkout: %s -> webhook HTTP %s", event["type"], status)
        if status < 300:
            return None
        text = html.escape(body.decode("utf-8", errors="replace"))
        return _page(
            "The webhook refused the event",
            f"<p>{html.escape(event['type'])} was answered with HTTP {status}:</p><pre>{text}</pre>",
            502,
        )

    def _record(self, session: dict[str, Any], outcome: str) -> None:
        with self._lock:
            self.outcomes[session["id"]] = outcome

    def _finish(self, session: dict[str, Any], outcome: str, return_url: str | None) -> Response:
        self._record(session, outcome)
        if not return_url:
            return self._page(session)
        return Response(status=303, headers={"Location": return_url})

    def _description(self, session: dict[str, Any]) -> str:
        for sent in self.stripe.requests:
            params = sent.get("params") or {}
            if params.get("client_reference_id") == session.get("client_reference_id"):
                name = params.get("line_items[0][price_data][product_data][name]")
                if name:
                    return str(name)
        return f"Invoice {session.get('client_reference_id', '')}"

    def _page(self, session: dict[str, Any], note: str | None = None) -> Response:
        sid = session["id"]
        outcome = self.outcomes.get(sid, OPEN)
        amount = _money(int(session["amount_total"]), str(session["currency"]))
        action = f"{PREFIX}{quote(sid)}"
        parts = [
            f"<p class='what'>{html.escape(self._description(session))}</p>",
            f"<p class='amount'>{html.escape(amount)}</p>",
        ]
        if note:
            parts.append(f"<p class='note' role='status'>{html.escape(note)}</p>")
        if outcome in (OPEN, DECLINED):
            if outcome == DECLINED:
                parts.append("<p class='note' role='status'>The last card was declined. Try again.</p>")
            parts.append(
                "<div class='buttons'>"
                f"<form method='post' action='{action}/card'><button class='primary'>Pay by card</button></form>"
                f"<form method='post' action='{action}/ach'><button>Pay by bank account (ACH)</button></form>"
                f"<form method='post' action='{action}/decline'><button class='danger'>Decline</button></form>"
                "</div>"
            )
        elif outcome == PROCESSING:
            later = (
                f" It arrives by itself {self.ach_settle_seconds:g} s after it was submitted."
                if self.ach_settle_seconds > 0
                else ""
            )
            parts.append(
                f"<p>The bank transfer was submitted and is processing.{later} What does the bank answer?</p>"
                "<div class='buttons'>"
                f"<form method='post' action='{action}/ach-succeeded'>"
                "<button class='primary'>The bank transfer arrives</button></form>"
                f"<form method='post' action='{action}/ach-failed'>"
                "<button class='danger'>The bank transfer fails</button></form>"
                "</div>"
            )
        else:
            parts.append(f"<p class='note' role='status'>{html.escape(DONE_TEXT[outcome])}</p>")
        back = session.get("success_url") if outcome != OPEN else session.get("cancel_url")
        if back:
            label = "Back to the invoice" if outcome != OPEN else "Cancel and go back"
            parts.append(f"<p><a href='{html.escape(back, quote=True)}'>{label}</a></p>")
        return _page("Checkout", "".join(parts))


_STYLE = """
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;background:#f4f5f7;color:#1d2430}
main{max-width:28rem;margin:2rem auto;background:#fff;border:1px solid #d8dce3;border-radius:.75rem;padding:1.5rem}
.badge{display:inline-block;font-size:.8rem;background:#fff4d6;color:#6b4e00;border-radius:1rem;padding:.1rem .6rem}
h1{font-size:1.25rem;margin:.5rem 0 1rem}
.what{margin:0;color:#4a5565}
.amount{font-size:2rem;font-weight:600;margin:0 0 1rem}
.buttons{display:grid;gap:.5rem}
form{margin:0}
button{width:100%;font:inherit;padding:.7rem 1rem;border-radius:.5rem;border:1px solid #9aa3b2;background:#fff;
color:#1d2430;cursor:pointer}
button.primary{background:#2f54c8;border-color:#2f54c8;color:#fff}
button.danger{color:#a11d2b;border-color:#d9a3a9}
button:focus-visible,a:focus-visible{outline:3px solid #f0b400;outline-offset:2px}
.note{background:#eef2fb;border-radius:.5rem;padding:.5rem .75rem}
pre{white-space:pre-wrap}
a{color:#2f54c8}
@media (max-width:30rem){main{margin:0;border-radius:0;border-width:0 0 1px}}
"""


def _page(title: str, body: str, status: int = 200) -> Response:
    document = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width,initial-scale=1'>"
        f"<title>{html.escape(title)} (local test checkout)</title><style>{_STYLE}</style></head><body><main>"
        "<span class='badge'>Local test checkout: no real money moves</span>"
        f"<h1>{html.escape(title)}</h1>{body}</main></body></html>"
    )
    return Response(document, status=status, content_type="text/html; charset=utf-8")
