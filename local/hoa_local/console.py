"""The web console (``web/``) on its own port, as a static host would serve it, plus the
runtime-only endpoints it uses locally.

- ``web/`` as files, with the single-page fallback a static host is configured with
  (CloudFront: 403/404 -> /index.html): any path that is not a file and does not look
  like one (``/invoices/inv_1``, ``/portal/invoices/inv_1``) gets ``index.html``.
- ``/config.json``, generated: the API's URL and how to sign in (the local principals).
- On the API's port: ``/_local/principals`` (demo principals with tokens the runtime
  mints, for the sign-in page) and ``/_local/checkout/...`` (``hoa_local.checkout``).

The console's URL decides two stack parameters, so the console binds its port first:
``PortalBaseUrl`` is ``<console>/portal`` (the email's Pay Now link and Stripe's return
URLs) and ``CorsAllowedOrigins`` is the console's origin.
"""

from __future__ import annotations

import json
import mimetypes
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from werkzeug.security import safe_join
from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response

from hoa_local import ROOT
from hoa_local.checkout import PREFIX as CHECKOUT_PREFIX
from hoa_local.checkout import LocalCheckout

if TYPE_CHECKING:
    from hoa_local.http_api import LocalHttpApi
    from hoa_local.runtime import LocalRuntime

WEB_ROOT = ROOT / "web"
DEFAULT_CONSOLE_PORT = 5173
PRINCIPALS_PATH = "/_local/principals"
ADMIN_CLAIMS = {"sub": "demo-admin", "role": "admin", "name": "Avery Admin"}
_TYPES = {".js": "text/javascript", ".mjs": "text/javascript", ".css": "text/css", ".json": "application/json"}


class ConsoleFiles:
    """A WSGI static host for ``root`` with the single-page fallback and a generated config."""

    def __init__(self, root: Path, config: Callable[[], dict[str, Any]], csp: Callable[[], str]) -> None:
        self.root = root
        self.config = config
        self.csp = csp

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        return self.respond(Request(environ))(environ, start_response)

    def respond(self, request: Request) -> Response:
        if request.method not in ("GET", "HEAD"):
            return Response("Method Not Allowed", status=405, headers={"Allow": "GET, HEAD"})
        if request.path == "/config.json":
            response = Response(json.dumps(self.config(), indent=2), content_type="application/json")
            response.headers["Cache-Control"] = "no-store"
            return response
        found = self._file(request.path)
        if found is None:
            last = request.path.rstrip("/").rsplit("/", 1)[-1]
            if "." in last:  # an asset that is not there: a 404, not the page
                return Response("Not Found", status=404, content_type="text/plain")
            found = self.root / "index.html"
        return self._send(found)

    def _file(self, path: str) -> Path | None:
        joined = safe_join(str(self.root), path.lstrip("/"))
        if joined is None:
            return None
        candidate = Path(joined)
        return candidate if candidate.is_file() else None

    def _send(self, path: Path) -> Response:
        kind = _TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind == "application/json":
            kind += "; charset=utf-8"
        response = Response(path.read_bytes(), content_type=kind)
        response.headers["Cache-Control"] = "no-cache"
        response.headers["X-Content-Type-Options"] = "nosniff"
        if path.suffix == ".html":
            response.headers["Content-Security-Policy"] = self.csp()
            response.headers["Referrer-Policy"] = "no-referrer"
        return response


class LocalConsole:
    """The console's server (bound at construction, so its URL is known before the stack's
    parameters are), its config, and its runtime-only endpoints on the API's port."""

    def __init__(
        self, host: str, port: int = DEFAULT_CONSOLE_PORT, *, root: Path = WEB_ROOT, ach_settle_seconds: float = 0
    ) -> None:
        self.api_url: str | None = None
        self.runtime: LocalRuntime | None = None
        self.checkout: LocalCheckout | None = None
        self.ach_settle_seconds = ach_settle_seconds
        self.server: BaseWSGIServer = make_server(
            host, port, ConsoleFiles(root, self.config, self.content_security_policy), threaded=True
        )
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        host = host.decode() if isinstance(host, bytes) else host
        return f"http://{host}:{port}"

    def origins(self) -> list[str]:
        """The console's origin, and its other spelling on loopback (localhost / 127.0.0.1)."""
        port = self.server.server_address[1]
        host = self.server.server_address[0]
        host = host.decode() if isinstance(host, bytes) else host
        aliases = {"127.0.0.1": "localhost", "localhost": "127.0.0.1"}
        found = [self.url]
        if host in aliases:
            found.append(f"http://{aliases[host]}:{port}")
        return found

    def stack_parameters(self) -> dict[str, str]:
        return {"PortalBaseUrl": f"{self.url}/portal", "CorsAllowedOrigins": ",".join(self.origins())}

    # -- wiring into the runtime -------------------------------------------------------

    def install(self, app: LocalHttpApi, runtime: LocalRuntime) -> None:
        """Add the console's runtime-only endpoints to the HTTP API (before it serves)."""
        self.runtime = runtime
        self.checkout = LocalCheckout(runtime.stripe, self._webhook_url, self.ach_settle_seconds)
        app.add_local_route("GET", PRINCIPALS_PATH, self._principals)
        app.add_local_route("GET", CHECKOUT_PREFIX, self.checkout.view)
        app.add_local_route("POST", CHECKOUT_PREFIX, self.checkout.view)

    def start(self, api_url: str) -> None:
        """Serve the console; Checkout Sessions now lead to the local checkout page."""
        self.api_url = api_url
        if self.runtime is not None:
            self.runtime.stripe.checkout_page_base = api_url + CHECKOUT_PREFIX.rstrip("/")
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.2}, name="console", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        if self.checkout is not None:
            self.checkout.stop()
        if self._thread is not None:
            self.server.shutdown()
        self.server.server_close()

    # -- what the console reads --------------------------------------------------------

    def config(self) -> dict[str, Any]:
        api = self.api_url or ""
        return {
            "api_base_url": api,
            "auth": {"mode": "local", "principals_url": api + PRINCIPALS_PATH},
            "local": {"checkout_url": api + CHECKOUT_PREFIX},
        }

    def content_security_policy(self) -> str:
        return (
            f"default-src 'self'; connect-src 'self' {self.api_url or ''}; img-src 'self' data:; "
            "style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
        )

    def _webhook_url(self) -> str:
        return f"{self.api_url}/webhooks/stripe"

    def principals(self) -> list[dict[str, Any]]:
        """Who the local sign-in page offers: a manager of every property the runtime holds
        (the demo property and any an administrator created since), each resident of the
        demo property by name (including ones added since), and an admin."""
        runtime = self.runtime
        assert runtime is not None
        tokens = runtime.tokens
        found: list[dict[str, Any]] = []
        if runtime.demo is not None:
            from hoa_billing import compose  # the layer is on the path once the runtime runs

            directory = compose.directory()
            pid = runtime.demo.property_id
            prop = directory.get_property(pid)
            place = prop.name if prop else pid
            others = [p for p in _all_properties(compose.properties()) if p.property_id != pid]
            more = f" and {len(others)} more propert{'y' if len(others) == 1 else 'ies'}" if others else ""
            found.append(
                {
                    "role": "manager",
                    "name": "Dana Manager",
                    "description": f"Manager of {place}{more}",
                    "token": tokens.manager(pid, *(p.property_id for p in others)),
                }
            )
            for resident in directory.all_residents(pid):
                reach = resident.email or "no email address"
                found.append(
                    {
                        "role": "resident",
                        "name": resident.name,
                        "description": f"Resident of {place}, unit {resident.unit} ({reach})",
                        "resident_id": resident.resident_id,
                        "token": tokens.resident(resident.resident_id),
                    }
                )
        found.append(
            {
                "role": "admin",
                "name": ADMIN_CLAIMS["name"],
                "description": "Administrator (all properties)",
                "token": tokens.mint(ADMIN_CLAIMS),
            }
        )
        return found

    def _principals(self, request: Request, rest: str) -> Response:
        if rest.strip("/"):
            return Response(json.dumps({"message": "Not Found"}), status=404, content_type="application/json")
        body = {"principals": self.principals()}
        return Response(json.dumps(body), content_type="application/json", headers={"Cache-Control": "no-store"})


def _all_properties(properties: Any, limit: int = 100) -> list[Any]:
    """Every property, page by page (a local runtime holds a handful)."""
    found: list[Any] = []
    cursor = None
    while True:
        page, cursor = properties.all(limit, cursor)
        found.extend(page)
        if cursor is None or len(found) >= 1000:
            return found
