"""`hoa redrive` moves a dead-letter queue's messages back to the queue that feeds it and
loses none: a message SQS did not accept stays in the dead-letter queue and the command
says so and fails. On AWS (`--deployed`) SQS's own message move task does the moving."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from hoa_local.faults import failed_batch_entries
from hoa_local.operations import cmd_redrive
from hoa_local.redrive import SEND_ATTEMPTS, redrive

DLQ_ARN = "arn:aws:sqs:us-east-1:123456789012:hoa-billing-PublishDeadLetterQueue-AbC123"
DLQ_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/hoa-billing-PublishDeadLetterQueue-AbC123"
SOURCE_ARN = "arn:aws:sqs:us-east-1:123456789012:hoa-billing-PublishQueue-XyZ789"


def queues_with_dead_letters(sqs: Any, count: int) -> tuple[str, str]:
    """A source queue and its dead-letter queue holding ``count`` messages."""
    dlq = sqs.create_queue(QueueName="work-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    policy = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2})
    source = sqs.create_queue(QueueName="work", Attributes={"RedrivePolicy": policy})["QueueUrl"]
    for n in range(count):
        sqs.send_message(
            QueueUrl=dlq,
            MessageBody=json.dumps({"chunk": n}),
            MessageAttributes={"job": {"DataType": "String", "StringValue": "job_1"}},
        )
    return dlq, source


def bodies(sqs: Any, url: str) -> list[dict[str, Any]]:
    """Every message visible in the queue; reading them leaves them in flight."""
    found: dict[str, dict[str, Any]] = {}
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=30).get(
        "Messages", []
    ):
        found.update({m["MessageId"]: json.loads(m["Body"]) for m in messages})
    return sorted(found.values(), key=lambda body: body["chunk"])


def bodies_with_attributes(sqs: Any, url: str) -> dict[str, Any]:
    """Each visible message's body (as text) and its message attributes."""
    found: dict[str, Any] = {}
    while messages := sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=30, MessageAttributeNames=["All"]
    ).get("Messages", []):
        found.update({m["Body"]: m.get("MessageAttributes", {}) for m in messages})
    return found


def local_args(dlq: str, source: str, tmp_path: Any) -> argparse.Namespace:
    return argparse.Namespace(dlq=dlq, to=source, deployed=False, stack=None, state_dir=str(tmp_path))


@mock_aws
def test_a_failed_entry_is_sent_again_and_every_message_is_moved_once():
    sqs = boto3.client("sqs")
    dlq, source = queues_with_dead_letters(sqs, 3)

    with failed_batch_entries(sqs, "SendMessageBatch", calls=1) as injected:
        report = redrive(sqs, dlq, source)

    assert injected == ["0"]  # the first entry of the first batch was refused once
    assert report.moved == 3
    assert report.complete
    assert bodies(sqs, source) == [{"chunk": 0}, {"chunk": 1}, {"chunk": 2}]
    assert bodies(sqs, dlq) == []


@mock_aws
def test_a_message_sqs_keeps_refusing_stays_in_the_dead_letter_queue_and_the_command_fails(tmp_path, capsys):
    sqs = boto3.client("sqs")
    dlq, source = queues_with_dead_letters(sqs, 3)

    with failed_batch_entries(sqs, "SendMessageBatch", calls=SEND_ATTEMPTS, code="InternalError"):
        code = cmd_redrive(local_args(dlq, source, tmp_path), sqs=sqs)

    output = capsys.readouterr().out
    assert code == 1
    assert "Moved 2 message(s)" in output
    assert "1 message(s) could not be moved and are still in" in output
    assert "InternalError" in output
    assert bodies(sqs, source) == [{"chunk": 1}, {"chunk": 2}]
    assert bodies(sqs, dlq) == [{"chunk": 0}]  # not lost: back in the dead-letter queue, visible


@mock_aws
def test_a_message_sqs_refuses_as_the_senders_fault_is_not_sent_again(tmp_path):
    sqs = boto3.client("sqs")
    dlq, source = queues_with_dead_letters(sqs, 2)

    with failed_batch_entries(sqs, "SendMessageBatch", calls=1, code="InvalidParameterValue", sender_fault=True):
        report = redrive(sqs, dlq, source)

    assert report.moved == 1
    assert [reason for _, reason in report.not_moved] == ["InvalidParameterValue: injected by the test"]
    assert bodies(sqs, dlq) == [{"chunk": 0}]


@mock_aws
def test_every_message_is_moved_with_its_attributes(tmp_path, capsys):
    sqs = boto3.client("sqs")
    dlq, source = queues_with_dead_letters(sqs, 12)

    code = cmd_redrive(local_args(dlq, source, tmp_path), sqs=sqs)

    assert code == 0
    assert "Moved 12 message(s)" in capsys.readouterr().out
    moved = bodies_with_attributes(sqs, source)
    assert len(moved) == 12
    assert {attributes["job"]["StringValue"] for attributes in moved.values()} == {"job_1"}
    assert bodies(sqs, dlq) == []


# -- on AWS: SQS's message move task (moto does not implement it; botocore's Stubber stands in)


def deployed_args(dlq: str, **extra: Any) -> argparse.Namespace:
    values = {"to": None, "stack": None, "interval": 0.0, "timeout": 60.0, "state_dir": "/nonexistent"}
    return argparse.Namespace(dlq=dlq, deployed=True, **(values | extra))


def task(status: str, moved: int, to_move: int, **extra: Any) -> dict[str, Any]:
    return {
        "Status": status,
        "SourceArn": DLQ_ARN,
        "ApproximateNumberOfMessagesMoved": moved,
        "ApproximateNumberOfMessagesToMove": to_move,
        "StartedTimestamp": int(datetime(2026, 3, 1, tzinfo=UTC).timestamp() * 1000),
        **extra,
    }


@pytest.fixture
def aws_sqs() -> Any:
    return boto3.client("sqs", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")


def test_on_aws_the_message_move_task_is_started_and_followed_until_it_completes(aws_sqs, capsys):
    with Stubber(aws_sqs) as stub:
        stub.add_response(
            "get_queue_attributes",
            {"Attributes": {"QueueArn": DLQ_ARN}},
            {"QueueUrl": DLQ_URL, "AttributeNames": ["QueueArn"]},
        )
        stub.add_response("start_message_move_task", {"TaskHandle": "handle-1"}, {"SourceArn": DLQ_ARN})
        for moved, status in ((0, "RUNNING"), (40, "RUNNING"), (120, "COMPLETED")):
            stub.add_response(
                "list_message_move_tasks",
                {"Results": [task(status, moved, 120, **({"TaskHandle": "handle-1"} if status == "RUNNING" else {}))]},
                {"SourceArn": DLQ_ARN, "MaxResults": 1},
            )

        code = cmd_redrive(deployed_args(DLQ_URL), sqs=aws_sqs)
        stub.assert_no_pending_responses()

    output = capsys.readouterr().out
    assert code == 0
    assert "40/120" in output
    assert "COMPLETED: moved 120 message(s)" in output


def test_on_aws_a_failed_move_task_is_reported_and_the_command_fails(aws_sqs, capsys):
    with Stubber(aws_sqs) as stub:
        stub.add_response(
            "get_queue_attributes",
            {"Attributes": {"QueueArn": DLQ_ARN}},
            {"QueueUrl": DLQ_URL, "AttributeNames": ["QueueArn"]},
        )
        stub.add_response(
            "get_queue_attributes",
            {"Attributes": {"QueueArn": SOURCE_ARN}},
            {
                "QueueUrl": DLQ_URL.replace("PublishDeadLetterQueue-AbC123", "PublishQueue-XyZ789"),
                "AttributeNames": ["QueueArn"],
            },
        )
        stub.add_response(
            "start_message_move_task", {"TaskHandle": "handle-2"}, {"SourceArn": DLQ_ARN, "DestinationArn": SOURCE_ARN}
        )
        stub.add_response(
            "list_message_move_tasks",
            {"Results": [task("FAILED", 7, 120, FailureReason="AccessDenied: not allowed to send")]},
            {"SourceArn": DLQ_ARN, "MaxResults": 1},
        )

        code = cmd_redrive(
            deployed_args(DLQ_URL, to=DLQ_URL.replace("PublishDeadLetterQueue-AbC123", "PublishQueue-XyZ789")),
            sqs=aws_sqs,
        )

    output = capsys.readouterr().out
    assert code == 1
    assert "FAILED: moved 7 message(s)" in output
    assert "AccessDenied: not allowed to send" in output


def test_on_aws_a_logical_id_is_found_through_the_stack(aws_sqs, capsys):
    cloudformation = boto3.client(
        "cloudformation", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    with Stubber(aws_sqs) as stub, Stubber(cloudformation) as cfn:
        cfn.add_response(
            "describe_stack_resource",
            {
                "StackResourceDetail": {
                    "LogicalResourceId": "PublishDeadLetterQueue",
                    "PhysicalResourceId": DLQ_URL,
                    "ResourceType": "AWS::SQS::Queue",
                    "LastUpdatedTimestamp": datetime(2026, 3, 1, tzinfo=UTC),
                    "ResourceStatus": "CREATE_COMPLETE",
                }
            },
            {"StackName": "hoa-billing", "LogicalResourceId": "PublishDeadLetterQueue"},
        )
        stub.add_response(
            "get_queue_attributes",
            {"Attributes": {"QueueArn": DLQ_ARN}},
            {"QueueUrl": DLQ_URL, "AttributeNames": ["QueueArn"]},
        )
        stub.add_response("start_message_move_task", {"TaskHandle": "handle-3"}, {"SourceArn": DLQ_ARN})
        stub.add_response(
            "list_message_move_tasks", {"Results": [task("COMPLETED", 0, 0)]}, {"SourceArn": DLQ_ARN, "MaxResults": 1}
        )

        code = cmd_redrive(
            deployed_args("PublishDeadLetterQueue", stack="hoa-billing"), sqs=aws_sqs, cloudformation=cloudformation
        )

    assert code == 0
    assert "COMPLETED: moved 0 message(s)" in capsys.readouterr().out
