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

from enum import StrEnum

from hoa_billing.core.models import Invoice, InvoiceStatus

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
    DELETE = "delete"
    VOID = "void"
    RESEND_EMAIL = "resend_email"
    PAY = "pay"


def has_payments(invoice: Invoice) -> bool:
    """A succeeded or still-processing payment (ACH takes days) blocks a void."""
    return invoice.amount_paid > 0 or invoice.amount_processing > 0


def manager_actions(invoice: Invoice) -> list[Action]:
    status = invoice.status
    if status in PUBLISHABLE:
        return [Action.PUBLISH, Action.DELETE]
    actions: list[Action] = []
    if status in VOIDABLE and not has_payments(invoice):
        actions.append(Action.VOID)
    if status in EMAILABLE:
        actions.append(Action.RESEND_EMAIL)
    return actions


def payable_amount(invoice: Invoice) -> int:
    """What is left to pay once the bank debits still in flight are counted."""
    return max(0, invoice.balance - invoice.amount_processing)


def resident_actions(invoice: Invoice) -> list[Action]:
    if invoice.status in PAYABLE and payable_amount(invoice) > 0:
        return [Action.PAY]
    return []
