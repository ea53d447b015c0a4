"""Printed letters through the real path: the invoices table's stream read from moto,
through the template's event source mapping (its FilterCriteria) into the printer
function; LettersQueue into the same function as Lambda's SQS source does; the bucket
in moto's S3."""

from __future__ import annotations

from typing import Any

import boto3

from hoa_billing import compose
from hoa_billing.core.settings import get_letter_settings
from hoa_billing.data.letter_files import S3LetterFiles
from hoa_billing.data.letter_sources import DynamoLetterSources
from hoa_billing.letters_delivery import LetterPrinter
from hoa_local.consumers import SqsConsumer
from hoa_local.lambdas import function_invoker
from hoa_local.streams import DeliveryReport, EventSourceMapping, StreamReader
from hoa_local.template import Stack

PRINTER = "LetterPrinterFunction"


def use_letters_environment(stack: Stack, monkeypatch: Any) -> None:
    """The letter functions' environment from template.yaml, as Lambda would set it."""
    for function in (PRINTER, "LettersApiFunction"):
        for key, value in stack.function_environment(function).items():
            monkeypatch.setenv(key, value)
    get_letter_settings.cache_clear()
    compose.reset()


def bucket(stack: Stack) -> str:
    return str(stack.attributes["LettersBucket"]["Ref"])


def keys(stack: Stack, prefix: str = "") -> list[str]:
    s3 = boto3.client("s3")
    found: list[str] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket(stack), Prefix=prefix):
        found += [entry["Key"] for entry in page.get("Contents", [])]
    return found


def letter_keys(stack: Stack, property_id: str = "prop_a") -> list[str]:
    return keys(stack, f"letters/{property_id}/invoices/")


def head(stack: Stack, key: str) -> dict[str, Any]:
    return dict(boto3.client("s3").head_object(Bucket=bucket(stack), Key=key))


def pdf(stack: Stack, key: str) -> bytes:
    return bytes(boto3.client("s3").get_object(Bucket=bucket(stack), Key=key)["Body"].read())


def files(stack: Stack, client: Any | None = None) -> S3LetterFiles:
    return S3LetterFiles(bucket(stack), client)


def sources(stack: Stack) -> DynamoLetterSources:
    return DynamoLetterSources(
        stack.physical_name("InvoicesTable"),
        stack.physical_name("PropertiesTable"),
        stack.physical_name("PublishJobsTable"),
    )


def printer(stack: Stack, letter_files: Any | None = None) -> LetterPrinter:
    portal = stack.function_environment(PRINTER)["PORTAL_BASE_URL"]
    return LetterPrinter(letter_files or files(stack), sources(stack), portal)


class LetterFlow:
    """The invoices table's stream into the printer, and LettersQueue into it too."""

    def __init__(self, stack: Stack, deps: LetterPrinter | None = None) -> None:
        self.stack = stack
        self.deps = deps
        sqs = boto3.client("sqs")
        self.reader = StreamReader(boto3.client("dynamodbstreams"), stack.attributes["InvoicesTable"]["StreamArn"])
        self.mapping = EventSourceMapping.from_template(stack, PRINTER, "UnreachableResident", sqs=sqs)
        overrides = {"deps": deps} if deps is not None else {}
        self.invoke = function_invoker(stack, PRINTER, **overrides)
        self.queue = SqsConsumer.for_function(stack, PRINTER, sqs, **overrides)
        self.dead_letters = stack.attributes["LettersDeadLetterQueue"]["QueueUrl"]

    def records(self) -> list[dict[str, Any]]:
        return self.reader.read()

    def print_stream(self, records: list[dict[str, Any]] | None = None) -> DeliveryReport:
        """Deliver the stream's new records (or the ones given) as Lambda would."""
        return self.mapping.deliver(self.records() if records is None else records, self.invoke)

    def print_requests(self) -> int:
        return self.queue.drain()

    def dead_letter_count(self) -> int:
        attributes = boto3.client("sqs").get_queue_attributes(
            QueueUrl=self.dead_letters, AttributeNames=["ApproximateNumberOfMessages"]
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"])
