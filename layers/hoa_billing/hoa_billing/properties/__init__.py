"""Properties: the page header and property switcher, the settings a manager keeps (name,
time zone, who the emails are from), and creating a property (a platform administrator).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from hoa_billing.core import errors
from hoa_billing.core.changes import PropertyChange
from hoa_billing.core.clock import new_id
from hoa_billing.core.errors import Refused
from hoa_billing.core.models import Property

__all__ = ["NewProperty", "Properties", "PropertySettings", "PropertyStore"]


class PropertyStore(Protocol):
    def create_property(self, prop: Property) -> None: ...  # Refused when it exists

    def get_property(self, property_id: str) -> Property | None: ...

    def update_property(self, property_id: str, change: PropertyChange) -> Property: ...  # Refused: no such property

    def get_properties(self, property_ids: list[str]) -> list[Property]: ...

    def list_properties(self, limit: int, cursor: str | None) -> tuple[list[Property], str | None]: ...


@dataclass(frozen=True)
class NewProperty:
    name: str
    time_zone: str
    currency: str
    sender_name: str | None = None
    reply_to_email: str | None = None


@dataclass(frozen=True)
class PropertySettings:
    """Only the settings given change; ``reply_to_given`` with None removes the reply-to."""

    name: str | None = None
    time_zone: str | None = None
    sender_name: str | None = None
    reply_to_email: str | None = None
    reply_to_given: bool = False


class Properties:
    def __init__(self, store: PropertyStore) -> None:
        self.store = store

    def of_manager(self, property_ids: frozenset[str]) -> list[Property]:
        """The properties a manager's token names that exist, by name."""
        return sorted(self.store.get_properties(sorted(property_ids)), key=lambda p: (p.name.casefold(), p.property_id))

    def all(self, limit: int, cursor: str | None) -> tuple[list[Property], str | None]:
        return self.store.list_properties(limit, cursor)

    def get(self, property_id: str) -> Property:
        prop = self.store.get_property(property_id)
        if prop is None:
            raise errors.PropertyNotFound(f"Property {property_id} does not exist.", property_id=property_id)
        return prop

    def create(self, new: NewProperty) -> Property:
        prop = Property(
            property_id=new_id("prop"),
            name=new.name,
            time_zone=new.time_zone,
            currency=new.currency,
            sender_name=new.sender_name,
            reply_to_email=new.reply_to_email,
        )
        try:
            self.store.create_property(prop)
        except Refused:
            raise errors.PropertyExists(f"Property {prop.property_id} already exists.") from None
        return prop

    def update(self, property_id: str, settings: PropertySettings) -> Property:
        change = PropertyChange(
            name=settings.name,
            time_zone=settings.time_zone,
            sender_name=settings.sender_name,
            reply_to_email=settings.reply_to_email,
            clear_reply_to=settings.reply_to_given and settings.reply_to_email is None,
        )
        try:
            return self.store.update_property(property_id, change)
        except Refused:
            raise errors.PropertyNotFound(f"Property {property_id} does not exist.", property_id=property_id) from None
