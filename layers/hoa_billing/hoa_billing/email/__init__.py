"""The invoice email: delivering a queued email exactly once, resending it, and what
SES's bounce and complaint notifications change. Rendering lives in ``render``."""

from hoa_billing.email.bounces import BounceNotice, BounceRecorder, notice_from_sns
from hoa_billing.email.delivery import InvoiceEmailer, Outcome
from hoa_billing.email.message import EmailMessage, Rejected, RetryLater, SendFailed
from hoa_billing.email.ports import AddressBook, EmailOutbox, EmailSender
from hoa_billing.email.requests import PER_MESSAGE, EmailRequests, requests_in
from hoa_billing.email.resend import EmailResends

__all__ = [
    "PER_MESSAGE",
    "AddressBook",
    "BounceNotice",
    "BounceRecorder",
    "EmailMessage",
    "EmailOutbox",
    "EmailRequests",
    "EmailResends",
    "EmailSender",
    "InvoiceEmailer",
    "Outcome",
    "Rejected",
    "RetryLater",
    "SendFailed",
    "notice_from_sns",
    "requests_in",
]
