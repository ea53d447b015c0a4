"""Builds the domain service from configuration: once per process, at cold start."""

from __future__ import annotations

from functools import lru_cache

from hoa_billing.config import get_settings
from hoa_billing.dal.directory import DirectoryRepository
from hoa_billing.dal.invoices import InvoiceRepository
from hoa_billing.service import InvoiceService


@lru_cache(maxsize=1)
def invoice_service() -> InvoiceService:
    settings = get_settings()
    return InvoiceService(
        InvoiceRepository(settings.invoices_table),
        DirectoryRepository(settings.properties_table),
    )


def service_context() -> dict[str, InvoiceService]:
    return {"service": invoice_service()}
