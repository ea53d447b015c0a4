"""Builds the email operations from configuration: once per process, at cold start."""

from __future__ import annotations

from functools import lru_cache

from hoa_billing.config import get_email_settings, get_resend_settings, get_settings
from hoa_billing.dal.directory import DirectoryRepository
from hoa_billing.dal.invoices import InvoiceRepository
from hoa_billing.email.ses import SesEmailSender, ses_client
from hoa_billing.notifications import BounceRecorder, EmailResends, InvoiceEmailer


@lru_cache(maxsize=1)
def ses_sender() -> SesEmailSender:
    settings = get_email_settings()
    return SesEmailSender(ses_client(), settings.sender_email, settings.configuration_set)


@lru_cache(maxsize=1)
def invoice_emailer() -> InvoiceEmailer:
    return InvoiceEmailer(InvoiceRepository(get_settings().invoices_table), ses_sender(), get_email_settings())


@lru_cache(maxsize=1)
def email_resends() -> EmailResends:
    settings = get_settings()
    return EmailResends(
        InvoiceRepository(settings.invoices_table),
        DirectoryRepository(settings.properties_table),
        get_resend_settings().resend_interval_seconds,
    )


@lru_cache(maxsize=1)
def bounce_recorder() -> BounceRecorder:
    settings = get_settings()
    return BounceRecorder(InvoiceRepository(settings.invoices_table), DirectoryRepository(settings.properties_table))
