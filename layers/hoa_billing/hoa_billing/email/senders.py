"""Who an email is from, as the property's settings say: the display name (default: the
property's name), the Reply-To (the management office) and the time zone its dates are
shown in. Read through ``PropertyReader`` at send time, cached per process for at most
``ttl_seconds`` (a settings change shows in the emails within that time)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from hoa_billing.core.models import Property

DEFAULT_TTL_SECONDS = 60.0
KEPT = 1000


class PropertyReader(Protocol):
    def get_property(self, property_id: str) -> Property | None: ...


@dataclass(frozen=True)
class SenderIdentity:
    display_name: str
    reply_to: str | None
    time_zone: str | None


class PropertySenders:
    def __init__(
        self,
        properties: PropertyReader,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.properties = properties
        self.ttl = ttl_seconds
        self.monotonic = monotonic
        self._cache: dict[str, tuple[float, Property | None]] = {}

    def identity(self, property_id: str, property_name: str) -> SenderIdentity:
        """The property's sender; ``property_name`` (as the invoice carries it) when the
        property cannot be found."""
        prop = self._property(property_id)
        if prop is None:
            return SenderIdentity(display_name=property_name, reply_to=None, time_zone=None)
        return SenderIdentity(prop.sender_display_name, prop.reply_to_email, prop.time_zone)

    def _property(self, property_id: str) -> Property | None:
        now = self.monotonic()
        cached = self._cache.get(property_id)
        if cached is not None and now - cached[0] < self.ttl:
            return cached[1]
        prop = self.properties.get_property(property_id)
        if len(self._cache) >= KEPT:
            self._cache.clear()
        self._cache[property_id] = (now, prop)
        return prop


class NamedOnly:
    """The sender when no property settings are at hand: the invoice's property name."""

    def identity(self, property_id: str, property_name: str) -> SenderIdentity:
        return SenderIdentity(display_name=property_name, reply_to=None, time_zone=None)


class Senders(Protocol):
    def identity(self, property_id: str, property_name: str) -> SenderIdentity: ...
