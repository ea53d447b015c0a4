"""CORS for the local HTTP API, as API Gateway applies an HTTP API's ``CorsConfiguration``.

The settings are read from template.yaml's ``AWS::Serverless::HttpApi`` through the
stack, resolved with its parameters (``CorsAllowedOrigins``), so the local runtime
answers a browser exactly as the deployed API would:

- A preflight (``OPTIONS`` with ``Origin`` and ``Access-Control-Request-Method``) is
  answered by the gateway itself with 204, before routing and before the JWT
  authorizer, whether or not a route exists for the path.
- The CORS headers go only to an origin the configuration allows. Any other origin gets
  the same 204 (or the integration's response) without any ``Access-Control-*``
  header, so the browser refuses to hand the response to the page.
- On every other request from an allowed origin, the gateway adds
  ``Access-Control-Allow-Origin`` (and the exposed headers) to the response, and drops
  whatever CORS headers the integration returned itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from werkzeug.wrappers import Request, Response

from hoa_local.template import Stack


def _names(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = value.split(",")
    return tuple(str(item).strip() for item in value if str(item).strip())


@dataclass(frozen=True)
class GatewayCors:
    allow_origins: tuple[str, ...]
    allow_headers: tuple[str, ...] = ()
    allow_methods: tuple[str, ...] = ()
    expose_headers: tuple[str, ...] = ()
    max_age: int | None = None
    allow_credentials: bool = False

    @classmethod
    def from_stack(cls, stack: Stack) -> GatewayCors | None:
        """The template's HttpApi ``CorsConfiguration`` with parameters resolved; None without one."""
        apis = stack.resources("AWS::Serverless::HttpApi")
        if len(apis) != 1:
            raise ValueError(f"expected one AWS::Serverless::HttpApi in the template, found {len(apis)}")
        (properties,) = apis.values()
        configuration = properties.get("CorsConfiguration")
        if not configuration:
            return None
        settings = stack.resolve(configuration)
        max_age = settings.get("MaxAge")
        return cls(
            allow_origins=_names(settings.get("AllowOrigins")),
            allow_headers=_names(settings.get("AllowHeaders")),
            allow_methods=_names(settings.get("AllowMethods")),
            expose_headers=_names(settings.get("ExposeHeaders")),
            max_age=None if max_age is None else int(max_age),
            allow_credentials=str(settings.get("AllowCredentials", False)).lower() == "true",
        )

    def allows(self, origin: str) -> bool:
        """``*`` allows any origin, ``https://*`` any origin of that scheme, others match exactly."""
        for allowed in self.allow_origins:
            if allowed == "*":
                return True
            if allowed.endswith("://*") and origin.lower().startswith(allowed[:-1].lower()):
                return True
            if allowed.lower() == origin.lower():
                return True
        return False

    def _allow_origin(self, origin: str) -> str:
        return "*" if "*" in self.allow_origins and not self.allow_credentials else origin

    def preflight(self, request: Request) -> Response | None:
        """The gateway's own answer to a browser preflight, or None when this is not one."""
        origin = request.headers.get("Origin")
        if request.method != "OPTIONS" or not origin or not request.headers.get("Access-Control-Request-Method"):
            return None
        response = Response(status=204)
        if not self.allows(origin):
            return response
        headers = response.headers
        headers["Access-Control-Allow-Origin"] = self._allow_origin(origin)
        if self.allow_methods:
            headers["Access-Control-Allow-Methods"] = ",".join(self.allow_methods)
        if self.allow_headers:
            headers["Access-Control-Allow-Headers"] = ",".join(self.allow_headers)
        if self.max_age is not None:
            headers["Access-Control-Max-Age"] = str(self.max_age)
        if self.allow_credentials:
            headers["Access-Control-Allow-Credentials"] = "true"
        return response

    def decorate(self, request: Request, response: Response) -> Response:
        """The integration's response with the configured CORS headers in place of its own."""
        for name in [n for n in response.headers.keys() if n.lower().startswith("access-control-")]:  # noqa: SIM118
            del response.headers[name]
        origin = request.headers.get("Origin")
        if origin and self.allows(origin):
            response.headers["Access-Control-Allow-Origin"] = self._allow_origin(origin)
            if self.expose_headers:
                response.headers["Access-Control-Expose-Headers"] = ",".join(self.expose_headers)
            if self.allow_credentials:
                response.headers["Access-Control-Allow-Credentials"] = "true"
        return response

    def respond(self, request: Request, dispatch: Callable[[Request], Response]) -> Response:
        """Answer a preflight here; anything else goes to ``dispatch`` and comes back decorated."""
        answered = self.preflight(request)
        if answered is not None:
            return answered
        return self.decorate(request, dispatch(request))
