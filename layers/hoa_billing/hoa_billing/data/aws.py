"""AWS clients and resources, created once per process and reused across invocations."""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionError, HTTPClientError

# Standard retry mode backs off on throttling; the SDK's own retries absorb short blips
# so a handler does not have to.
_CONFIG = Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=3, read_timeout=10)


# Errors that mean "the service is busy or unreachable right now": the same request can
# succeed later, so a caller is told to retry rather than that something is broken.
THROTTLING_CODES = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "TooManyRequestsException",
        "TransactionInProgressException",
    }
)


def is_transient(error: BaseException) -> bool:
    """Throttled, a 5xx, or a timeout or dropped connection, once the SDK's own retries
    are spent (also when wrapped by another exception, as Powertools wraps its store's)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, (ConnectionError, HTTPClientError)):
            return True
        if isinstance(current, ClientError):
            code = current.response.get("Error", {}).get("Code", "")
            status = current.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
            return code in THROTTLING_CODES or int(status) >= 500
        current = current.__cause__ or current.__context__
    return False


_made: list[Any] = []


@cache
def client(service: str) -> Any:
    made = boto3.client(service, config=_CONFIG)  # type: ignore[call-overload]
    _made.append(made)
    return made


def close_connections() -> None:
    """Close the pooled connections of every client made here; each opens new ones on its
    next request. After SnapStart resumes an environment from a snapshot, the sockets in
    it belong to a process that no longer exists."""
    for made in _made:
        made.close()


@cache
def s3_client() -> Any:
    """S3 with Signature Version 4, the only one a pre-signed link may carry."""
    made = boto3.client("s3", config=_CONFIG.merge(Config(signature_version="s3v4")))  # type: ignore[call-overload]
    _made.append(made)
    return made


@cache
def table(name: str) -> Any:
    return boto3.resource("dynamodb", config=_CONFIG).Table(name)


def reset() -> None:
    """Forget cached clients (tests that change endpoints or credentials)."""
    client.cache_clear()
    s3_client.cache_clear()
    table.cache_clear()
    _made.clear()
