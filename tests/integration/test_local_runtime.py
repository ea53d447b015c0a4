"""The local runtime drives event sources the way Lambda does, read from the template:
batch size, partial batch failures, retries, then the dead-letter queue; schedules on
demand; and every email SES accepted lands in a folder as files."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from functools import partial
from typing import Any

import boto3
import pytest
from moto import mock_aws

from hoa_local.consumers import SqsConsumer, sqs_sources
from hoa_local.lambdas import Functions
from hoa_local.mail import MailFolder
from hoa_local.provision import provision
from hoa_local.redrive import redrive
from hoa_local.schedules import InputRefused, ScheduleRunner
from hoa_local.template import Stack, load
from tests.support import local_worker

HANDLER = "tests.support.local_worker.handler"


def worker_template(*, report_failures: bool = True) -> dict[str, Any]:
    """template.yaml plus a queue with a DLQ and a worker, as the bulk publish adds them."""
    template = copy.deepcopy(load())
    resources = template["Resources"]
    resources["WorkDLQ"] = {"Type": "AWS::SQS::Queue", "Properties": {}}
    resources["WorkQueue"] = {
        "Type": "AWS::SQS::Queue",
        "Properties": {
            "VisibilityTimeout": 0,  # a failed message is visible again at once: no waiting in tests
            "RedrivePolicy": {"deadLetterTargetArn": {"Fn::GetAtt": ["WorkDLQ", "Arn"]}, "maxReceiveCount": 2},
        },
    }
    sqs_event: dict[str, Any] = {"Queue": {"Fn::GetAtt": ["WorkQueue", "Arn"]}, "BatchSize": 3}
    if report_failures:
        sqs_event["FunctionResponseTypes"] = ["ReportBatchItemFailures"]
    resources["WorkerFunction"] = {
        "Type": "AWS::Serverless::Function",
        "Properties": {
            "Handler": HANDLER,
            "Events": {
                "Work": {"Type": "SQS", "Properties": sqs_event},
                "MonthlyRun": {"Type": "ScheduleV2", "Properties": {"ScheduleExpression": "cron(0 6 1 * ? *)"}},
                "PublishRun": {
                    "Type": "Schedule",
                    "Properties": {"Schedule": "cron(0 12 1 * ? *)", "Input": '{"property_ids": "none", "run": 1}'},
                },
            },
        },
    }
    return template


@pytest.fixture(autouse=True)
def _fresh_invocations() -> Iterator[None]:
    local_worker.invocations.clear()
    yield
    local_worker.invocations.clear()


def make_consumer(report_failures: bool = True) -> tuple[SqsConsumer, Any]:
    stack = provision(Stack(name="hoa-test", template=worker_template(report_failures=report_failures)), boto3.client)
    (source,) = [s for s in sqs_sources(stack) if s.function == "WorkerFunction"]
    sqs = boto3.client("sqs")
    return SqsConsumer(stack, source, sqs, partial(Functions(stack).invoke, source.function)), sqs


def send(consumer: SqsConsumer, sqs: Any, *bodies: dict[str, Any]) -> list[str]:
    return [sqs.send_message(QueueUrl=consumer.queue_url, MessageBody=json.dumps(b))["MessageId"] for b in bodies]


def depth(sqs: Any, url: str) -> int:
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    return int(attributes["Attributes"]["ApproximateNumberOfMessages"])


def dlq_bodies(consumer: SqsConsumer, sqs: Any) -> list[dict[str, Any]]:
    url = consumer.stack.attributes["WorkDLQ"]["QueueUrl"]
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(m["Body"]) for m in messages]


@mock_aws
def test_the_event_source_is_read_from_the_template_with_its_batch_size_and_response_type():
    consumer, sqs = make_consumer()
    send(consumer, sqs, *({"n": n} for n in range(5)))

    outcome = consumer.poll_once()

    assert consumer.source.batch_size == 3
    assert consumer.source.report_batch_item_failures
    assert outcome is not None
    assert outcome.received == 3
    assert len(outcome.deleted) == 3
    (event,) = local_worker.invocations
    record = event["Records"][0]
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == consumer.queue_arn
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert depth(sqs, consumer.queue_url) == 2


@mock_aws
def test_only_the_reported_failures_stay_and_after_max_receives_they_go_to_the_dead_letter_queue():
    consumer, sqs = make_consumer()
    ok, failing = send(consumer, sqs, {"n": 1}, {"n": 2, "fail": True})

    first = consumer.poll_once()
    second = consumer.poll_once()
    third = consumer.poll_once()

    assert first is not None
    assert first.deleted == [ok]
    assert first.failed == [failing]
    assert second is not None
    assert second.failed == [failing]
    assert third is None  # the third receive moved it: maxReceiveCount is 2
    assert depth(sqs, consumer.queue_url) == 0
    assert dlq_bodies(consumer, sqs) == [{"n": 2, "fail": True}]


@mock_aws
def test_a_function_that_raises_returns_the_whole_batch_to_the_queue():
    consumer, sqs = make_consumer()
    ids = send(consumer, sqs, {"n": 1}, {"n": 2, "crash": True})

    outcome = consumer.poll_once()

    assert outcome is not None
    assert sorted(outcome.failed) == sorted(ids)
    assert outcome.deleted == []
    assert depth(sqs, consumer.queue_url) == 2


@mock_aws
def test_a_failure_report_naming_an_unknown_message_fails_the_whole_batch():
    consumer, sqs = make_consumer()
    ids = send(consumer, sqs, {"n": 1}, {"n": 2, "bogus": True})

    outcome = consumer.poll_once()

    assert outcome is not None
    assert sorted(outcome.failed) == sorted(ids)
    assert depth(sqs, consumer.queue_url) == 2


@mock_aws
def test_without_report_batch_item_failures_a_normal_return_deletes_the_whole_batch():
    consumer, sqs = make_consumer(report_failures=False)
    send(consumer, sqs, {"n": 1}, {"n": 2, "fail": True})

    outcome = consumer.poll_once()

    assert outcome is not None
    assert len(outcome.deleted) == 2
    assert outcome.failed == []
    assert depth(sqs, consumer.queue_url) == 0


@mock_aws
def test_redrive_moves_dead_letters_back_to_the_source_queue():
    consumer, sqs = make_consumer()
    send(consumer, sqs, {"n": 7, "fail": True})
    while consumer.poll_once() is not None:
        pass
    dlq_url = consumer.stack.attributes["WorkDLQ"]["QueueUrl"]
    assert sqs.list_dead_letter_source_queues(QueueUrl=dlq_url)["queueUrls"] == [consumer.queue_url]

    report = redrive(sqs, dlq_url, consumer.queue_url)

    assert report.moved == 1
    assert report.complete
    assert depth(sqs, dlq_url) == 0
    assert depth(sqs, consumer.queue_url) == 1


@mock_aws
def test_a_schedule_runs_on_demand_with_eventbridge_schedulers_event():
    stack = provision(Stack(name="hoa-test", template=worker_template()), boto3.client)
    runner = ScheduleRunner(stack, Functions(stack).invoke)

    assert runner.trigger("MonthlyRun") == {"ran": True}
    assert runner.trigger("WorkerFunction.MonthlyRun") == {"ran": True}
    with pytest.raises(KeyError, match=r"WorkerFunction\.MonthlyRun"):
        runner.trigger("Nightly")
    event = local_worker.invocations[0]
    assert event["detail-type"] == "Scheduled Event"
    assert event["source"] == "aws.scheduler"
    assert event["resources"] == ["arn:aws:scheduler:us-east-1:123456789012:schedule/default/hoa-test-MonthlyRun"]


@mock_aws
def test_a_schedule_run_on_demand_can_name_other_properties_than_its_input():
    stack = provision(Stack(name="hoa-test", template=worker_template()), boto3.client)
    runner = ScheduleRunner(stack, Functions(stack).invoke)

    runner.trigger("PublishRun", {"property_ids": ["prop_demo"]})
    with pytest.raises(InputRefused, match="takes no properties"):
        runner.trigger("PublishRun", {"properties": ["prop_demo"]})
    with pytest.raises(InputRefused, match="it has no Input"):
        runner.trigger("MonthlyRun", {"property_ids": ["prop_demo"]})

    assert local_worker.invocations == [{"property_ids": ["prop_demo"], "run": 1}]


@mock_aws
def test_every_email_ses_accepted_becomes_an_eml_and_an_html_file(tmp_path):
    ses = boto3.client("sesv2")
    ses.create_email_identity(EmailIdentity="example.com")
    folder = MailFolder(tmp_path / "mail", "123456789012", "us-east-1")
    ses.send_email(
        FromEmailAddress="billing@example.com",
        Destination={"ToAddresses": ["pat@example.com"]},
        Content={
            "Simple": {
                "Subject": {"Data": "Invoice INV-00001 from Maple Court HOA"},
                "Body": {"Html": {"Data": "<html><body><p>Amount due: $325.00</p></body></html>"}},
            }
        },
    )
    raw = EmailMessage()
    raw["From"], raw["To"], raw["Subject"] = "billing@example.com", "sam@example.com", "Invoice INV-00002"
    raw.set_content("Amount due: $100.00")
    raw.add_alternative("<p>Amount due: <b>$100.00</b></p>", subtype="html")
    ses.send_email(
        FromEmailAddress="billing@example.com",
        Destination={"ToAddresses": ["sam@example.com"]},
        Content={"Raw": {"Data": raw.as_bytes()}},
    )

    written = folder.poll_once()

    assert [path.suffix for path in written] == [".eml", ".eml"]
    first, second = written
    assert "Subject: Invoice INV-00001 from Maple Court HOA" in first.read_text()
    assert "To: pat@example.com" in first.read_text()
    assert first.with_suffix(".html").read_text() == "<html><body><p>Amount due: $325.00</p></body></html>\n"
    assert second.with_suffix(".html").read_text().strip() == "<p>Amount due: <b>$100.00</b></p>"
    assert folder.poll_once() == []  # each message is written once


@mock_aws
def test_a_message_ses_accepted_with_characters_no_header_may_hold_is_still_written(tmp_path):
    ses = boto3.client("sesv2")
    ses.create_email_identity(EmailIdentity="example.com")
    folder = MailFolder(tmp_path / "mail", "123456789012", "us-east-1")
    ses.send_email(
        FromEmailAddress="billing@example.com",
        Destination={"ToAddresses": ["Eve\r\nBcc: evil@example.com <eve@example.com>", "Zo\x00e <zoe@example.com>"]},
        Content={"Simple": {"Subject": {"Data": "Invoice\r\nX-Evil: 1"}, "Body": {"Text": {"Data": "Due \ud800 now"}}}},
    )

    (written,) = folder.poll_once()

    message = message_from_bytes(written.read_bytes(), policy=policy.default)
    assert "X-Evil" not in message
    assert "Bcc" not in message
    assert message["Subject"] == "Invoice\ufffd\ufffdX-Evil: 1"
    assert [a.addr_spec for a in message["To"].addresses][-1] == "zoe@example.com"
    assert "Due \ufffd now" in written.with_suffix(".html").read_text()
