"""Configuration from environment variables, validated once per process (at cold start)."""

from __future__ import annotations

import os
from functools import lru_cache

from pydantic import ConfigDict, Field

from hoa_billing.core.models import Model


class EnvironmentSettings(Model):
    """Settings read from the environment by their variable names."""

    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="ignore")


class Settings(EnvironmentSettings):
    invoices_table: str = Field(alias="INVOICES_TABLE", min_length=3)
    properties_table: str = Field(alias="PROPERTIES_TABLE", min_length=3)
    notices_table: str = Field(alias="NOTICES_TABLE", min_length=3)
    idempotency_table: str = Field(alias="IDEMPOTENCY_TABLE", min_length=3)
    # Larger bodies are refused before parsing: nothing legitimate comes close.
    max_body_bytes: int = Field(alias="MAX_BODY_BYTES", default=64 * 1024, gt=0)
    idempotency_ttl_seconds: int = Field(alias="IDEMPOTENCY_TTL_SECONDS", default=24 * 3600, gt=0)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings.model_validate(dict(os.environ))


class EmailSettings(EnvironmentSettings):
    """What the email functions need on top of ``Settings``: validated at their cold start."""

    sender_email: str = Field(alias="SENDER_EMAIL", pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    portal_base_url: str = Field(alias="PORTAL_BASE_URL", pattern=r"^https?://[^\s]+$")
    # Empty: no configuration set (no bounce and complaint notifications).
    configuration_set: str | None = Field(alias="SES_CONFIGURATION_SET", default=None)
    # A claim younger than this belongs to a process that may still be sending; it must
    # exceed the sender function's timeout (after which Lambda has stopped that process).
    claim_lease_seconds: int = Field(alias="EMAIL_CLAIM_LEASE_SECONDS", default=120, gt=0)
    # Deliveries that failed this many times are marked failed instead of retried again.
    max_attempts: int = Field(alias="EMAIL_MAX_ATTEMPTS", default=20, gt=0)
    # This process's pace: the account's SES rate divided by the sender's concurrency
    # (template.yaml derives both from SesMaxSendRate). Unset: as fast as SES answers.
    sends_per_second: float | None = Field(alias="EMAIL_SENDS_PER_SECOND", default=None, gt=0)


class EmailQueueSettings(EnvironmentSettings):
    """The outbox function: the queue the email sender reads."""

    email_queue_url: str = Field(alias="EMAIL_QUEUE_URL", pattern=r"^https?://")


class ResendSettings(EnvironmentSettings):
    # A manager may ask for the same invoice's email again at most this often.
    resend_interval_seconds: int = Field(alias="EMAIL_RESEND_INTERVAL_SECONDS", default=60, gt=0)


def _set_variables() -> dict[str, str]:
    # An empty variable (an optional template parameter left blank) means "not set".
    return {key: value for key, value in os.environ.items() if value != ""}


@lru_cache(maxsize=1)
def get_email_settings() -> EmailSettings:
    return EmailSettings.model_validate(_set_variables())


@lru_cache(maxsize=1)
def get_email_queue_settings() -> EmailQueueSettings:
    return EmailQueueSettings.model_validate(dict(os.environ))


@lru_cache(maxsize=1)
def get_resend_settings() -> ResendSettings:
    return ResendSettings.model_validate(_set_variables())


class CheckoutSettings(EnvironmentSettings):
    """The portal checkout function: where Stripe sends the resident back, and the API key."""

    stripe_api_key_parameter: str = Field(alias="STRIPE_API_KEY_PARAMETER", pattern=r"^/[\w./-]+$")
    portal_base_url: str = Field(alias="PORTAL_BASE_URL", pattern=r"^https?://[^\s]+$")
    # Only set outside AWS (tests, the local runtime): a fake Stripe API on localhost.
    stripe_api_base: str | None = Field(alias="STRIPE_API_BASE", default=None, pattern=r"^https?://\S+$")


class WebhookSettings(EnvironmentSettings):
    """The Stripe webhook function: the endpoint secret and the processed-events table."""

    stripe_webhook_secret_parameter: str = Field(alias="STRIPE_WEBHOOK_SECRET_PARAMETER", pattern=r"^/[\w./-]+$")
    stripe_events_table: str = Field(alias="STRIPE_EVENTS_TABLE", min_length=3)
    # Stripe's own default: a signature older than this is a replay, refused with 400.
    tolerance_seconds: int = Field(alias="STRIPE_WEBHOOK_TOLERANCE_SECONDS", default=300, gt=0, le=3600)
    # Stripe retries for up to three days; remembering event ids for 30 covers every retry.
    remember_days: int = Field(alias="STRIPE_EVENTS_RETENTION_DAYS", default=30, gt=0)


@lru_cache(maxsize=1)
def get_checkout_settings() -> CheckoutSettings:
    return CheckoutSettings.model_validate(dict(os.environ))


@lru_cache(maxsize=1)
def get_webhook_settings() -> WebhookSettings:
    return WebhookSettings.model_validate(dict(os.environ))


class BulkSettings(EnvironmentSettings):
    """What the Publish All functions need beyond the common settings."""

    publish_jobs_table: str = Field(alias="PUBLISH_JOBS_TABLE", min_length=3)
    publish_queue_url: str = Field(alias="PUBLISH_QUEUE_URL", pattern=r"^https?://")
    fan_out_queue_url: str = Field(alias="FANOUT_QUEUE_URL", pattern=r"^https?://")
    # The publish queue's maxReceiveCount: on that delivery a chunk's failures are
    # recorded on the job before SQS moves the message to the dead-letter queue.
    publish_max_receive_count: int = Field(alias="PUBLISH_MAX_RECEIVE_COUNT", default=5, gt=0)


@lru_cache(maxsize=1)
def get_bulk_settings() -> BulkSettings:
    return BulkSettings.model_validate(dict(os.environ))


class LetterSettings(EnvironmentSettings):
    """The printed letters: where they are kept, how they are asked for, where they link to.
    The printer needs the portal's address; the letters API, the queue and the link's life."""

    letters_bucket: str = Field(alias="LETTERS_BUCKET", min_length=3)
    publish_jobs_table: str = Field(alias="PUBLISH_JOBS_TABLE", min_length=3)
    portal_base_url: str | None = Field(alias="PORTAL_BASE_URL", default=None, pattern=r"^https?://[^\s]+$")
    letters_queue_url: str | None = Field(alias="LETTERS_QUEUE_URL", default=None, pattern=r"^https?://")
    # A pre-signed link opens the PDF for this long (15 minutes): long enough to click it,
    # short enough that a forwarded link soon stops working.
    link_seconds: int = Field(alias="LETTER_LINK_SECONDS", default=900, gt=0, le=3600)


@lru_cache(maxsize=1)
def get_letter_settings() -> LetterSettings:
    return LetterSettings.model_validate(_set_variables())
