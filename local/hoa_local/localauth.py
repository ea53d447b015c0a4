"""Local stand-in for the HTTP API's JWT authorizer.

The local runtime mints HS256 tokens for demo principals with a secret of its own and
verifies them itself, then passes the claims on exactly as API Gateway's JWT authorizer
does: every claim a string, lists flattened to ``"[a b]"``. Nothing in template.yaml
trusts this secret; the deployed stack accepts only its identity provider's tokens.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from typing import Any

import jwt

ALGORITHM = "HS256"
DEFAULT_TTL_SECONDS = 12 * 3600


def gateway_claims(claims: dict[str, Any]) -> dict[str, str]:
    """Claims as HTTP API's JWT authorizer hands them to the integration."""

    def flat(value: Any) -> str:
        if isinstance(value, list):
            return "[" + " ".join(flat(item) for item in value) + "]"
        if isinstance(value, bool):
            return str(value).lower()
        return str(value)

    return {key: flat(value) for key, value in claims.items()}


@dataclass(frozen=True)
class LocalTokens:
    issuer: str = "hoa-local"
    audience: str = "hoa-local"
    secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))

    def mint(self, claims: dict[str, Any], ttl_seconds: int = DEFAULT_TTL_SECONDS) -> str:
        now = int(time.time())
        body = {"iss": self.issuer, "aud": self.audience, "iat": now, "exp": now + ttl_seconds, **claims}
        return jwt.encode(body, self.secret, algorithm=ALGORITHM)

    def manager(self, *property_ids: str, sub: str = "demo-manager", name: str = "Dana Manager") -> str:
        return self.mint({"sub": sub, "role": "manager", "property_ids": list(property_ids), "name": name})

    def admin(self, sub: str = "demo-admin", name: str = "Avery Admin") -> str:
        """A platform administrator: creates properties, sees every one."""
        return self.mint({"sub": sub, "role": "admin", "name": name})

    def resident(self, resident_id: str, sub: str | None = None) -> str:
        return self.mint({"sub": sub or f"demo-{resident_id}", "role": "resident", "resident_id": resident_id})

    def verify(self, authorization: str | None) -> dict[str, str] | None:
        """The authorizer's claims for a request, or None (API Gateway answers 401)."""
        if not authorization:
            return None
        token = authorization.removeprefix("Bearer ").removeprefix("bearer ").strip()
        try:
            claims = jwt.decode(
                token,
                self.secret,
                algorithms=[ALGORITHM],
                audience=self.audience,
                issuer=self.issuer,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError:
            return None
        return gateway_claims(claims)
