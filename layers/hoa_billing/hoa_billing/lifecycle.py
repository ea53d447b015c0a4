"""The invoice lifecycle: which transitions exist and which actions a person may take now.

    Draft --publish--> Open --payment in full--> Paid
                        |  \\--due date passed--> Overdue --payment in full--> Paid
                        \\--void (no payments)--> Void <--void (no payments)-- Overdue

The data access layer enforces every transition with a conditional write; this module
is the readable statement of the rules, used for the "actions available now" list and
for deciding which refusal to report.
"""

from __future__ import annotations

from enum import StrEnum

from hoa_billing.models import Invoice, InvoiceStatus


class Action(StrEnum):
    PUBLISH = "publish"
    DELETE = "delete"
    VOID = "void"
    RESEND_EMAIL = "resend_email"
    PAY = "pay"


PUBLISHABLE = frozenset({InvoiceStatus.DRAFT})
VOIDABLE = frozenset({InvoiceStatus.OPEN, InvoiceStatus.OVERDUE})
PAYABLE = frozenset({InvoiceStatus.OPEN, InvoiceStatus.OVERDUE})
EMAILABLE = frozenset({InvoiceStatus.OPEN, InvoiceStatus.OVERDUE})


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


def resident_actions(invoice: Invoice) -> list[Action]:
    if invoice.status in PAYABLE and invoice.balance - invoice.amount_processing > 0:
        return [Action.PAY]
    return []
