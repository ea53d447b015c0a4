"""The invoice lifecycle: the one status vocabulary, which transitions exist, and which
actions a person may take now.

    Draft --publish--> Open --payment in full--> Paid
                        |  \\--due date passed--> Overdue --payment in full--> Paid
                        \\--void (no payments)--> Void <--void (no payments)-- Overdue

Every other module (the data layer's conditions, the email stream's FilterCriteria,
checked by a test, the email's wording) takes its statuses from the sets below. The data
layer enforces each transition with a conditional write; this module is the readable
statement of the rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from hoa_billing.core.models import EmailState, EmailStatus, Invoice, InvoiceStatus, Resident

PUBLISHABLE = frozenset({InvoiceStatus.DRAFT})
VOIDABLE = frozenset({InvoiceStatus.OPEN, InvoiceStatus.OVERDUE})
PAYABLE = frozenset({InvoiceStatus.OPEN, InvoiceStatus.OVERDUE})
EMAILABLE = frozenset({InvoiceStatus.OPEN, InvoiceStatus.OVERDUE})
# What publishing moves a draft to.
PUBLISHED_TO = InvoiceStatus.OPEN
# Statuses a resident may ever see. Drafts are kept out of the resident index by
# construction; this set documents the same fact for readers and tests.
PUBLISHED = frozenset(InvoiceStatus) - PUBLISHABLE
# The lifecycle order in which statuses are shown (counts, filters).
ORDER = (InvoiceStatus.DRAFT, InvoiceStatus.OPEN, InvoiceStatus.OVERDUE, InvoiceStatus.PAID, InvoiceStatus.VOID)


class Action(StrEnum):
    PUBLISH = "publish"
    EDIT = "edit"
    DELETE = "delete"
    VOID = "void"
    RESEND_EMAIL = "resend_email"
    PAY = "pay"


# The order of the invoice page's actions menu.
MANAGER_MENU = (Action.PUBLISH, Action.EDIT, Action.DELETE, Action.VOID, Action.RESEND_EMAIL)


@dataclass(frozen=True)
class Unavailable:
    """Why an action the menu shows is greyed out: a stable code and a sentence."""

    action: Action
    reason: str
    message: str


def has_payments(invoice: Invoice) -> bool:
    """A succeeded or still-processing payment (ACH takes days) blocks a void."""
    return invoice.amount_paid > 0 or invoice.amount_processing > 0


def manager_actions(invoice: Invoice, resident: Resident | None = None) -> list[Action]:
    """What would succeed now, in menu order (``resident``: the invoice's resident as they
    are now, for whether an email can be sent; None when not looked up)."""
    refused = {item.action for item in unavailable_actions(invoice, resident)}
    return [action for action in MANAGER_MENU if action not in refused]


def unavailable_actions(invoice: Invoice, resident: Resident | None = None) -> list[Unavailable]:
    """Each menu action that would be refused now, with the reason a manager can act on."""
    status = invoice.status
    out: list[Unavailable] = []
    if status not in PUBLISHABLE:
        out += [
            Unavailable(
                Action.PUBLISH, "invoice_not_draft", f"Only Draft invoices can be published; this one is {status}."
            ),
            Unavailable(Action.EDIT, "invoice_not_draft", f"Only drafts can be edited; this one is {status}."),
            Unavailable(Action.DELETE, "invoice_not_draft", f"Only drafts can be deleted; this one is {status}."),
        ]
    if status not in VOIDABLE:
        hint = " Delete the draft instead." if status in PUBLISHABLE else ""
        out.append(
            Unavailable(Action.VOID, "invoice_not_voidable", f"Only Open or Overdue invoices can be voided.{hint}")
        )
    elif has_payments(invoice):
        out.append(
            Unavailable(
                Action.VOID,
                "invoice_has_payments",
                "A payment was made or is still processing. Contact the resident directly to resolve it.",
            )
        )
    email = _resend_refusal(invoice, resident)
    if email is not None:
        out.append(email)
    return out


def _resend_refusal(invoice: Invoice, resident: Resident | None) -> Unavailable | None:
    if invoice.status not in EMAILABLE:
        return Unavailable(
            Action.RESEND_EMAIL, "invoice_not_emailable", "Only Open or Overdue invoices can be emailed."
        )
    if invoice.email_status in (EmailStatus.QUEUED, EmailStatus.SENDING):
        return Unavailable(
            Action.RESEND_EMAIL, "email_in_progress", "The email is already on its way; it is retried until it is sent."
        )
    if resident is None or resident.email_state is EmailState.MISSING:
        return Unavailable(
            Action.RESEND_EMAIL,
            "resident_has_no_email",
            "The resident has no email address on file. Add one on their profile, or notify them another way.",
        )
    if resident.email_state is EmailState.BOUNCING:
        return Unavailable(
            Action.RESEND_EMAIL,
            "address_bouncing",
            "Emails to the resident's address bounce. Correct it on their profile, or notify them another way.",
        )
    return None


class Bill(Protocol):
    """What paying needs to know of an invoice (the invoice, or its row in a list)."""

    @property
    def status(self) -> InvoiceStatus: ...

    @property
    def balance(self) -> int: ...

    @property
    def amount_processing(self) -> int: ...


def payable_amount(invoice: Bill) -> int:
    """What is left to pay once the bank debits still in flight are counted."""
    return max(0, invoice.balance - invoice.amount_processing)


def resident_actions(invoice: Bill) -> list[Action]:
    if invoice.status in PAYABLE and payable_amount(invoice) > 0:
        return [Action.PAY]
    return []
