"""The model of AWS: its reading of template.yaml, Lambda's scaling rules, throttling at a
table's write limit, the email drain's advice, and prices applied to measured units."""

from __future__ import annotations

from collections import Counter

import pytest

from bench import aws_model
from bench.aws_model import Measured, Settings
from bench.capacity import Tally, Usage, WriteStat
from hoa_local.template import Stack

TEMPLATE_SETTINGS = Settings.from_template(Stack(), worker="BulkPublishWorkerFunction", email="EmailSenderFunction")


def stage(
    invoices: int,
    function: str,
    invocations: int,
    requests: dict[str, int],
    *,
    wcu: float = 0.0,
    emails: int = 0,
    cpu: float = 0.0,
) -> Measured:
    """A measured stage: ``function`` made ``requests`` over ``invocations`` invocations,
    writing ``wcu`` units to InvoicesTable."""
    usage = Usage()
    usage.requests.update(requests)
    usage.by_function[function] = Counter(requests)
    usage.wcu["dynamodb.UpdateItem"] = wcu
    usage.writes[("InvoicesTable", "base", "update", "test")] = WriteStat(invoices, wcu, 1000 * invoices)
    usage.emails["sesv2.SendEmail"] = emails
    return Measured(
        invoices=invoices,
        usage=usage,
        invocations=Counter({function: invocations}),
        cpu_seconds=Tally({function: cpu}),
        memory_mb={function: aws_model.FULL_VCPU_MB},
    )


def test_the_template_sizes_the_email_drain_from_one_parameter():
    # SesMaxSendRate's default, 14 a second: two senders (the least MaximumConcurrency
    # allows) of 7 a second each.
    assert (TEMPLATE_SETTINGS.email_concurrency, TEMPLATE_SETTINGS.email_pace) == (2, 7.0)
    assert TEMPLATE_SETTINGS.parallelization_factor is None  # the sender reads a queue
    for drain in TEMPLATE_SETTINGS.drains:
        # Never faster than the account's rate, and at least the two senders SQS allows.
        assert drain.senders * drain.pace == pytest.approx(drain.rate)
        assert drain.senders >= 2
    assert aws_model.drain_for(TEMPLATE_SETTINGS, 200) == aws_model.Drain(200, 20, 10.0)
    assert aws_model.drain_for(TEMPLATE_SETTINGS, 350) == aws_model.Drain(200, 20, 10.0)  # never above the quota


@pytest.mark.parametrize(
    ("seconds", "maximum", "workers"),
    [(0, 1000, 5), (60, 1000, 305), (120, 1000, 605), (600, 1000, 1000), (0, 2, 2), (30, 20, 20)],
)
def test_sqs_pollers_start_at_five_and_add_300_a_minute_up_to_the_maximum(seconds, maximum, workers):
    assert aws_model.worker_concurrency(seconds, maximum) == workers


def test_publishing_faster_than_the_table_takes_waits_for_its_write_limit():
    # 250 invoices an invocation of 500 writes at 5 ms: 100 invoices/s per worker, and
    # up to 1,000 workers; at 8 write units an invoice the table's 4,000 a second allow
    # 500 invoices/s.
    publish = stage(250, "BulkPublishWorkerFunction", 1, {"dynamodb.UpdateItem": 500}, wcu=250 * 8)
    email = stage(250, "EmailSenderFunction", 25, {"sesv2.SendEmail": 1}, emails=0)
    settings = Settings(1000, 4, "test", table_write_limit=4000)

    outcome = aws_model.simulate(publish, email, 100_000, settings)

    assert outcome.published_s == pytest.approx(100_000 / 500, rel=0.05)
    assert outcome.throttled_s > 0.9 * outcome.published_s


def test_the_drain_names_the_one_parameter_that_brings_it_under_five_minutes():
    # Ten emails an invocation, each a 50 ms send: 20 emails/s per sender, unpaced.
    email = stage(20, "EmailSenderFunction", 1, {"sesv2.SendEmail": 10}, emails=10)
    settings = Settings(5, 2, "queue MaximumConcurrency 2", 7.0, ses_per_s=200, drains=TEMPLATE_SETTINGS.drains)

    first, advice = aws_model.email_drain(email, settings)[1:3]

    assert "2 senders x 7.0/s" in first
    assert "= 14/s" in first  # held to the template's 14/s
    assert "SesMaxSendRate 200" in advice  # 20 senders x 10/s: 200/s, never above it
    assert "200/s, 4.2 min" in advice


def test_a_sender_is_held_to_its_pace():
    # Unpaced a sender would go 20 a second; with a pace of 7 it sends 7.
    email = stage(20, "EmailSenderFunction", 1, {"sesv2.SendEmail": 10}, emails=10)
    publish = stage(20, "BulkPublishWorkerFunction", 1, {"dynamodb.UpdateItem": 20}, wcu=20)

    paced = Settings(5, 2, "test", 7.0, ses_per_s=200)
    unpaced = Settings(5, 2, "test", None, ses_per_s=200)

    assert aws_model.rates(publish, email, paced).sender(paced) == pytest.approx(7.0)
    assert aws_model.rates(publish, email, unpaced).sender(unpaced) == pytest.approx(20.0)


def test_costs_apply_the_prices_to_the_measured_units():
    measured = stage(10_000, "BulkPublishWorkerFunction", 40, {"dynamodb.UpdateItem": 10_000}, wcu=70_000)

    cost = aws_model.cost_per(measured, 10_000)

    assert cost.dynamodb == pytest.approx(70_000 * 0.625 / 1e6)
    assert cost.ses == 0
    # 10,000 writes at 5 ms in 40 invocations of 1,769 MB, and 40 requests.
    gb_seconds = 10_000 * aws_model.DYNAMODB_WRITE_S * aws_model.FULL_VCPU_MB / 1024
    assert cost.lambda_ == pytest.approx(gb_seconds * aws_model.LAMBDA_ARM_GB_SECOND_USD + 40 * 0.2 / 1e6)
