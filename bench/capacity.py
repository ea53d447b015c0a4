"""What AWS would charge for the requests a process makes, measured in-process with moto.

Two parts:

* a calculator (pure functions): DynamoDB item sizes, write and read capacity units for
  the base table and every global secondary index, as the DynamoDB developer guide states
  the rules (cited on each function);
* a recorder (``CapacityRecorder``) that attaches to a boto3 session and sees every
  request its clients make, and a meter (``LambdaMeter``) for the functions' own CPU.

How the recorder knows the item before and after a write: it reads moto's in-process
backend (``moto.dynamodb.models.dynamodb_backends``) in the ``before-call`` and
``after-call`` botocore events, around moto's handling of the request. Not a second
client: a GetItem through moto would itself be a request (counted by anything that
counts, serialised and parsed, and slower than the write it measures), whereas the
backend hands over the stored item at the exact moment before and after, for the price of
a copy. The writers in the benchmark run one at a time (the parallel shard queries only
read), so nothing changes an item between the two events; with two threads writing one
item at once the images could belong to different writes.

One thing the backend cannot answer cheaply is which items a Query or Scan read when the
response does not carry them (``Select: COUNT``, a ``ProjectionExpression``, a filter):
for those the recorder asks moto again, through a client of its own session that nothing
records, for the same key condition, start key and limit with every projected attribute
and no filter, which is what DynamoDB reads and charges for.

Prices and throughput are for the model (``aws_model.py``); this module only counts.
"""

from __future__ import annotations

import base64
import copy
import json
import math
import re
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Generic, TypeVar

AttributeValue = Mapping[str, Any]  # {"S": "x"}, {"N": "12"}, {"M": {...}}, ... (DynamoDB JSON)
Item = Mapping[str, AttributeValue]
K = TypeVar("K")


class Tally(defaultdict[K, float], Generic[K]):
    """Amounts by key that need not be whole: read units come in halves, CPU in seconds."""

    def __init__(self, amounts: Mapping[K, float] | None = None) -> None:
        super().__init__(float, amounts or {})

    def add(self, other: Mapping[K, float]) -> None:
        for key, amount in other.items():
            self[key] += amount


# -- sizes ------------------------------------------------------------------------------
# https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html
# ("DynamoDB item sizes and formats"): the size of an item is the sum of the lengths of its
# attribute names and values; strings are UTF-8 bytes; a number is about 1 byte per two
# significant digits plus 1 byte (leading and trailing zeroes trimmed); binary is its raw
# length; null and Boolean are 1 byte; a list or map costs 3 bytes of overhead plus its
# elements, and each element 1 byte more.

LIST_MAP_OVERHEAD_BYTES = 3
NESTED_ELEMENT_OVERHEAD_BYTES = 1
# https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.html (storage
# considerations): an index entry is the table's key, the index key, the projected
# attributes "+ 100 bytes of overhead per index item". The guide states the 100 bytes for
# storage; they are counted in an entry's write size here too, as a bound from above
# (set it to 0 for the lower bound). Reads of an index are charged on "the sum of all
# projected attribute sizes" (same page), without it.
INDEX_ENTRY_OVERHEAD_BYTES = 100

# https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html
# One write unit per 1 KB written, one read unit per 4 KB read strongly consistent (half
# for eventually consistent); sizes are rounded up to the next unit.
WRITE_UNIT_BYTES = 1024
READ_UNIT_BYTES = 4096
EVENTUALLY_CONSISTENT = 0.5
# https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html
# (capacity management): "DynamoDB performs two underlying reads or writes of every item
# in the transaction: one to prepare the transaction and one to commit the transaction."
TRANSACTION_FACTOR = 2

# https://aws.amazon.com/sqs/pricing/ : "Each 64 KB chunk of a payload is billed as 1 request".
SQS_CHUNK_BYTES = 64 * 1024


def _raw_bytes(value: bytes | str) -> bytes:
    """Binary as botocore parses it (bytes) or as it travels (base64 text)."""
    return value if isinstance(value, bytes) else base64.b64decode(value)


def number_size(text: str) -> int:
    """(1 byte per two significant digits) + 1 byte; leading and trailing zeroes trimmed.

    The guide says "approximately"; this is its formula taken literally (zero counts as
    one digit)."""
    digits = "".join(map(str, Decimal(text).as_tuple().digits)).strip("0")  # exact: no context rounding
    return math.ceil(max(1, len(digits)) / 2) + 1


def value_size(value: AttributeValue) -> int:
    """The bytes an attribute's value takes, without its name."""
    ((kind, raw),) = value.items()
    if kind == "S":
        return len(raw.encode("utf-8"))
    if kind == "N":
        return number_size(raw)
    if kind == "B":
        return len(_raw_bytes(raw))
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(s.encode("utf-8")) for s in raw)
    if kind == "NS":
        return sum(number_size(n) for n in raw)
    if kind == "BS":
        return sum(len(_raw_bytes(b)) for b in raw)
    if kind == "L":
        return LIST_MAP_OVERHEAD_BYTES + sum(value_size(v) + NESTED_ELEMENT_OVERHEAD_BYTES for v in raw)
    if kind == "M":
        return LIST_MAP_OVERHEAD_BYTES + sum(
            len(k.encode("utf-8")) + value_size(v) + NESTED_ELEMENT_OVERHEAD_BYTES for k, v in raw.items()
        )
    raise ValueError(f"not a DynamoDB attribute value: {value!r}")


def item_size(item: Item | None) -> int:
    """Attribute names (UTF-8 bytes) plus values; an absent item is 0 bytes."""
    if not item:
        return 0
    return sum(len(name.encode("utf-8")) + value_size(value) for name, value in item.items())


def write_units(size: int) -> int:
    """Write units for one item write: per 1 KB, rounded up; at least one (a write of an
    item that does not exist, or a refused one, still costs one)."""
    return max(1, math.ceil(size / WRITE_UNIT_BYTES))


def read_units(size: int, *, consistent: bool) -> float:
    """One GetItem (or one BatchGetItem key): per 4 KB rounded up, at least one unit ("If
    you perform a read operation on an item that does not exist, DynamoDB will still
    consume read throughput"); half for an eventually consistent read."""
    units = max(1, math.ceil(size / READ_UNIT_BYTES))
    return units * (1.0 if consistent else EVENTUALLY_CONSISTENT)


def query_units(sizes: Iterable[int], *, consistent: bool) -> float:
    """A Query or Scan page: "DynamoDB computes the total size of all items and then rounds
    up to the next 4 KB boundary", over what it read, before any filter; asking for fewer
    attributes or for a COUNT "has no impact on the item size calculations". At least one
    unit for an empty page."""
    return read_units(sum(sizes), consistent=consistent)


# -- tables and indexes -----------------------------------------------------------------


def _canonical(value: AttributeValue) -> Any:
    """A comparable form: numbers by value, sets unordered, maps and lists recursively."""
    ((kind, raw),) = value.items()
    if kind == "N":
        return kind, Decimal(raw)  # compares and hashes by value, exactly
    if kind == "NS":
        return kind, frozenset(Decimal(n) for n in raw)
    if kind == "B":
        return kind, _raw_bytes(raw)
    if kind == "BS":
        return kind, frozenset(_raw_bytes(b) for b in raw)
    if kind == "SS":
        return kind, frozenset(raw)
    if kind == "L":
        return kind, tuple(_canonical(v) for v in raw)
    if kind == "M":
        return kind, frozenset((k, _canonical(v)) for k, v in raw.items())
    return kind, raw


def same_values(a: Item, b: Item) -> bool:
    return a.keys() == b.keys() and all(_canonical(a[name]) == _canonical(b[name]) for name in a)


@dataclass(frozen=True)
class IndexSpec:
    """A global secondary index as the template declares it."""

    name: str
    keys: tuple[str, ...]  # the index's partition key, then its sort key if any
    table_keys: tuple[str, ...]
    projection: str = "ALL"  # KEYS_ONLY | INCLUDE | ALL
    non_key_attributes: frozenset[str] = frozenset()

    def entry(self, item: Item | None) -> dict[str, AttributeValue] | None:
        """The item's entry in this index, or None when it has none: "A global secondary
        index only keeps track of data items where its key attributes actually exist."
        The table's key and the index's key are always projected."""
        if not item or any(key not in item for key in self.keys):
            return None
        if self.projection == "ALL":
            return dict(item)
        names = set(self.keys) | set(self.table_keys)
        if self.projection == "INCLUDE":
            names |= self.non_key_attributes
        return {name: item[name] for name in names if name in item}

    def entry_size(self, entry: Item) -> int:
        """What one index write of this entry is sized on (see INDEX_ENTRY_OVERHEAD_BYTES)."""
        return item_size(entry) + INDEX_ENTRY_OVERHEAD_BYTES


@dataclass(frozen=True)
class TableSpec:
    name: str  # what reports call it (the template's logical id)
    keys: tuple[str, ...]
    indexes: tuple[IndexSpec, ...] = ()

    @classmethod
    def from_definition(cls, name: str, definition: Mapping[str, Any]) -> TableSpec:
        """From a CloudFormation ``AWS::DynamoDB::Table``'s properties, or a DescribeTable
        ``Table`` (same field names)."""
        keys = _key_names(definition["KeySchema"])
        indexes = tuple(
            IndexSpec(
                name=index["IndexName"],
                keys=_key_names(index["KeySchema"]),
                table_keys=keys,
                projection=index.get("Projection", {}).get("ProjectionType", "ALL"),
                non_key_attributes=frozenset(index.get("Projection", {}).get("NonKeyAttributes", [])),
            )
            for index in definition.get("GlobalSecondaryIndexes") or []
        )
        return cls(name=name, keys=keys, indexes=indexes)

    def index(self, name: str) -> IndexSpec:
        (found,) = [index for index in self.indexes if index.name == name]
        return found


def _key_names(schema: Iterable[Mapping[str, str]]) -> tuple[str, ...]:
    ordered = sorted(schema, key=lambda key: key["KeyType"] != "HASH")
    return tuple(key["AttributeName"] for key in ordered)


def table_specs(stack: Any) -> dict[str, TableSpec]:
    """Every table of a ``hoa_local.template.Stack``, by the physical name requests use."""
    return {
        stack.physical_name(logical): TableSpec.from_definition(logical, stack.resolve(props))
        for logical, props in stack.resources("AWS::DynamoDB::Table").items()
    }


# -- charges ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Charge:
    """Write units charged for one target of one request."""

    target: str  # "base" or the index name
    kind: str  # put | update | delete | refused | check
    units: float
    size: int  # the bytes the units were computed from
    partition: str = ""  # the partition key value written (base table or index)


def index_charges(index: IndexSpec, before: Item | None, after: Item | None) -> list[Charge]:
    """The GSI rules (developer guide, "Global secondary indexes", write capacity units):
    a new entry is one put; an entry whose key attribute is removed is one delete; a
    changed index key is a delete of the old entry plus a put of the new; a change to
    projected attributes only is one write; no change to the entry, no write. "All of
    these factors assume that the size of each item in the index is less than or equal
    to the 1 KB item size ... Larger index entries will require additional write capacity
    units": each write is sized on its entry, rounded up per 1 KB."""
    old, new = index.entry(before), index.entry(after)
    if old is None and new is None:
        return []
    if old is None:
        assert new is not None
        size = index.entry_size(new)
        return [Charge(index.name, "put", write_units(size), size, _partition(new, index.keys))]
    if new is None:
        size = index.entry_size(old)
        return [Charge(index.name, "delete", write_units(size), size, _partition(old, index.keys))]
    if any(_canonical(old[key]) != _canonical(new[key]) for key in index.keys):
        old_size, new_size = index.entry_size(old), index.entry_size(new)
        return [
            Charge(index.name, "delete", write_units(old_size), old_size, _partition(old, index.keys)),
            Charge(index.name, "put", write_units(new_size), new_size, _partition(new, index.keys)),
        ]
    if same_values(old, new):
        return []
    size = max(index.entry_size(old), index.entry_size(new))
    return [Charge(index.name, "update", write_units(size), size, _partition(new, index.keys))]


def _partition(item: Item | None, keys: tuple[str, ...]) -> str:
    """The partition key value of an item or entry, as text (for the hottest-key figures)."""
    if not item or keys[0] not in item:
        return ""
    ((_, raw),) = item[keys[0]].items()
    return str(raw)


def write_charges(table: TableSpec, before: Item | None, after: Item | None, *, factor: int = 1) -> list[Charge]:
    """One successful PutItem, UpdateItem or DeleteItem (or one item of a batch or a
    transaction): the base table is charged on "the larger of these item sizes" (before
    and after), per 1 KB rounded up, then each index by ``index_charges``. ``factor`` is
    2 for an item of TransactWriteItems (its base write; the indexes are updated after the
    commit, as for any write, so they are charged once: an assumption, the guide is
    silent)."""
    size = max(item_size(before), item_size(after))
    kind = "put" if not before else "delete" if not after else "update"
    charges = [Charge("base", kind, write_units(size) * factor, size, _partition(after or before, table.keys))]
    for index in table.indexes:
        charges += index_charges(index, before, after)
    return charges


def refused_charge(existing: Item | None, would_be: Item | None, *, partition: str = "", factor: int = 1) -> Charge:
    """A conditional write whose condition is false "still consumes write capacity units",
    on the size of the item (the existing one, or the one the request would have
    written, whichever is larger); nothing is written, so no index is."""
    size = max(item_size(existing), item_size(would_be))
    return Charge("base", "refused", write_units(size) * factor, size, partition)


# -- CPU accounting ---------------------------------------------------------------------
# The functions run in this process next to moto: a handler's thread CPU includes moto's
# work for every request it makes and this recorder's. Both are measured on the thread
# that does them and left out of the function's CPU.


class _Cpu(threading.local):
    excluded: float = 0.0  # CPU seconds of this thread spent in moto or in the recorder
    moto_started: float = 0.0


_cpu = _Cpu()


@contextmanager
def _excluded() -> Iterator[None]:
    started = time.thread_time()
    try:
        yield
    finally:
        _cpu.excluded += time.thread_time() - started


class _Invocation:
    """The function running now (the benchmark runs one invocation at a time), so that
    requests made from its worker threads are attributed to it."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.function: str | None = None
        self.thread: int | None = None
        self.other_threads_cpu = 0.0

    def begin(self, function: str) -> None:
        with self.lock:
            self.function, self.thread, self.other_threads_cpu = function, threading.get_ident(), 0.0

    def end(self) -> float:
        with self.lock:
            cpu, self.function, self.thread = self.other_threads_cpu, None, None
            return cpu

    def add_other_thread(self, cpu: float) -> None:
        with self.lock:
            if self.thread is not None and self.thread != threading.get_ident():
                self.other_threads_cpu += cpu


_invocation = _Invocation()


class LambdaMeter:
    """Invocations and the functions' own CPU time (``time.thread_time()`` around each
    handler call, less what moto and the recorder did on that thread; plus the SDK's work
    in the function's worker threads). Thread CPU holds up on a loaded machine, where wall
    time does not."""

    def __init__(self) -> None:
        self.invocations: Counter[str] = Counter()
        self.cpu_seconds: Tally[str] = Tally()

    @contextmanager
    def measure(self, function: str) -> Iterator[None]:
        started, excluded = time.thread_time(), _cpu.excluded
        _invocation.begin(function)
        try:
            yield
        finally:
            other_threads = _invocation.end()
            own = (time.thread_time() - started) - (_cpu.excluded - excluded)
            self.invocations[function] += 1
            self.cpu_seconds[function] += own + other_threads

    def wrap(self, function: str, invoke: Callable[[dict[str, Any]], Any]) -> Callable[[dict[str, Any]], Any]:
        def measured(event: dict[str, Any]) -> Any:
            with self.measure(function):
                return invoke(event)

        return measured

    def take(self) -> tuple[Counter[str], Tally[str]]:
        taken = self.invocations, self.cpu_seconds
        self.invocations, self.cpu_seconds = Counter(), Tally()
        return taken


# -- what was recorded -----------------------------------------------------------------


@dataclass
class WriteStat:
    count: int = 0
    units: float = 0.0
    size: int = 0  # total bytes the units were computed from

    def add(self, units: float, size: int) -> None:
        self.count += 1
        self.units += units
        self.size += size


@dataclass
class Usage:
    """Everything recorded since the last ``take``, keyed by ``service.Operation``."""

    requests: Counter[str] = field(default_factory=Counter)
    billed: Counter[str] = field(default_factory=Counter)  # SQS: per 64 KB chunk; else per request
    wcu: Tally[str] = field(default_factory=Tally)
    rcu: Tally[str] = field(default_factory=Tally)
    emails: Counter[str] = field(default_factory=Counter)  # SES: one per recipient
    # (table, target, kind, caller) -> count, units, bytes
    writes: dict[tuple[str, str, str, str], WriteStat] = field(default_factory=dict)
    # function -> operation -> requests (requests made outside a measured function: "-")
    by_function: dict[str, Counter[str]] = field(default_factory=dict)
    # (table, target, partition key value) -> write units: the hottest keys
    partitions: Tally[tuple[str, str, str]] = field(default_factory=Tally)

    def total(self, dimension: str) -> float:
        return float(sum(getattr(self, dimension).values()))

    def wcu_by_target(self) -> Tally[tuple[str, str]]:
        """Write units per (table, base or index), for throughput limits."""
        totals: Tally[tuple[str, str]] = Tally()
        for (table, target, _kind, _caller), stat in self.writes.items():
            totals[table, target] += stat.units
        return totals

    def hottest_partitions(self) -> dict[tuple[str, str], tuple[str, float]]:
        """For each (table, target), the partition key value written most, and its units."""
        hottest: dict[tuple[str, str], tuple[str, float]] = {}
        for (table, target, key), units in self.partitions.items():
            if units > hottest.get((table, target), ("", 0.0))[1]:
                hottest[table, target] = (key, units)
        return hottest

    def add(self, other: Usage) -> None:
        for name in ("requests", "billed", "emails"):
            getattr(self, name).update(getattr(other, name))
        for name in ("wcu", "rcu", "partitions"):
            getattr(self, name).add(getattr(other, name))
        for key, stat in other.writes.items():
            into = self.writes.setdefault(key, WriteStat())
            into.count += stat.count
            into.units += stat.units
            into.size += stat.size
        for function, counts in other.by_function.items():
            self.by_function.setdefault(function, Counter()).update(counts)

    def __add__(self, other: Usage) -> Usage:
        merged = Usage()
        merged.add(self)
        merged.add(other)
        return merged


# -- the recorder -----------------------------------------------------------------------

DDB_SINGLE_WRITES = ("PutItem", "UpdateItem", "DeleteItem")
# What decides which items a Query or Scan page reads (not what it returns).
REREAD_PARAMETERS = (
    "TableName",
    "IndexName",
    "KeyConditionExpression",
    "ExclusiveStartKey",
    "Limit",
    "ScanIndexForward",
    "ConsistentRead",
    "Segment",
    "TotalSegments",
)
CALLER_SKIP = ("botocore.", "boto3.", "hoa_billing.data", "concurrent.", "threading", __name__)


class CapacityRecorder:
    """Attach to a boto3 session before its clients are created; ``take()`` returns what
    its requests would cost on AWS and starts over.

    ``free_reads``: the session is Lambda's own poller, whose DynamoDB Streams reads
    are free ("GetRecords API calls invoked by AWS Lambda as part of DynamoDB triggers
    are free", https://aws.amazon.com/dynamodb/pricing/on-demand/); they are counted as
    requests and billed at 0.
    """

    def __init__(
        self,
        tables: Mapping[str, TableSpec],
        *,
        account: str | None = None,
        region: str = "us-east-1",
        free_reads: bool = False,
    ) -> None:
        from moto.core import DEFAULT_ACCOUNT_ID

        self.tables = dict(tables)
        self.account = account or DEFAULT_ACCOUNT_ID
        self.region = region
        self.free_reads = free_reads
        self.usage = Usage()
        self._lock = threading.Lock()
        self._reader: Any = None

    def attach(self, session: Any) -> CapacityRecorder:
        """``session``: a boto3 Session; only clients created after this are seen."""
        events = session.events
        events.register_first("provide-client-params", self._started)
        events.register("before-call", self._before_call)
        # moto answers in a before-send handler registered in the middle: these two
        # bracket it, so its CPU is left out of the calling function's.
        events.register_first("before-send", self._moto_starts)
        events.register_last("before-send", self._moto_ends)
        events.register_last("after-call", self._after_call)
        return self

    def take(self) -> Usage:
        with self._lock:
            taken, self.usage = self.usage, Usage()
        return taken

    # -- botocore events ----------------------------------------------------------------

    @staticmethod
    def _op(event_name: str) -> tuple[str, str]:
        _, service, operation = event_name.split(".", 2)
        return service, operation

    def _started(self, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["capacity"] = {"cpu": time.thread_time(), "excluded": _cpu.excluded, "params": params}

    def _moto_starts(self, **_: Any) -> None:
        _cpu.moto_started = time.thread_time()

    def _moto_ends(self, **_: Any) -> None:
        _cpu.excluded += time.thread_time() - _cpu.moto_started

    def _before_call(self, event_name: str, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        with _excluded():
            state = context.setdefault("capacity", {})
            service, operation = self._op(event_name)
            state["function"] = _invocation.function or "-"
            state["caller"] = _caller()
            if service == "dynamodb":
                body = json.loads(params.get("body") or b"{}")
                state["body"] = body
                state["before"] = self._images(operation, body)

    def _after_call(
        self, event_name: str, http_response: Any, parsed: dict[str, Any], context: dict[str, Any], **_: Any
    ) -> None:
        state = context.get("capacity") or {}
        with _excluded():
            service, operation = self._op(event_name)
            op = f"{service}.{operation}"
            ok = http_response.status_code < 300
            usage = Usage()
            usage.requests[op] += 1
            usage.by_function.setdefault(state.get("function", "-"), Counter())[op] += 1
            usage.billed[op] += 0 if (self.free_reads and service == "dynamodb-streams") else 1
            if service == "dynamodb":
                self._dynamodb(usage, op, operation, state, parsed, ok)
            elif service == "sqs":
                usage.billed[op] = self._sqs_billed(operation, state.get("params") or {}, parsed)
            elif service in ("sesv2", "ses") and ok and operation.startswith("Send"):
                usage.emails[op] += _recipients(state.get("params") or {})
            with self._lock:
                self.usage.add(usage)
        if "cpu" in state:
            # The SDK's own work for a request made from a function's worker thread.
            spent = time.thread_time() - state["cpu"] - (_cpu.excluded - state["excluded"])
            _invocation.add_other_thread(spent)

    # -- DynamoDB -------------------------------------------------------------------------

    def _backend(self) -> Any:
        from moto.dynamodb.models import dynamodb_backends

        return dynamodb_backends[self.account][self.region]

    def _stored(self, table_name: str, key: Item) -> tuple[dict[str, Any] | None, Any]:
        """The item as moto holds it now (DynamoDB JSON, a copy) and moto's object."""
        from moto.dynamodb.models.dynamo_type import DynamoType

        table = self._backend().get_table(table_name)
        hash_key = DynamoType(dict(key[table.hash_key_attr]))
        range_key = DynamoType(dict(key[table.range_key_attr])) if table.range_key_attr else None
        found = table.get_item(hash_key, range_key)
        if found is None:
            return None, None
        copied = copy.deepcopy(found)
        return copied.to_json()["Attributes"], copied

    def _key_of(self, table_name: str, item: Item) -> dict[str, Any]:
        spec = self._spec(table_name)
        return {name: item[name] for name in spec.keys if name in item}

    def _spec(self, table_name: str) -> TableSpec:
        if table_name not in self.tables:
            description = self._backend().get_table(table_name).describe()["TableDescription"]
            self.tables[table_name] = TableSpec.from_definition(table_name, description)
        return self.tables[table_name]

    def _targets(self, operation: str, body: dict[str, Any]) -> list[tuple[str, str, dict[str, Any], dict[str, Any]]]:
        """(table, action, key, request part) for every item a write names."""
        if operation in DDB_SINGLE_WRITES:
            name = body["TableName"]
            key = body.get("Key") or self._key_of(name, body.get("Item", {}))
            return [(name, operation, key, body)]
        targets = []
        if operation == "BatchWriteItem":
            for name, requests in body.get("RequestItems", {}).items():
                for request in requests:
                    if "PutRequest" in request:
                        part = request["PutRequest"]
                        targets.append((name, "PutItem", self._key_of(name, part["Item"]), part))
                    else:
                        part = request["DeleteRequest"]
                        targets.append((name, "DeleteItem", part["Key"], part))
        elif operation == "TransactWriteItems":
            actions = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem", "ConditionCheck": "Check"}
            for entry in body.get("TransactItems", []):
                ((action, part),) = entry.items()
                name = part["TableName"]
                key = part.get("Key") or self._key_of(name, part.get("Item", {}))
                targets.append((name, actions[action], key, part))
        return targets

    def _images(self, operation: str, body: dict[str, Any]) -> list[dict[str, Any] | None]:
        return [self._stored(name, key)[0] for name, _, key, _ in self._targets(operation, body)]

    def _dynamodb(
        self, usage: Usage, op: str, operation: str, state: dict[str, Any], parsed: dict[str, Any], ok: bool
    ) -> None:
        body: dict[str, Any] = state.get("body") or {}
        caller = state.get("caller", "?")
        if operation in (*DDB_SINGLE_WRITES, "BatchWriteItem", "TransactWriteItems"):
            targets = self._targets(operation, body)
            befores = state.get("before") or [None] * len(targets)
            factor = TRANSACTION_FACTOR if operation == "TransactWriteItems" else 1
            code = (parsed.get("Error") or {}).get("Code", "")
            for (name, action, key, part), before in zip(targets, befores, strict=True):
                spec = self._spec(name)
                if ok:
                    if action == "Check":
                        size = item_size(before)
                        partition = _partition(key, spec.keys)
                        charges = [Charge("base", "check", write_units(size) * factor, size, partition)]
                    else:
                        charges = write_charges(spec, before, self._stored(name, key)[0], factor=factor)
                elif code == "ConditionalCheckFailedException":
                    would_be = self._would_be(name, action, key, part)
                    charges = [refused_charge(before, would_be, partition=_partition(key, spec.keys))]
                elif code == "TransactionCanceledException":
                    # Refused in the prepare phase: one (not two) write per item, on the
                    # item as it stands. An assumption; the guide does not say.
                    charges = [refused_charge(before, None, partition=_partition(key, spec.keys))]
                else:
                    charges = []  # throttled or invalid: not charged
                self._add_writes(usage, op, spec.name, charges, caller)
            return
        if not ok:
            return
        if operation == "GetItem":
            item = parsed.get("Item")
            if "ProjectionExpression" in body or (item and not _is_typed(item)):
                item = self._stored(body["TableName"], body["Key"])[0]
            usage.rcu[op] += read_units(item_size(item), consistent=bool(body.get("ConsistentRead")))
        elif operation == "BatchGetItem":
            for name, request in body.get("RequestItems", {}).items():
                for key in request.get("Keys", []):
                    size = item_size(self._stored(name, key)[0])
                    usage.rcu[op] += read_units(size, consistent=bool(request.get("ConsistentRead")))
        elif operation == "TransactGetItems":
            for entry in body.get("TransactItems", []):
                part = entry["Get"]
                size = item_size(self._stored(part["TableName"], part["Key"])[0])
                usage.rcu[op] += read_units(size, consistent=True) * TRANSACTION_FACTOR
        elif operation in ("Query", "Scan"):
            consistent = bool(body.get("ConsistentRead")) and "IndexName" not in body  # GSI reads are eventual
            usage.rcu[op] += query_units(self._read_sizes(operation, body, parsed), consistent=consistent)

    def _add_writes(self, usage: Usage, op: str, table: str, charges: list[Charge], caller: str) -> None:
        for charge in charges:
            usage.wcu[op] += charge.units
            usage.writes.setdefault((table, charge.target, charge.kind, caller), WriteStat()).add(
                charge.units, charge.size
            )
            usage.partitions[table, charge.target, charge.partition] += charge.units

    def _would_be(self, table_name: str, action: str, key: Item, part: dict[str, Any]) -> Item | None:
        """The item a refused write would have left: the Put's item, or the update
        applied to a copy of the stored item by moto's own update-expression code."""
        if action == "PutItem":
            return part.get("Item")
        if action != "UpdateItem" or "UpdateExpression" not in part:
            return None
        from moto.dynamodb.models.dynamo_type import DynamoType
        from moto.dynamodb.models.dynamo_type import Item as MotoItem
        from moto.dynamodb.parsing.executors import UpdateExpressionExecutor
        from moto.dynamodb.parsing.expressions import UpdateExpressionParser  # type: ignore[attr-defined]
        from moto.dynamodb.parsing.validators import UpdateExpressionValidator

        table = self._backend().get_table(table_name)
        _, stored = self._stored(table_name, key)
        target = stored or MotoItem(
            DynamoType(dict(key[table.hash_key_attr])),
            DynamoType(dict(key[table.range_key_attr])) if table.range_key_attr else None,
            attrs=dict(key),
        )
        names = part.get("ExpressionAttributeNames", {})
        try:
            ast = UpdateExpressionValidator(
                UpdateExpressionParser.make(part["UpdateExpression"]),
                expression_attribute_names=names,
                expression_attribute_values=part.get("ExpressionAttributeValues", {}),
                item=target,
                table=table,
            ).validate()
            ast.normalize()
            UpdateExpressionExecutor(ast, target, names).execute()
        except Exception:  # an update moto cannot apply to this item: size it as it stands
            return None
        written: dict[str, Any] = target.to_json()["Attributes"]
        return written

    def _read_sizes(self, operation: str, body: dict[str, Any], parsed: dict[str, Any]) -> list[int]:
        """The sizes of what a Query or Scan page read: its returned items when they are
        whole, otherwise the same page asked again with every projected attribute."""
        complete = not any(
            name in body
            for name in ("ProjectionExpression", "FilterExpression", "AttributesToGet", "QueryFilter", "ScanFilter")
        ) and body.get("Select", "ALL_ATTRIBUTES") in ("ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES")
        items = parsed.get("Items", [])
        if not complete or not all(_is_typed(item) for item in items):
            items = self._reread(operation, body)
        # From an index these are its entries (keys and projected attributes), which is
        # what an index read is charged on.
        return [item_size(item) for item in items]

    def _reread(self, operation: str, body: dict[str, Any]) -> list[dict[str, Any]]:
        if self._reader is None:
            import boto3

            self._reader = boto3.session.Session().client("dynamodb", region_name=self.region)
        request = {name: body[name] for name in REREAD_PARAMETERS if name in body}
        used = set(re.findall(r"[#:][A-Za-z0-9_]+", body.get("KeyConditionExpression", "")))
        names = {k: v for k, v in (body.get("ExpressionAttributeNames") or {}).items() if k in used}
        values = {k: v for k, v in (body.get("ExpressionAttributeValues") or {}).items() if k in used}
        if names:
            request["ExpressionAttributeNames"] = names
        if values:
            request["ExpressionAttributeValues"] = _typed(values)
        if "ExclusiveStartKey" in request:
            request["ExclusiveStartKey"] = _typed(request["ExclusiveStartKey"])
        request["Select"] = "ALL_PROJECTED_ATTRIBUTES" if "IndexName" in body else "ALL_ATTRIBUTES"
        items: list[dict[str, Any]] = getattr(self._reader, _snake(operation))(**request).get("Items", [])
        return items

    # -- SQS and SES ----------------------------------------------------------------------

    @staticmethod
    def _sqs_billed(operation: str, params: dict[str, Any], parsed: dict[str, Any]) -> int:
        """Requests as SQS bills them: every 64 KB chunk of a request's payload is one."""
        if operation == "SendMessage":
            payload = _message_bytes(params)
        elif operation == "SendMessageBatch":
            payload = sum(_message_bytes(entry) for entry in params.get("Entries", []))
        elif operation == "ReceiveMessage":
            payload = sum(
                len(message.get("Body", "").encode("utf-8")) + _attributes_bytes(message.get("MessageAttributes"))
                for message in parsed.get("Messages", [])
            )
        else:
            payload = 0
        return max(1, math.ceil(payload / SQS_CHUNK_BYTES))


def _message_bytes(message: Mapping[str, Any]) -> int:
    return len(str(message.get("MessageBody", "")).encode("utf-8")) + _attributes_bytes(
        message.get("MessageAttributes")
    )


def _attributes_bytes(attributes: Mapping[str, Any] | None) -> int:
    total = 0
    for name, value in (attributes or {}).items():
        data = value.get("StringValue") or value.get("BinaryValue") or b""
        total += len(name.encode()) + len(value.get("DataType", "").encode())
        total += len(data if isinstance(data, bytes) else data.encode("utf-8"))
    return total


def _recipients(params: Mapping[str, Any]) -> int:
    """SES charges per recipient of a message (To, Cc and Bcc each count)."""
    destination = params.get("Destination") or {}
    count = sum(len(destination.get(kind, [])) for kind in ("ToAddresses", "CcAddresses", "BccAddresses"))
    return max(1, count)


def _is_typed(item: Mapping[str, Any]) -> bool:
    """DynamoDB JSON, not values a resource client has already turned into Python's."""
    return all(isinstance(value, dict) and len(value) == 1 for value in item.values())


def _typed(values: Mapping[str, Any]) -> dict[str, Any]:
    """DynamoDB JSON from the wire (binary as base64 text) in the shape a client takes."""
    return {name: _typed_value(value) for name, value in values.items()}


def _typed_value(value: Mapping[str, Any]) -> dict[str, Any]:
    ((kind, raw),) = value.items()
    if kind == "B":
        return {kind: _raw_bytes(raw)}
    if kind == "BS":
        return {kind: [_raw_bytes(b) for b in raw]}
    if kind == "L":
        return {kind: [_typed_value(v) for v in raw]}
    if kind == "M":
        return {kind: _typed(raw)}
    return {kind: raw}


def _snake(operation: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in operation).lstrip("_")


def _caller() -> str:
    """The code that made the request: the first frame outside the SDK, the data access
    layer and this module (``module.function``), so a report can say which write is
    whose."""
    frame = sys._getframe(2)
    fallback = "?"
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if not module.startswith(CALLER_SKIP):
            return f"{module.removeprefix('hoa_billing.')}.{frame.f_code.co_name}"
        if module.startswith("hoa_billing.data") and fallback == "?":
            fallback = f"{module.removeprefix('hoa_billing.')}.{frame.f_code.co_name}"
        frame = frame.f_back  # type: ignore[assignment]
    return fallback
