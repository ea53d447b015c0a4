"""Secrets from SSM Parameter Store (SecureString), through Powertools' parameters
utility: cached per process for ``max_age`` seconds, so a rotated Stripe key or webhook
secret is picked up within minutes without a redeploy, and a warm function does not pay
a round trip per request."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from hoa_billing.data import aws

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.parameters import SSMProvider

SECRET_MAX_AGE_SECONDS = 300


@cache
def _provider() -> SSMProvider:
    from aws_lambda_powertools.utilities.parameters import SSMProvider

    return SSMProvider(boto3_client=aws.client("ssm"))


def secure_parameter(name: str, max_age: int = SECRET_MAX_AGE_SECONDS) -> str:
    value = _provider().get(name, decrypt=True, max_age=max_age)
    if not isinstance(value, str) or not value.strip():
        raise RuntimeError(f"SSM parameter {name} is empty")
    return value


def forget() -> None:
    """Drop cached values and the client (tests that change endpoints or rotate a secret)."""
    if _provider.cache_info().currsize:
        _provider().clear_cache()
    _provider.cache_clear()
