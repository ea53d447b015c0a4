"""Make moto's DynamoDB (and SES) behave like AWS where the service's guarantees matter here.

DynamoDB applies each write atomically: a ConditionExpression is evaluated and the
write applied as one step, so two concurrent conditional writes to one item cannot both
succeed. moto evaluates and applies in ordinary Python without a lock, so concurrent
requests from threads can interleave. Serializing moto's DynamoDB requests restores the
guarantee that the code under test relies on (and that the concurrency tests assert).

moto also makes every TransactWriteItems back up each table it names, whole, to roll a
cancelled transaction back: the cost of a transaction grows with the table, so a loop of
transactions over a large table slows to a crawl and holds copies of it in memory.
DynamoDB's cost is per item, so the backup here is too: the items the transaction names
(and the table's stream records it added), restored the same way when it is cancelled.
"""

from __future__ import annotations

import copy
import json
import threading
from datetime import UTC, datetime
from typing import Any

from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import Table
from moto.dynamodb.responses import DynamoHandler

_lock = threading.RLock()


def make_dynamodb_requests_atomic() -> None:
    _make_transactions_item_level()
    original = DynamoHandler.call_action
    if getattr(original, "serialized", False):
        return

    def call_action(self: DynamoHandler) -> Any:
        with _lock:
            return original(self)

    call_action.serialized = True  # type: ignore[attr-defined]
    DynamoHandler.call_action = call_action  # type: ignore[method-assign]


def _make_transactions_item_level() -> None:
    original = DynamoDBBackend.transact_write_items
    if getattr(original, "item_level", False):
        return

    def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
        with _lock:
            saved: list[tuple[Table, DynamoType, DynamoType | None, Any]] = []
            streams: dict[str, tuple[Table, int]] = {}
            for entry in transact_items:
                _, op = next(iter(entry.items()))
                name = op.get("TableName")
                if name not in self.tables:
                    continue
                table = self.tables[name]
                key = op.get("Key") or op.get("Item") or {}
                if table.hash_key_attr not in key:
                    continue  # moto refuses it with its own error
                hash_value = DynamoType(key[table.hash_key_attr])
                range_value = DynamoType(key[table.range_key_attr]) if table.range_key_attr in key else None
                saved.append((table, hash_value, range_value, copy.deepcopy(table.get_item(hash_value, range_value))))
                if table.stream_shard is not None:
                    streams.setdefault(name, (table, len(table.stream_shard.items)))
            Table.__deepcopy__ = lambda table, memo: table  # type: ignore[attr-defined]  # the whole-table backup
            try:
                original(self, transact_items)
            except Exception:
                for table, hash_value, range_value, item in reversed(saved):
                    _restore(table, hash_value, range_value, item)
                for table, length in streams.values():
                    assert table.stream_shard is not None
                    del table.stream_shard.items[length:]
                raise
            finally:
                del Table.__deepcopy__  # type: ignore[attr-defined]

    transact_write_items.item_level = True  # type: ignore[attr-defined]
    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]


def _restore(table: Table, hash_value: DynamoType, range_value: DynamoType | None, item: Any) -> None:
    if range_value is None:
        if item is None:
            table.items.pop(hash_value, None)
        else:
            table.items[hash_value] = item
    elif item is None:
        table.items.get(hash_value, {}).pop(range_value, None)
    else:
        table.items[hash_value][range_value] = item


def keep_whole_simple_emails() -> None:
    """SES v2 sends a Simple message as SES builds it: From, Reply-To, To, Subject, a Date
    and both bodies as multipart/alternative. moto keeps one body (the HTML, else the text)
    and drops the Reply-To. Keep what the request said on the stored message
    (``message.simple``), so the local mail folder writes the message SES would send."""
    from moto.sesv2.responses import SESV2Response

    original = SESV2Response.send_email
    if getattr(original, "keeps_parts", False):
        return

    def send_email(self: SESV2Response) -> str:
        answer: str = original(self)
        params = json.loads(self.body)
        simple = (params.get("Content") or {}).get("Simple")
        if simple:
            body = simple.get("Body") or {}
            message_id = json.loads(answer)["MessageId"]
            for message in reversed(self.sesv2_backend.core_backend.sent_messages):
                if message.id == message_id:
                    message.simple = {
                        "text": (body.get("Text") or {}).get("Data"),
                        "html": (body.get("Html") or {}).get("Data"),
                        "reply_to": list(params.get("ReplyToAddresses") or []),
                        "sent_at": datetime.now(UTC),
                    }
                    break
        return answer

    send_email.keeps_parts = True  # type: ignore[attr-defined]
    SESV2Response.send_email = send_email  # type: ignore[method-assign]
