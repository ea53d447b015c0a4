"""A request on the letters queue: print one invoice's letter, or a job's merged PDF."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from hoa_billing.core import errors

Kind = Literal["invoice", "job"]
# The "already asked" notes, by what was asked for.
NOTE_KINDS: dict[str, str] = {"invoice": "invoices", "job": "jobs"}


@dataclass(frozen=True)
class LetterRequest:
    kind: Kind
    property_id: str
    subject_id: str  # the invoice id, or the job id

    def body(self) -> dict[str, Any]:
        return {"letter": self.kind, "property_id": self.property_id, "id": self.subject_id}

    @classmethod
    def of(cls, body: Any) -> LetterRequest:
        """The request a queue message carries; ``InvalidRequest`` for anything else."""
        if not isinstance(body, dict):
            raise errors.InvalidRequest("a letter request is a JSON object")
        kind, property_id, subject_id = body.get("letter"), body.get("property_id"), body.get("id")
        if kind not in NOTE_KINDS or not isinstance(property_id, str) or not isinstance(subject_id, str):
            raise errors.InvalidRequest("a letter request names what to print: letter, property_id, id")
        if not property_id or not subject_id:
            raise errors.InvalidRequest("a letter request names what to print: letter, property_id, id")
        return cls(kind, property_id, subject_id)  # type: ignore[arg-type]
