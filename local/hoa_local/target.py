"""Where the operator commands send their requests: the running local runtime (its
state file says where it listens and mints a manager token), or a deployed stack
(``--url`` and ``--token``, or ``HOA_API_URL`` and ``HOA_TOKEN``)."""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from hoa_local import ROOT
from hoa_local.runtime import RuntimeState

DEFAULT_STATE_DIR = ROOT / ".local"


class CliError(Exception):
    """A problem the command explains to the operator in one line (exit status 2)."""


@dataclass
class Target:
    url: str
    token: str
    property_id: str | None
    state: RuntimeState | None

    def call(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
        response = requests.request(
            method,
            self.url.rstrip("/") + path,
            json=body,
            headers={"Authorization": f"Bearer {self.token}", **(headers or {})},
            timeout=30,
        )
        payload = response.json() if response.content else None
        if response.status_code >= 400:
            error = (payload or {}).get("error") or payload or {}
            message = error.get("message", response.text) if isinstance(error, dict) else response.text
            raise CliError(f"{method} {path} -> {response.status_code}: {message}")
        return payload

    def require_property(self, args: argparse.Namespace) -> str:
        pid = args.property or self.property_id
        if not pid:
            raise CliError("Which property? Pass --property PROPERTY_ID.")
        return str(pid)


def local_state(args: argparse.Namespace) -> RuntimeState | None:
    try:
        return RuntimeState.load(Path(args.state_dir))
    except FileNotFoundError:
        return None


def target(args: argparse.Namespace) -> Target:
    state = local_state(args)
    url = args.url or os.environ.get("HOA_API_URL") or (state.url if state else None)
    if not url:
        raise CliError("No local runtime is running (start it with `make run`); or pass --url and --token.")
    token = args.token or os.environ.get("HOA_TOKEN")
    if not token and state and url == state.url:
        token = state.tokens().manager(*([state.property_id] if state.property_id else []))
    if not token:
        raise CliError("Pass --token (or HOA_TOKEN): a manager's token for that API.")
    return Target(url=url, token=token, property_id=state.property_id if state else None, state=state)
