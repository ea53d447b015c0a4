"""Sending to SQS: JSON bodies, ten per SendMessageBatch request."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from hoa_billing.data import aws

BATCH = 10  # SendMessageBatch's limit
ATTEMPTS = 3


class QueueSendFailed(Exception):
    pass


class SqsQueue:
    def __init__(self, queue_url: str, client: Any | None = None) -> None:
        self.queue_url = queue_url
        self._client = client

    @property
    def client(self) -> Any:
        return self._client or aws.client("sqs")

    def send_all(self, bodies: Sequence[dict[str, Any]]) -> None:
        """Send every body; entries SQS refuses in a batch are sent again, then it raises."""
        for start in range(0, len(bodies), BATCH):
            pending = {
                str(i): json.dumps(body, separators=(",", ":")) for i, body in enumerate(bodies[start : start + BATCH])
            }
            for _ in range(ATTEMPTS):
                entries = [{"Id": key, "MessageBody": body} for key, body in pending.items()]
                response = self.client.send_message_batch(QueueUrl=self.queue_url, Entries=entries)
                failed = {entry["Id"] for entry in response.get("Failed", [])}
                pending = {key: body for key, body in pending.items() if key in failed}
                if not pending:
                    break
            if pending:
                raise QueueSendFailed(f"SQS refused {len(pending)} messages to {self.queue_url}")

    def send(self, body: dict[str, Any]) -> None:
        self.client.send_message(QueueUrl=self.queue_url, MessageBody=json.dumps(body, separators=(",", ":")))
