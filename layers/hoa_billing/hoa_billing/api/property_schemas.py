"""API models of properties: the page header, the property switcher and the settings."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from hoa_billing.api.schemas import CURRENCY_CODES, Currency, EmailAddress, Name, Out, Strict, TimeZone
from hoa_billing.core.models import Property
from hoa_billing.properties import NewProperty, PropertySettings


class PropertyOut(Out):
    property_id: str
    name: str
    time_zone: str = Field(description="IANA time zone: due dates and overdue are judged there.")
    currency: str
    sender_name: str = Field(description="The display name residents see on emails (default: the name).")
    reply_to_email: str | None = Field(description="Where residents' replies go (the management office).")

    @classmethod
    def of(cls, prop: Property) -> PropertyOut:
        return cls(
            property_id=prop.property_id,
            name=prop.name,
            time_zone=prop.time_zone,
            currency=prop.currency,
            sender_name=prop.sender_display_name,
            reply_to_email=prop.reply_to_email,
        )


class PropertyListOut(Out):
    items: list[PropertyOut]
    next_cursor: str | None


class PropertyIn(Strict):
    name: Name
    time_zone: TimeZone = Field(description="IANA time zone, like America/New_York.")
    currency: Currency = Field(json_schema_extra={"enum": CURRENCY_CODES})
    sender_name: Name | None = None
    reply_to_email: EmailAddress = None

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "Maple Court HOA",
                    "time_zone": "America/New_York",
                    "currency": "USD",
                    "reply_to_email": "office@maplecourt.example",
                }
            ]
        }
    )

    def new(self) -> NewProperty:
        return NewProperty(
            name=self.name,
            time_zone=self.time_zone,
            currency=self.currency,
            sender_name=self.sender_name,
            reply_to_email=self.reply_to_email,
        )


class PropertyPatch(Strict):
    """Only the settings sent change; ``"reply_to_email": null`` removes it."""

    name: Name | None = None
    time_zone: TimeZone | None = None
    sender_name: Name | None = None
    reply_to_email: EmailAddress = None

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"sender_name": "Maple Court Billing", "reply_to_email": "office@maplecourt.example"}]
        }
    )

    def settings(self) -> PropertySettings:
        return PropertySettings(
            name=self.name,
            time_zone=self.time_zone,
            sender_name=self.sender_name,
            reply_to_email=self.reply_to_email,
            reply_to_given="reply_to_email" in self.model_fields_set,
        )
