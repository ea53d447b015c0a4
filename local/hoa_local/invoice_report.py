"""``hoa invoice INV-00012``: one invoice by its number, as on-call asks about it: its
status and amounts, where its email stands (sent with SES's message id, or why not),
and its history, who did what and when. Against the local runtime, or a deployed stack
with ``--url`` and ``--token``, like the other operator commands.

The invoice is found with the list's search (``GET .../invoices?q=NUMBER``) where the
API has it; an API without it ignores ``q`` and lists everything, so the pages are read
until the number turns up either way.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any, Protocol
from urllib.parse import urlencode

PAGE_SIZE = 100


class Api(Protocol):
    def call(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Any: ...

    def require_property(self, args: argparse.Namespace) -> str: ...


def register(
    commands: Any, remote_options: Callable[[argparse.ArgumentParser], None], target: Callable[..., Api]
) -> None:
    """Add ``invoice`` to the operator commands; ``target`` connects to the API."""
    parser = commands.add_parser(
        "invoice",
        help="an invoice's status, email delivery and history, by its number",
        description="Did the resident get the email for this invoice, and if not, why?",
    )
    remote_options(parser)
    parser.add_argument("number", help="the invoice number (INV-00012) or its id (inv_...)")
    parser.add_argument("--json", action="store_true", help="print the API's invoice detail as JSON")
    parser.set_defaults(func=lambda args: show(args, target(args)))


def find(api: Api, property_id: str, number: str, page_size: int = PAGE_SIZE) -> dict[str, Any] | None:
    """The list row of the property's invoice with this number, or None."""
    wanted = number.strip().upper()
    query: dict[str, str] = {"q": wanted, "limit": str(page_size)}
    while True:
        page = api.call("GET", f"/properties/{property_id}/invoices?{urlencode(query)}")
        for row in page["items"]:
            if str(row["number"]).upper() == wanted:
                return dict(row)
        if not page.get("next_cursor"):
            return None
        query["cursor"] = page["next_cursor"]


def show(args: argparse.Namespace, api: Api) -> int:
    property_id = api.require_property(args)
    invoice_id = args.number if args.number.startswith("inv_") else None
    if invoice_id is None:
        row = find(api, property_id, args.number)
        if row is None:
            print(f"error: {property_id} has no invoice numbered {args.number}", file=sys.stderr)
            return 2
        invoice_id = row["invoice_id"]
    detail = api.call("GET", f"/properties/{property_id}/invoices/{invoice_id}")
    print(json.dumps(detail, indent=2) if args.json else report(detail))
    return 0


def _actor(actor: dict[str, Any]) -> str:
    name = f" ({actor['name']})" if actor.get("name") else ""
    return f"{actor.get('kind', '?')} {actor.get('id', '?')}{name}"


def email_line(email: dict[str, Any]) -> str:
    """Where the invoice's email stands, in one line."""
    status, details = email["status"], email.get("details") or {}
    to = f" to {details['to']}" if details.get("to") else ""
    if status == "sent":
        return f"sent{to} at {details.get('sent_at', '?')}, SES message id {details.get('message_id', '?')}"
    if status in ("failed", "bounced"):
        return f"{status}{to}: {details.get('reason', 'no reason recorded')}"
    if status in ("queued", "sending"):
        tried = f", {details['attempts']} attempt(s)" if details.get("attempts") else ""
        last = f", last error: {details['last_error']}" if details.get("last_error") else ""
        return f"{status}{to}{tried}{last}"
    if status == "skipped_no_address":
        return "not sent: the resident had no usable address when it was published (notify them another way)"
    if status == "not_requested":
        return "not sent: published without the email"
    return str(status)


def report(detail: dict[str, Any]) -> str:
    invoice = detail["invoice"]
    money = {key: invoice[key]["formatted"] for key in ("amount_paid", "amount_processing", "balance")}
    lines = [
        f"{invoice['number']}  {invoice['status']}  {invoice['amount_due']['formatted']}  due {invoice['due_date']}"
        f"  ({invoice['invoice_id']})",
        f"  Resident   {invoice['resident_name']} ({invoice['resident_id']})",
        f"  Amounts    paid {money['amount_paid']}, processing {money['amount_processing']},"
        f" balance {money['balance']}",
        f"  Email      {email_line(invoice['email'])}",
    ]
    if invoice.get("needs_attention"):
        lines.append("  Attention  a payment needs a person: see the history")
    lines += ["", "History"]
    for entry in detail.get("history", []):
        moved = ""
        if entry.get("from_status") or entry.get("to_status"):
            moved = f"  {entry.get('from_status') or ''} -> {entry.get('to_status') or ''}".rstrip()
        reason = f"  reason: {entry['reason']}" if entry.get("reason") else ""
        facts = ", ".join(f"{key}={value}" for key, value in (entry.get("details") or {}).items())
        lines.append(
            f"  {entry['at']}  {entry['action']:<24} {_actor(entry['actor'])}{moved}{reason}"
            + (f"  [{facts}]" if facts else "")
        )
    return "\n".join(lines)
