"""SES refusing an address, played locally: what SES in the sandbox answers for a recipient
nobody verified (``MessageRejected``, for good: the email is marked failed with SES's
words as its reason).

The embedded SES accepts every address; ``POST /_local/ses/refusals`` (``hoa
email-refuse ADDRESS``) names one it refuses from then on, so a Publish All can be
watched meeting a refused address as it would on AWS. ``GET`` lists them.

    {"address": "pat@example.com"}
"""

from __future__ import annotations

import json
import threading
from email.utils import getaddresses
from typing import Any

from moto.ses.exceptions import MessageRejectedError
from moto.ses.models import SESBackend
from werkzeug.wrappers import Request, Response

PATH = "/_local/ses/refusals"
_refused: set[str] = set()
_lock = threading.Lock()


def refuse(address: str) -> None:
    with _lock:
        _refused.add(address.strip().lower())


def refused() -> list[str]:
    with _lock:
        return sorted(_refused)


def _check(backend: SESBackend, addresses: list[str]) -> None:
    with _lock:
        wanted = set(_refused)
    for _, address in getaddresses(addresses):
        if address.lower() in wanted:
            raise MessageRejectedError(
                "Email address is not verified. The following identities failed the check in region "
                f"{backend.region_name.upper()}: {address}"
            )


def install() -> None:
    """Make the embedded SES (same process) refuse the named addresses."""
    if getattr(SESBackend.send_email, "refusing", False):
        return
    send_email, send_raw_email = SESBackend.send_email, SESBackend.send_raw_email

    def checked_send_email(self: SESBackend, source: str, subject: str, body: str, destinations: Any) -> Any:
        _check(self, [a for addresses in destinations.values() for a in addresses])
        return send_email(self, source, subject, body, destinations)

    def checked_send_raw_email(self: SESBackend, source: str, destinations: list[str], raw_data: str) -> Any:
        from email import message_from_string

        message = message_from_string(raw_data)
        headers = [str(message[h]) for h in ("To", "Cc", "Bcc") if message[h]]
        _check(self, list(destinations or []) + headers)
        return send_raw_email(self, source, destinations, raw_data)

    checked_send_email.refusing = True  # type: ignore[attr-defined]
    SESBackend.send_email = checked_send_email  # type: ignore[method-assign]
    SESBackend.send_raw_email = checked_send_raw_email  # type: ignore[method-assign]


def view(request: Request, rest: str) -> Response:
    if rest.strip("/"):
        return _json(404, {"message": "Not Found"})
    if request.method == "GET":
        return _json(200, {"refused": refused()})
    body = request.get_json(silent=True)
    address = body.get("address") if isinstance(body, dict) else None
    if not isinstance(address, str) or "@" not in address or len(address) > 254:
        return _json(400, {"message": 'the body is {"address": "someone@example.com"}'})
    refuse(address)
    return _json(200, {"refused": refused()})


def _json(status: int, body: Any) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")
