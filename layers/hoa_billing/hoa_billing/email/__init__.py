"""The emails: delivering a queued invoice email, receipt or payment notice exactly once,
resending an invoice's email, and what SES's bounce and complaint notifications change.
Rendering lives in ``render``; who an email is from, in ``senders``."""

from hoa_billing.email.bounces import BounceNotice, BounceRecorder, notice_from_sns
from hoa_billing.email.delivery import InvoiceEmailer, Outcome
from hoa_billing.email.message import EmailMessage, Rejected, RetryLater, SendFailed
from hoa_billing.email.notices import Mailroom, NoticeEmailer
from hoa_billing.email.ports import AddressBook, EmailOutbox, EmailSender
from hoa_billing.email.requests import PER_MESSAGE, EmailRequests, requests_in
from hoa_billing.email.resend import EmailResends
from hoa_billing.email.senders import PropertySenders, SenderIdentity

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
    "Mailroom",
    "NoticeEmailer",
    "Outcome",
    "PropertySenders",
    "Rejected",
    "RetryLater",
    "SendFailed",
    "SenderIdentity",
    "notice_from_sns",
    "requests_in",
]
