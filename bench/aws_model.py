"""A model of Publish All on AWS, built from what the benchmark measures exactly.

Inputs, per invoice, from one run in moto (``capacity.py``): the requests each function
makes, the write and read units they consume (by table and index), the SQS requests and
SES sends, and each function's invocations and own CPU time. Everything else is an
assumption, a named constant below, printed with its source by ``assumptions()``:
per-request latencies, Lambda's scaling for SQS and streams, DynamoDB's throughput for a
new on-demand table, the SES sending rate, and prices.

What it computes, for N invoices (``simulate``): a fluid model of the pipeline in small
time steps. The API call writes the job; one fan-out function enqueues chunks at the rate
its requests allow; the worker function, scaled by Lambda's SQS poller rules up to the
template's ``MaximumConcurrency``, publishes what is enqueued; the email sender, at the
concurrency of its event source (stream shards x ``ParallelizationFactor``, or a queue's
``MaximumConcurrency``), sends what is published, no faster than SES allows. In every step
the write units both consume are held to each table's write throughput: what is above the
limit waits for the next step (throttled requests are retried by the SDK, not lost).

A function's duration per invocation is its CPU (measured here, scaled to the share of a
vCPU its memory buys on Lambda) plus its requests one after another at the assumed
latencies. Sequential is an upper bound for the API's shard queries, which run in
parallel; they are a few per job.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from bench.capacity import Tally, Usage

# -- latencies (in-region, typical; the band below scales them all) ------------------------
DYNAMODB_WRITE_S = 0.005  # PutItem, UpdateItem, DeleteItem, BatchWriteItem
DYNAMODB_TRANSACTION_S = 0.010  # TransactWriteItems: prepare and commit, two round trips inside DynamoDB
DYNAMODB_READ_S = 0.003  # GetItem, Query (one page), BatchGetItem
SQS_S = 0.020  # SendMessage(Batch), ReceiveMessage, DeleteMessageBatch
SES_S = 0.050  # SESv2 SendEmail
LATENCY_BAND = (0.5, 2.0)

# -- Lambda ---------------------------------------------------------------------------------
# https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html : "When messages are
# available, Lambda starts processing five batches at a time with five concurrent
# invocations of your function. If messages are still available, Lambda increases the
# number of processes that are reading batches by up to 300 more instances per minute. The
# maximum number of batches that an event source mapping can process simultaneously is
# 1,000." MaximumConcurrency (2..1000) caps it per event source.
SQS_POLLERS_AT_START = 5
SQS_SCALE_UP_PER_MINUTE = 300
SQS_MAX_CONCURRENT_BATCHES = 1000
# https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-params.html : ParallelizationFactor
# "the number of batches to process concurrently from each shard", default 1, maximum 10.
PARALLELIZATION_FACTOR_MAX = 10
# https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html : CPU is allocated in
# proportion to memory; at 1,769 MB a function has the equivalent of one vCPU.
FULL_VCPU_MB = 1769
# One second of CPU on this machine is taken as one second of a Graviton vCPU.
CPU_SPEED_RATIO = 1.0

# -- DynamoDB on-demand ---------------------------------------------------------------------
# https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/on-demand-capacity-mode.html
# (initial throughput): a new on-demand table can sustain up to 4,000 writes and 12,000
# reads per second; above twice its previous peak it may throttle while it adapts.
NEW_TABLE_WRITE_UNITS_PER_S = 4000
# Whether a table's index writes count against that same 4,000 (the cautious reading,
# used for the headline figures) or each index has its own (also printed).
INDEXES_SHARE_TABLE_LIMIT = True
# https://repost.aws/knowledge-center/on-demand-table-throttling-dynamodb : "Each partition on
# the table can serve up to 3,000 read request units or 1,000 write request units". Taken
# here as the ceiling of one partition key value (its items share a partition; DynamoDB
# may split a hot key's sort-key range, which only raises it), for the base table and
# each index; the hottest key of each comes from the measurement.
PARTITION_WRITE_UNITS_PER_S = 1000
# Stream shards follow the table's partitions (not documented as a number): a new table
# sized for 4,000 write units a second at 1,000 a partition has ~4.
STREAM_SHARDS = 4

# -- SES -----------------------------------------------------------------------------------
# An account's sending quota (a new production account starts at 14/s; raised on request).
SES_EMAILS_PER_S = 200

# -- prices, us-east-1, on-demand, as published on 2026-12-01 ------------------------------
# https://aws.amazon.com/dynamodb/pricing/on-demand/ (after the 50% cut of 2024-11-01)
DYNAMODB_WRITE_UNIT_USD = 0.625 / 1_000_000
DYNAMODB_READ_UNIT_USD = 0.125 / 1_000_000
# https://aws.amazon.com/sqs/pricing/ (standard queue, after the 1M free requests a month)
SQS_REQUEST_USD = 0.40 / 1_000_000
# https://aws.amazon.com/ses/pricing/ (outbound email)
SES_EMAIL_USD = 0.10 / 1000
# https://aws.amazon.com/lambda/pricing/ (Arm, first 7.5 billion GB-s a month)
LAMBDA_ARM_GB_SECOND_USD = 0.0000133334
LAMBDA_REQUEST_USD = 0.20 / 1_000_000
# DynamoDB Streams reads made by Lambda are free (DynamoDB pricing page).

COST_PER = 10_000  # invoices


def latency(op: str, scale: float = 1.0) -> float:
    """The assumed round trip of one request, by ``service.Operation``."""
    service, operation = op.split(".", 1)
    if service == "dynamodb":
        if operation == "TransactWriteItems":
            seconds = DYNAMODB_TRANSACTION_S
        elif operation in ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"):
            seconds = DYNAMODB_WRITE_S
        else:
            seconds = DYNAMODB_READ_S
    elif service == "sqs":
        seconds = SQS_S
    elif service in ("ses", "sesv2"):
        seconds = SES_S
    else:
        seconds = DYNAMODB_READ_S
    return seconds * scale


# -- what a run measured --------------------------------------------------------------------


@dataclass
class Measured:
    """One path's figures from a run over ``invoices`` invoices."""

    invoices: int
    usage: Usage  # the requests the functions (or the loop) made
    pollers: Usage = field(default_factory=Usage)  # Lambda's own SQS and stream polling
    invocations: Counter[str] = field(default_factory=Counter)
    cpu_seconds: Tally[str] = field(default_factory=Tally)
    memory_mb: dict[str, int] = field(default_factory=dict)

    def __add__(self, other: Measured) -> Measured:
        """Two stages over the same invoices (publishing, then emailing them)."""
        cpu = Tally(self.cpu_seconds)
        cpu.add(other.cpu_seconds)
        return Measured(
            invoices=max(self.invoices, other.invoices),
            usage=self.usage + other.usage,
            pollers=self.pollers + other.pollers,
            invocations=self.invocations + other.invocations,
            cpu_seconds=cpu,
            memory_mb={**self.memory_mb, **other.memory_mb},
        )

    @property
    def emails(self) -> float:
        return self.usage.total("emails")

    def lambda_cpu(self, function: str) -> float:
        """CPU seconds the function would use on Lambda, at its memory's share of a vCPU."""
        memory = self.memory_mb.get(function, FULL_VCPU_MB)
        return self.cpu_seconds[function] * CPU_SPEED_RATIO * max(1.0, FULL_VCPU_MB / memory)

    def duration(self, function: str, scale: float = 1.0) -> float:
        """Modelled seconds the function runs in all, over all its invocations."""
        requests = self.usage.by_function.get(function, Counter())
        return self.lambda_cpu(function) + sum(latency(op, scale) * count for op, count in requests.items())

    def per_invocation(self, function: str, scale: float = 1.0) -> float:
        return self.duration(function, scale) / max(1, self.invocations[function])

    def write_units(self, table: str | None = None) -> float:
        return sum(units for (name, _), units in self.usage.wcu_by_target().items() if table in (None, name))


# -- the pipeline and its settings ------------------------------------------------------------


@dataclass(frozen=True)
class Drain:
    """One row of the template's email drain table: for an account's SES rate, how many
    senders at once and each one's pace (emails a second)."""

    rate: int
    senders: int
    pace: float


@dataclass(frozen=True)
class Settings:
    worker_max_concurrency: int
    email_concurrency: int
    email_source: str  # how the email concurrency comes about, for the assumptions table
    email_pace: float | None = None  # each sender's most emails a second (None: as fast as it goes)
    ses_per_s: float = SES_EMAILS_PER_S
    table_write_limit: float = NEW_TABLE_WRITE_UNITS_PER_S
    indexes_share_limit: bool = INDEXES_SHARE_TABLE_LIMIT
    latency_scale: float = 1.0
    # The template's SesMaxSendRate table (its allowed values, mapped to senders and pace).
    drains: tuple[Drain, ...] = ()
    # A stream-fed sender (ParallelizationFactor): concurrency is shards x the factor.
    parallelization_factor: int | None = None

    @classmethod
    def from_template(cls, stack: Any, worker: str, email: str, ses_per_s: float = SES_EMAILS_PER_S) -> Settings:
        """Concurrency settings as ``template.yaml`` (``hoa_local.template.Stack``) gives them."""
        (worker_source,) = [props for fn, _, props in stack.events_of("SQS") if fn == worker]
        worker_max = int(stack.resolve(worker_source.get("ScalingConfig", {}).get("MaximumConcurrency", 1000)))
        streams = [props for fn, _, props in stack.events_of("DynamoDB") if fn == email]
        queues = [props for fn, _, props in stack.events_of("SQS") if fn == email]
        drains = drain_table(stack)
        if streams:
            factor = int(stack.resolve(streams[0].get("ParallelizationFactor", 1)))
            source = f"{STREAM_SHARDS} stream shards x ParallelizationFactor {factor}"
            return cls(
                worker_max,
                STREAM_SHARDS * factor,
                source,
                None,
                ses_per_s,
                drains=drains,
                parallelization_factor=factor,
            )
        concurrency = int(stack.resolve(queues[0].get("ScalingConfig", {}).get("MaximumConcurrency", 1000)))
        pace_text = stack.function_environment(email).get("EMAIL_SENDS_PER_SECOND") or ""
        pace = float(pace_text) if pace_text else None
        source = f"queue MaximumConcurrency {concurrency}" + (f", each <= {pace:g}/s" if pace else "")
        if "SesMaxSendRate" in stack.template.get("Parameters", {}):
            source += f" (SesMaxSendRate {stack.parameter('SesMaxSendRate')})"
        return cls(worker_max, concurrency, source, pace, ses_per_s, drains=drains)

    def with_drain(self, drain: Drain) -> Settings:
        source = f"queue MaximumConcurrency {drain.senders}, each <= {drain.pace:g}/s (SesMaxSendRate {drain.rate})"
        return replace(self, email_concurrency=drain.senders, email_pace=drain.pace, email_source=source)


def drain_table(stack: Any) -> tuple[Drain, ...]:
    """The template's ``EmailDrain`` mapping, for each allowed ``SesMaxSendRate``."""
    mapping = stack.template.get("Mappings", {}).get("EmailDrain", {})
    return tuple(
        sorted(
            (Drain(int(rate), int(row["Senders"]), float(row["PerSender"])) for rate, row in mapping.items()),
            key=lambda drain: drain.rate,
        )
    )


def drain_for(settings: Settings, ses_per_s: float) -> Drain | None:
    """The parameter value to choose for an account that sends ``ses_per_s``: the largest
    allowed rate not above it."""
    fitting = [drain for drain in settings.drains if drain.rate <= ses_per_s]
    return fitting[-1] if fitting else None


@dataclass(frozen=True)
class Roles:
    start: str = "BulkPublishApiFunction"
    fan_out: str = "BulkFanOutFunction"
    worker: str = "BulkPublishWorkerFunction"
    email: str = "EmailSenderFunction"
    outbox: str = "EmailOutboxFunction"


@dataclass(frozen=True)
class Limit:
    """One write throughput limit and the write units that count against it."""

    per_s: float
    per_invoice: float  # publishing one invoice
    per_email: float  # sending one email


@dataclass
class Rates:
    """Steady-state rates (invoices or emails per second) the model derives."""

    fan_out: float
    per_worker: float
    per_email_sender: float  # one sender as fast as it goes
    per_outbox: float  # one outbox function (one stream shard) forwarding requests
    limits: dict[str, Limit]
    start_seconds: float

    def sender(self, settings: Settings) -> float:
        """One sender's rate: as fast as it goes, held to its pace."""
        return min(self.per_email_sender, settings.email_pace or float("inf"))


@dataclass
class Outcome:
    n: int
    published_s: float  # the last invoice is Open
    emailed_s: float  # the last email is sent
    throttled_s: float  # time spent with some write held back by a table's limit
    rates: Rates


def limits(publish: Measured, email: Measured, settings: Settings) -> dict[str, Limit]:
    """The write limits of the tables (a table, or with ``indexes_share_limit`` off, a table
    or one of its indexes) and of the hottest partition key of each table and index."""
    n, emails = publish.invoices, max(1.0, email.emails)
    tables: dict[str, list[float]] = {}
    for measured, column, per in ((publish, 0, n), (email, 1, emails)):
        for (table, target), units in measured.usage.wcu_by_target().items():
            name = table if settings.indexes_share_limit or target == "base" else f"{table}/{target}"
            tables.setdefault(name, [0.0, 0.0])[column] += units / per
    found = {name: Limit(settings.table_write_limit, *units) for name, units in tables.items()}
    for measured in (publish, email):
        for (table, target), (key, _) in measured.usage.hottest_partitions().items():
            name = f"{table}/{target} key {key}"
            on_key = [m.usage.partitions[table, target, key] for m in (publish, email)]
            found[name] = Limit(PARTITION_WRITE_UNITS_PER_S, on_key[0] / n, on_key[1] / emails)
    return found


def rates(publish: Measured, email: Measured, settings: Settings, roles: Roles = Roles()) -> Rates:
    scale = settings.latency_scale
    n = publish.invoices
    chunks = publish.invocations[roles.worker]
    # Lambda's poller receives a batch before the invocation (its delete runs alongside).
    worker_cycle = publish.per_invocation(roles.worker, scale) + latency("sqs.ReceiveMessage", scale)
    per_worker = (n / max(1, chunks)) / worker_cycle
    emails = max(1.0, email.emails)
    sender_cycle = email.per_invocation(roles.email, scale)
    if email.invocations[roles.outbox]:
        sender_cycle += latency("sqs.ReceiveMessage", scale)  # a queue-fed sender's poller
    per_sender = (emails / max(1, email.invocations[roles.email])) / max(1e-9, sender_cycle)
    per_outbox = float("inf")
    if email.invocations[roles.outbox]:
        per_outbox = (emails / email.invocations[roles.outbox]) / max(1e-9, email.per_invocation(roles.outbox, scale))
    return Rates(
        fan_out=n / max(1e-9, publish.duration(roles.fan_out, scale)),
        per_worker=per_worker,
        per_email_sender=per_sender,
        per_outbox=per_outbox,
        limits=limits(publish, email, settings),
        start_seconds=publish.per_invocation(roles.start, scale),
    )


def worker_concurrency(seconds_since_first_message: float, maximum: int) -> float:
    ramp = SQS_POLLERS_AT_START + SQS_SCALE_UP_PER_MINUTE * seconds_since_first_message / 60
    return min(float(maximum), float(SQS_MAX_CONCURRENT_BATCHES), ramp)


def simulate(
    publish: Measured, email: Measured, n: int, settings: Settings, roles: Roles = Roles(), step: float = 0.02
) -> Outcome:
    """Publish All of ``n`` invoices, email included, in steps of ``step`` seconds."""
    r = rates(publish, email, settings, roles)
    email_share = email.emails / max(1, email.invoices)
    total_emails = n * email_share
    queue_fed = settings.parallelization_factor is None
    t, enqueued, published, forwarded, emailed, throttled = 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
    first_message: float | None = None
    first_email: float | None = None
    published_at: float | None = None
    while published < n - 1e-6 or emailed < total_emails - 1e-6:
        if t >= r.start_seconds:
            enqueued = min(float(n), enqueued + r.fan_out * step)
            if first_message is None:
                first_message = t
        workers = 0.0
        if first_message is not None:
            workers = worker_concurrency(t - first_message, settings.worker_max_concurrency)
        want_publish = min(enqueued - published, workers * r.per_worker * step)
        forwarded = min(published * email_share, forwarded + STREAM_SHARDS * r.per_outbox * step)
        if forwarded > emailed and first_email is None:
            first_email = t
        senders = float(settings.email_concurrency)
        if queue_fed and first_email is not None:
            senders = worker_concurrency(t - first_email, settings.email_concurrency)
        sendable = min(settings.ses_per_s, senders * r.sender(settings)) * step
        want_email = min(forwarded - emailed, sendable)
        allowed = 1.0
        for limit in r.limits.values():
            demand = want_publish * limit.per_invoice + want_email * limit.per_email
            if demand > limit.per_s * step:
                allowed = min(allowed, limit.per_s * step / demand)
        if allowed < 1.0:
            throttled += step
        published += want_publish * allowed
        emailed += want_email * allowed
        t += step
        if published_at is None and published >= n - 1e-6:
            published_at = t
        if t > 24 * 3600:
            raise RuntimeError("the model did not finish within a day; check the inputs")
    return Outcome(n, published_at or t, t, throttled, r)


def worker_default(publish: Measured, email: Measured, settings: Settings, roles: Roles = Roles()) -> tuple[int, str]:
    """The workers' concurrency a new on-demand table takes at full speed: its write
    throughput over what one worker writes a second (publishes/s x WCU per publish),
    leaving room for the email drain at the template's default rate."""
    r = rates(publish, email, settings, roles)
    per_publish = sum(limit.per_invoice for name, limit in r.limits.items() if " key " not in name and "/" not in name)
    per_email = sum(limit.per_email for name, limit in r.limits.items() if " key " not in name and "/" not in name)
    email_load = min(settings.ses_per_s, settings.email_concurrency * r.sender(settings)) * per_email
    per_worker_wru = r.per_worker * per_publish
    workers = max(2, math.floor((settings.table_write_limit - email_load) / per_worker_wru))
    why = (
        f"({settings.table_write_limit:,.0f} WRU/s - the email drain's {email_load:,.0f}) / "
        f"({r.per_worker:.0f} publishes/s x {per_publish:.2f} WCU) = {workers}"
    )
    return workers, why


def naive_seconds(naive: Measured, n: int, loop: str, scale: float = 1.0) -> float:
    """One invoice after another in one process: its CPU plus every request in turn."""
    return naive.duration(loop, scale) / naive.invoices * n


# -- cost ---------------------------------------------------------------------------------


@dataclass
class Cost:
    dynamodb: float
    sqs: float
    ses: float
    lambda_: float

    @property
    def total(self) -> float:
        return self.dynamodb + self.sqs + self.ses + self.lambda_


def cost_per(measured: Measured, invoices: int = COST_PER, *, as_function: str | None = None) -> Cost:
    """Dollars for ``invoices`` invoices at the prices above. ``as_function``: price a
    loop that is not a Lambda function as if it ran in one of 1,769 MB (for comparison)."""
    per = invoices / measured.invoices
    usage = measured.usage + measured.pollers
    dynamodb = usage.total("wcu") * DYNAMODB_WRITE_UNIT_USD + usage.total("rcu") * DYNAMODB_READ_UNIT_USD
    sqs = sum(count for op, count in usage.billed.items() if op.startswith("sqs.")) * SQS_REQUEST_USD
    ses = usage.total("emails") * SES_EMAIL_USD
    functions = [as_function] if as_function else list(measured.invocations)
    gb_seconds = sum(measured.duration(fn) * measured.memory_mb.get(fn, FULL_VCPU_MB) / 1024 for fn in functions)
    invocations = sum(measured.invocations[fn] for fn in functions) if not as_function else 1
    lambda_ = gb_seconds * LAMBDA_ARM_GB_SECOND_USD + invocations * LAMBDA_REQUEST_USD
    return Cost(dynamodb * per, sqs * per, ses * per, lambda_ * per)


# -- the email drain on its own ---------------------------------------------------------------


def drain_seconds(emails: int, rate: float, senders: int, per_sender: float) -> float:
    """Seconds to send ``emails`` at ``rate``: the senders start as Lambda scales an SQS
    event source (5 at once, +300 a minute), up to ``senders``."""
    t, sent, step = 0.0, 0.0, 0.1
    while sent < emails:
        sent += min(rate, worker_concurrency(t, senders) * per_sender) * step
        t += step
    return t


def email_drain(email: Measured, settings: Settings, emails: int = 50_000, within_s: float = 300.0) -> list[str]:
    """How long ``emails`` take through the sender's queue at the template's setting, the
    one parameter that brings them under ``within_s`` at SES's rate, and the alternative
    that was weighed (a stream-fed sender's ParallelizationFactor), at each end of the
    latency band."""
    lines = []
    per_email = sum(limit.per_email for name, limit in limits(email, email, settings).items() if " key " not in name)
    lines.append(
        f"at SES's {settings.ses_per_s:g}/s the emails alone take {settings.ses_per_s * per_email:,.0f} WRU/s "
        f"of the table's {settings.table_write_limit:,.0f} ({per_email:.1f} an email)"
    )
    chosen = drain_for(settings, settings.ses_per_s)
    for scale in (1.0, LATENCY_BAND[1]):
        r = rates(email, email, replace(settings, latency_scale=scale))
        rate = min(settings.ses_per_s, settings.email_concurrency * r.sender(settings))
        seconds = drain_seconds(emails, rate, settings.email_concurrency, r.sender(settings))
        lines.append(
            f"latency x{scale:g}: {emails:,} emails, account SES {settings.ses_per_s:g}/s; {settings.email_source}: "
            f"{settings.email_concurrency} senders x {r.sender(settings):.1f}/s (one goes {r.per_email_sender:.1f}/s "
            f"unpaced) = {rate:.0f}/s, {_duration(seconds)}"
        )
        if settings.parallelization_factor is not None:
            continue
        if chosen is not None and (chosen.senders, chosen.pace) != (settings.email_concurrency, settings.email_pace):
            faster = settings.with_drain(chosen)
            per_sender = min(r.per_email_sender, chosen.pace)
            rate = min(settings.ses_per_s, chosen.senders * per_sender)
            seconds = drain_seconds(emails, rate, chosen.senders, per_sender)
            verdict = "under" if seconds <= within_s else "over"
            lines.append(
                f"  one parameter: SesMaxSendRate {chosen.rate} ({faster.email_source}): {rate:.0f}/s, "
                f"{_duration(seconds)} ({verdict} {_duration(within_s)}; never above {chosen.rate}/s)"
            )
        elif chosen is None:
            lines.append(
                f"  SES's rate is below every SesMaxSendRate the template offers: use {settings.drains[0].rate}"
            )
        # The alternative: the sender on the stream, concurrency = shards x ParallelizationFactor.
        factor = min(PARALLELIZATION_FACTOR_MAX, math.ceil(emails / within_s / (STREAM_SHARDS * r.per_email_sender)))
        stream_rate = STREAM_SHARDS * factor * r.per_email_sender
        lines.append(
            f"  alternative weighed: ParallelizationFactor {factor} on a stream-fed sender, {STREAM_SHARDS} shards: "
            f"{stream_rate:.0f}/s attempted; with {STREAM_SHARDS * 2} shards {2 * stream_rate:.0f}/s "
            f"(shards follow the table's partitions, no pace holds the total to SES's rate)"
        )
    return lines


# -- printing -------------------------------------------------------------------------------


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def assumptions(settings: Settings) -> list[tuple[str, str, str]]:
    """(what, value, source) for every assumption the model's figures rest on."""
    share = "table and its indexes together" if settings.indexes_share_limit else "each index its own"
    return [
        ("DynamoDB write (Put/Update/Delete)", f"{DYNAMODB_WRITE_S * 1000:g} ms", "typical in-region"),
        ("DynamoDB TransactWriteItems", f"{DYNAMODB_TRANSACTION_S * 1000:g} ms", "two phases"),
        ("DynamoDB read (GetItem, Query page)", f"{DYNAMODB_READ_S * 1000:g} ms", "typical in-region"),
        ("SQS request", f"{SQS_S * 1000:g} ms", "typical in-region"),
        ("SES SendEmail", f"{SES_S * 1000:g} ms", "typical in-region"),
        ("latency band", " / ".join(f"x{b:g}" for b in LATENCY_BAND), "every latency at once"),
        ("Lambda CPU", f"measured here x{CPU_SPEED_RATIO:g}, x {FULL_VCPU_MB}/MemorySize", "1 vCPU at 1,769 MB"),
        (
            "SQS pollers",
            f"{SQS_POLLERS_AT_START} at start, +{SQS_SCALE_UP_PER_MINUTE}/min, <= {SQS_MAX_CONCURRENT_BATCHES}",
            "Lambda SQS scaling doc",
        ),
        ("workers' MaximumConcurrency", str(settings.worker_max_concurrency), "template.yaml"),
        ("email sender concurrency", f"{settings.email_concurrency} ({settings.email_source})", "template.yaml"),
        (
            "email queue pollers",
            f"as the workers' ({SQS_POLLERS_AT_START} at start, +{SQS_SCALE_UP_PER_MINUTE}/min)",
            "Lambda SQS scaling doc",
        ),
        ("SES sending rate", f"{settings.ses_per_s:g}/s", "account quota (parameter)"),
        (
            "new on-demand table writes",
            f"{settings.table_write_limit:,.0f} WRU/s, {share}",
            "DynamoDB on-demand initial throughput",
        ),
        ("stream shards", str(STREAM_SHARDS), "~ partitions of a new table (assumed)"),
        (
            "prices (us-east-1, 2026-12-01)",
            f"WRU ${DYNAMODB_WRITE_UNIT_USD * 1e6:g}/M, RRU ${DYNAMODB_READ_UNIT_USD * 1e6:g}/M, "
            f"SQS ${SQS_REQUEST_USD * 1e6:g}/M, SES ${SES_EMAIL_USD * 1000:g}/1k, "
            f"Lambda Arm ${LAMBDA_ARM_GB_SECOND_USD:g}/GB-s + ${LAMBDA_REQUEST_USD * 1e6:g}/M",
            "AWS pricing pages",
        ),
    ]


def report(
    publish: Measured,
    email: Measured,
    naive: Measured,
    settings: Settings,
    *,
    naive_loop: str,
    sizes: Iterable[int] = (10_000, 100_000),
    roles: Roles = Roles(),
) -> list[str]:
    """The model's output for this design and for the naive loop, as printable lines."""
    lines = ["assumptions"]
    lines += [f"  {what:38s} {value:58s} {source}" for what, value, source in assumptions(settings)]
    r = rates(publish, email, settings, roles)
    lines += [
        "",
        "rates the model derives (latency x1)",
        f"  fan-out enqueues                 {r.fan_out:9.0f} invoices/s (one function, continuing itself)",
        f"  one worker publishes             {r.per_worker:9.0f} invoices/s "
        f"(x{settings.worker_max_concurrency} = {r.per_worker * settings.worker_max_concurrency:.0f}/s)",
        f"  one email sender sends           {r.sender(settings):9.1f} emails/s "
        f"(unpaced {r.per_email_sender:.1f}/s; x{settings.email_concurrency} = "
        f"{r.sender(settings) * settings.email_concurrency:.0f}/s, SES {settings.ses_per_s:g}/s)",
        f"  the outbox forwards              {r.per_outbox:9.0f} requests/s per stream shard",
        f"  {'write limit':52s} {'WRU/s':>6s} {'per invoice':>11s} {'per email':>9s} {'publishes/s alone':>17s}",
    ]
    tightest = sorted(r.limits.items(), key=lambda kv: -(kv[1].per_invoice + kv[1].per_email) / kv[1].per_s)
    for name, limit in tightest[:5]:
        alone = f"{limit.per_s / limit.per_invoice:17,.0f}" if limit.per_invoice else f"{'-':>17s}"
        lines.append(f"  {name[:52]:52s} {limit.per_s:6,.0f} {limit.per_invoice:11.3f} {limit.per_email:9.3f} {alone}")
    workers, why = worker_default(publish, email, settings, roles)
    verdict = "the template's default" if workers == settings.worker_max_concurrency else "differs from the template's"
    lines += ["", f"workers a new on-demand table takes: {why} ({verdict} {settings.worker_max_concurrency})"]
    lines += ["", f"modelled time on AWS (latency x{LATENCY_BAND[0]:g} / x1 / x{LATENCY_BAND[1]:g})"]
    band = (LATENCY_BAND[0], 1.0, LATENCY_BAND[1])
    for n in sizes:
        outcomes = [simulate(publish, email, n, replace(settings, latency_scale=s)) for s in band]
        naive_times = [naive_seconds(naive, n, naive_loop, s) for s in band]
        separate = simulate(publish, email, n, replace(settings, indexes_share_limit=not settings.indexes_share_limit))
        lines += [
            f"  N = {n:,}",
            "    Publish All, all Open        " + " / ".join(_duration(o.published_s) for o in outcomes),
            "    Publish All + emails sent    "
            + " / ".join(_duration(o.emailed_s) for o in outcomes)
            + f"   (throttled by a table {_duration(outcomes[1].throttled_s)}; "
            f"{'each index its own limit' if settings.indexes_share_limit else 'indexes sharing'}: "
            f"{_duration(separate.emailed_s)})",
            "    naive loop, one at a time    " + " / ".join(_duration(s) for s in naive_times),
        ]
    lines += ["", f"cost per {COST_PER:,} invoices (us-east-1, on-demand)"]
    lines.append(f"  {'':24s} {'DynamoDB':>9s} {'SQS':>9s} {'SES':>9s} {'Lambda':>9s} {'total':>9s}")
    for name, cost in (
        ("Publish All + email", cost_per(publish + email)),
        ("  publish only", cost_per(publish)),
        ("naive loop (as Lambda)", cost_per(naive, as_function=naive_loop)),
    ):
        lines.append(
            f"  {name:24s} {cost.dynamodb:9.4f} {cost.sqs:9.4f} {cost.ses:9.4f} {cost.lambda_:9.4f} {cost.total:9.4f}"
        )
    lines += ["", "the email drain alone"]
    lines += [f"  {line}" for line in email_drain(email, settings)]
    return lines
