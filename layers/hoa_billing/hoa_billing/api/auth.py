"""Principals from the JWT claims that API Gateway's authorizer verified.

Claims: ``sub``; ``role`` ("manager", "resident" or "admin"); managers carry
``property_ids`` (a JSON list, the space-separated ``[a b]`` string that HTTP API
authorizers make of list claims, or a comma-separated string); residents carry
``resident_id``. Cognito puts a user pool's custom attributes in its tokens as
``custom:role``, ``custom:property_ids`` and ``custom:resident_id``: those names are read
too, and the plain name wins when a token carries both. API Gateway already rejects
requests without a valid token; the handlers still refuse a missing or malformed principal.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict

from hoa_billing.api.errors import Forbidden, Unauthorized
from hoa_billing.core.models import Actor, ActorKind

_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")


class ManagerPrincipal(BaseModel):
    model_config = ConfigDict(frozen=True)

    subject: str
    property_ids: frozenset[str]
    name: str | None = None

    def actor(self) -> Actor:
        return Actor(kind=ActorKind.API, id=self.subject, name=self.name)


class ResidentPrincipal(BaseModel):
    model_config = ConfigDict(frozen=True)

    subject: str
    resident_id: str

    def actor(self) -> Actor:
        return Actor(kind=ActorKind.API, id=self.subject)


class AdminPrincipal(BaseModel):
    """A platform administrator: creates properties and may see and configure any."""

    model_config = ConfigDict(frozen=True)

    subject: str

    def actor(self) -> Actor:
        return Actor(kind=ActorKind.API, id=self.subject, name="Administrator")


# The claims this API reads that an identity provider may only carry as custom attributes.
_CUSTOM = ("role", "property_ids", "resident_id")


def claims_of(event: Mapping[str, Any]) -> Mapping[str, Any]:
    """The verified claims, with Cognito's ``custom:<name>`` read as ``<name>`` when the
    token has no plain ``<name>``."""
    claims = (((event.get("requestContext") or {}).get("authorizer") or {}).get("jwt") or {}).get("claims")
    if not isinstance(claims, Mapping):
        raise Unauthorized("Sign in again: the request carries no verified identity.")
    custom = {name: claims[f"custom:{name}"] for name in _CUSTOM if name not in claims and f"custom:{name}" in claims}
    return {**claims, **custom} if custom else claims


def _id_list(value: Any) -> frozenset[str]:
    if isinstance(value, str) and value.strip().startswith('["'):
        try:  # a custom attribute holding a JSON list: '["prop_a","prop_b"]'
            value = json.loads(value)
        except ValueError:
            raise Unauthorized("Sign in again: the token's property list is malformed.") from None
    if isinstance(value, str):
        value = value.strip().removeprefix("[").removesuffix("]").replace(",", " ").split()
    if not isinstance(value, list) or not all(isinstance(v, str) and _ID.match(v) for v in value):
        raise Unauthorized("Sign in again: the token's property list is malformed.")
    return frozenset(value)


def _subject(claims: Mapping[str, Any]) -> str:
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject.strip():
        raise Unauthorized("Sign in again: the token has no subject.")
    return subject


def manager(event: Mapping[str, Any], property_id: str) -> ManagerPrincipal:
    """The manager making this request, who must manage ``property_id`` (403 otherwise)."""
    claims = claims_of(event)
    subject = _subject(claims)
    if claims.get("role") != "manager":
        raise Forbidden("Only property managers can do this.")
    principal = ManagerPrincipal(
        subject=subject, property_ids=_id_list(claims.get("property_ids", [])), name=claims.get("name")
    )
    if property_id not in principal.property_ids:
        raise Forbidden("You do not manage this property.", property_id=property_id)
    return principal


def resident(event: Mapping[str, Any]) -> ResidentPrincipal:
    claims = claims_of(event)
    subject = _subject(claims)
    if claims.get("role") != "resident":
        raise Forbidden("Only residents can use the resident portal.")
    resident_id = claims.get("resident_id")
    if not isinstance(resident_id, str) or not _ID.match(resident_id):
        raise Unauthorized("Sign in again: the token's resident id is malformed.")
    return ResidentPrincipal(subject=subject, resident_id=resident_id)


def admin(event: Mapping[str, Any]) -> AdminPrincipal:
    claims = claims_of(event)
    subject = _subject(claims)
    if claims.get("role") != "admin":
        raise Forbidden("Only a platform administrator can do this.")
    return AdminPrincipal(subject=subject)


def staff(event: Mapping[str, Any], property_id: str | None) -> ManagerPrincipal | AdminPrincipal:
    """An administrator, or a manager (of ``property_id`` when the route names one)."""
    if claims_of(event).get("role") == "admin":
        return admin(event)
    if property_id is None:
        claims = claims_of(event)
        subject = _subject(claims)
        if claims.get("role") != "manager":
            raise Forbidden("Only property managers and administrators can do this.")
        return ManagerPrincipal(
            subject=subject, property_ids=_id_list(claims.get("property_ids", [])), name=claims.get("name")
        )
    return manager(event, property_id)


class Caller(StrEnum):
    """Who may call an API function's routes: screened once, before the body is parsed."""

    MANAGER = "manager"  # a manager of the path's property
    RESIDENT = "resident"
    STAFF = "staff"  # an administrator, or a manager (of the path's property, when it names one)
    ADMIN = "admin"  # a platform administrator
    PUBLIC = "public"  # no JWT (the Stripe webhook signs its body instead)


Principal = ManagerPrincipal | ResidentPrincipal | AdminPrincipal | None


def screen(event: Mapping[str, Any], caller: Caller) -> Principal:
    """The principal the route acts for; raises ``Unauthorized`` or ``Forbidden``."""
    property_id = (event.get("pathParameters") or {}).get("property_id")
    if caller is Caller.MANAGER:
        return manager(event, str(property_id or ""))
    if caller is Caller.STAFF:
        return staff(event, str(property_id) if property_id is not None else None)
    if caller is Caller.RESIDENT:
        return resident(event)
    if caller is Caller.ADMIN:
        return admin(event)
    return None
