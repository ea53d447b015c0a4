"""``hoa property create`` and ``hoa property list``: properties through the API, as an
administrator (locally a minted admin token; against a deployed stack ``--token``)."""

from __future__ import annotations

import argparse
import os
import uuid
from pathlib import Path
from typing import Any

import requests

from hoa_local.runtime import RuntimeState


class PropertyCommandError(Exception):
    pass


def _target(args: argparse.Namespace) -> tuple[str, str]:
    """The API's URL and an administrator's token: given, from the environment, or the
    running local runtime's."""
    try:
        state: RuntimeState | None = RuntimeState.load(Path(args.state_dir))
    except FileNotFoundError:
        state = None
    url = args.url or os.environ.get("HOA_API_URL") or (state.url if state else None)
    if not url:
        raise PropertyCommandError("No local runtime is running (start it with `make run`); or pass --url and --token.")
    token = args.token or os.environ.get("HOA_TOKEN")
    if not token and state is not None and url == state.url:
        token = state.tokens().admin()
    if not token:
        raise PropertyCommandError("Pass --token (or HOA_TOKEN): an administrator's token for that API.")
    return url.rstrip("/"), token


def _call(url: str, token: str, method: str, path: str, body: Any = None) -> Any:
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())}
    response = requests.request(method, url + path, json=body, headers=headers, timeout=30)
    payload = response.json() if response.content else None
    if response.status_code >= 400:
        error = (payload or {}).get("error") or payload or {}
        raise PropertyCommandError(f"{method} {path} -> {response.status_code}: {error.get('message', response.text)}")
    return payload


def cmd_property_create(args: argparse.Namespace) -> int:
    """Create a property through the same domain operation as ``POST /properties``."""
    url, token = _target(args)
    body: dict[str, Any] = {"name": args.name, "time_zone": args.time_zone, "currency": args.currency}
    if args.sender_name:
        body["sender_name"] = args.sender_name
    if args.reply_to:
        body["reply_to_email"] = args.reply_to
    created = _call(url, token, "POST", "/properties", body)
    print(f"Created {created['name']} ({created['property_id']}), {created['time_zone']}, {created['currency']}.")
    pid = created["property_id"]
    print(f"A manager acts on it with a token naming it, e.g. locally: hoa token manager --property {pid}")
    return 0


def cmd_property_list(args: argparse.Namespace) -> int:
    url, token = _target(args)
    page = _call(url, token, "GET", "/properties?limit=100")
    for prop in page["items"]:
        print(f"{prop['property_id']:<34} {prop['name']:<30} {prop['time_zone']:<22} {prop['currency']}")
    print(f"{len(page['items'])} propert{'y' if len(page['items']) == 1 else 'ies'}")
    return 0


def add_commands(commands: Any) -> None:
    """Register ``property create`` and ``property list`` on the CLI's subcommands."""
    prop = commands.add_parser("property", help="create or list properties (as an administrator)")
    actions = prop.add_subparsers(dest="property_command", required=True)
    for name, func, text in (
        ("create", cmd_property_create, "create a property"),
        ("list", cmd_property_list, "list every property"),
    ):
        action = actions.add_parser(name, help=text)
        action.add_argument("--url", help="API base URL (default: the running local runtime; env HOA_API_URL)")
        action.add_argument("--token", help="an administrator's bearer token (default: a local one; env HOA_TOKEN)")
        action.set_defaults(func=func)
        if name == "create":
            action.add_argument("--name", required=True, help='e.g. "Birch Hill HOA"')
            action.add_argument("--time-zone", default="America/New_York", help="IANA time zone")
            action.add_argument("--currency", default="USD")
            action.add_argument("--sender-name", help="the emails' display name (default: the name)")
            action.add_argument("--reply-to", help="where residents' replies go (the management office)")
