"""Residents of a property: who invoices are for, and where their email goes."""

from __future__ import annotations

from dataclasses import dataclass

from hoa_billing.core import audit, errors
from hoa_billing.core.changes import ResidentChange
from hoa_billing.core.clock import Clock, SystemClock, new_id
from hoa_billing.core.errors import Refused
from hoa_billing.core.models import Actor, HistoryEntry, Resident
from hoa_billing.invoices.lookup import require_property
from hoa_billing.invoices.ports import Directory


@dataclass(frozen=True)
class NewResident:
    name: str
    unit: str
    email: str | None = None


@dataclass(frozen=True)
class ResidentEdit:
    """What a manager corrects on a resident's profile: only the fields given change
    (``email`` given as None removes the address)."""

    name: str | None = None
    unit: str | None = None
    email: str | None = None
    email_given: bool = False


class Residents:
    def __init__(self, directory: Directory, clock: Clock | None = None) -> None:
        self.directory = directory
        self.clock = clock or SystemClock()

    def create(self, property_id: str, new: NewResident) -> Resident:
        require_property(self.directory, property_id)
        resident = Resident(
            resident_id=new_id("res"),
            property_id=property_id,
            name=new.name,
            unit=new.unit,
            email=new.email,
            created_at=self.clock.now(),
        )
        self.directory.add_resident(resident)
        return resident

    def require(self, property_id: str, resident_id: str) -> Resident:
        resident = self.directory.get_resident(property_id, resident_id)
        if resident is None:
            raise errors.ResidentNotInProperty(
                f"Resident {resident_id} is not a resident of property {property_id}.",
                resident_id=resident_id,
            )
        return resident

    def list(self, property_id: str, limit: int, cursor: str | None) -> tuple[list[Resident], str | None]:
        return self.directory.list_residents(property_id, limit, cursor)

    def get(self, property_id: str, resident_id: str) -> Resident:
        resident = self.directory.get_resident(property_id, resident_id)
        if resident is None:
            raise errors.ResidentNotFound(f"Resident {resident_id} was not found.", resident_id=resident_id)
        return resident

    def update(self, property_id: str, resident_id: str, edit: ResidentEdit, actor: Actor) -> Resident:
        """Correct a resident's name, unit or address ("Go to Residents to check their
        profile"). A new address clears the bouncing mark; the change is in their history."""
        current = self.get(property_id, resident_id)
        changes: dict[str, object] = {}
        if edit.name is not None and edit.name != current.name:
            changes["name"] = {"from": current.name, "to": edit.name}
        if edit.unit is not None and edit.unit != current.unit:
            changes["unit"] = {"from": current.unit, "to": edit.unit}
        if edit.email_given and (edit.email != current.email or current.email_bouncing):
            changes["email"] = {"from": current.email, "to": edit.email}
        if not changes:
            return current
        entry = HistoryEntry(at=self.clock.now(), action="profile_updated", actor=actor, details=changes)
        change = ResidentChange(
            entry=entry,
            name=edit.name if "name" in changes else None,
            unit=edit.unit if "unit" in changes else None,
            email=edit.email if "email" in changes else None,
            clear_email="email" in changes and edit.email is None,
        )
        try:
            updated = self.directory.update_resident(property_id, resident_id, change)
        except Refused:
            raise errors.ResidentNotFound(f"Resident {resident_id} was not found.", resident_id=resident_id) from None
        audit.resident_changed(property_id, resident_id, entry)
        return updated
