"""Residents of a property: who invoices are for, and where their email goes."""

from __future__ import annotations

from dataclasses import dataclass

from hoa_billing.core import errors
from hoa_billing.core.clock import Clock, SystemClock, new_id
from hoa_billing.core.models import Resident
from hoa_billing.invoices.lookup import require_property
from hoa_billing.invoices.ports import Directory


@dataclass(frozen=True)
class NewResident:
    name: str
    unit: str
    email: str | None = None


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
