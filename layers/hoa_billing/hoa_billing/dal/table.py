"""What every repository has: a table name and the DynamoDB client that reaches it."""

from __future__ import annotations

from typing import Any

from hoa_billing import aws


class TableRepository:
    """``client`` is the process's shared client unless one is injected (a test's fake,
    a fault-injecting wrapper)."""

    def __init__(self, table_name: str, client: Any | None = None) -> None:
        self.table_name = table_name
        self._client = client

    @property
    def client(self) -> Any:
        return self._client or aws.client("dynamodb")
