"""Configuration from environment variables, validated once per process (at cold start)."""

from __future__ import annotations

import os
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="ignore")

    invoices_table: str = Field(alias="INVOICES_TABLE", min_length=3)
    properties_table: str = Field(alias="PROPERTIES_TABLE", min_length=3)
    idempotency_table: str = Field(alias="IDEMPOTENCY_TABLE", min_length=3)
    # Larger bodies are refused before parsing: nothing legitimate comes close.
    max_body_bytes: int = Field(alias="MAX_BODY_BYTES", default=64 * 1024, gt=0)
    idempotency_ttl_seconds: int = Field(alias="IDEMPOTENCY_TTL_SECONDS", default=24 * 3600, gt=0)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings.model_validate(dict(os.environ))
