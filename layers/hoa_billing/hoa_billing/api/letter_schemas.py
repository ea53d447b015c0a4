"""API models of printed letters: a short-lived link to the PDF, or "preparing"."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from hoa_billing.api.schemas import Out
from hoa_billing.letters_delivery import JobLetters, Link, Preparing


class LetterLinkOut(Out):
    url: str = Field(description="A pre-signed GET of the PDF; it stops working at `expires_at`.")
    expires_at: datetime
    file_name: str = Field(description="What the browser saves it as, e.g. `letter-INV-000007.pdf`.")

    @classmethod
    def of(cls, link: Link) -> LetterLinkOut:
        return cls(url=link.url, expires_at=link.expires_at, file_name=link.file_name)


class LetterPreparingOut(Out):
    status: Literal["preparing"] = "preparing"
    letters: int | None = Field(default=None, description="For a job: how many letters the PDF will hold.")

    @classmethod
    def of(cls, preparing: Preparing) -> LetterPreparingOut:
        return cls(letters=preparing.letters)


class JobLettersOut(Out):
    letters: int = Field(description="Letters of the job: residents its emails could not reach.")
    url: str | None = Field(
        default=None, description="A pre-signed GET of the merged PDF; null when the job has no letters."
    )
    expires_at: datetime | None = None
    file_name: str | None = None

    @classmethod
    def of(cls, found: JobLetters) -> JobLettersOut:
        if found.link is None:
            return cls(letters=found.letters, url=None)
        link = found.link
        return cls(letters=found.letters, url=link.url, expires_at=link.expires_at, file_name=link.file_name)
