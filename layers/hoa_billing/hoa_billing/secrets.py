"""Secrets from SSM Parameter Store (SecureString), read once per process.

A secret read at every invocation would add latency and cost to every webhook; Lambda
recycles execution environments often enough that a rotated secret is picked up within
hours (redeploy or update the function configuration to force it sooner).
"""

from __future__ import annotations

from functools import cache

from hoa_billing import aws


@cache
def secure_parameter(name: str) -> str:
    response = aws.client("ssm").get_parameter(Name=name, WithDecryption=True)
    value: str = response["Parameter"]["Value"]
    if not value.strip():
        raise RuntimeError(f"SSM parameter {name} is empty")
    return value
