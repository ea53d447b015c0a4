"""The printer's stream filter, checked against items the data layer really stores: the
template's FilterCriteria name stored attributes (``status``, ``email_status``), and a
rename in ``data/invoice_shape.py`` must not silently stop the letters. (An email that
bounced after it was sent passes too: tests/integration/test_letters.py prints its letter
through the same filter.)"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import boto3
import pytest

from hoa_billing.core.models import Actor, ActorKind, HistoryEntry, InvoiceStatus
from hoa_billing.data.invoices import DynamoInvoices
from hoa_billing.letters_delivery import UNREACHABLE
from hoa_local.streams import StreamReader, passes
from hoa_local.template import Stack
from tests.support.stories import create_draft, create_resident, publish

FILTER = Stack().functions()["LetterPrinterFunction"]["Events"]["UnreachableResident"]["Properties"]["FilterCriteria"]


@pytest.fixture
def reader(stack, properties) -> StreamReader:
    return StreamReader(boto3.client("dynamodbstreams"), stack.attributes["InvoicesTable"]["StreamArn"])


def published(api, reader, email: str | None, send_email: bool) -> list[dict]:
    draft = create_draft(api, create_resident(api, email=email)["resident_id"])
    reader.read()  # the resident and the draft
    assert publish(api, draft, {"send_email": send_email}).status == 200
    return [r for r in reader.read() if r["dynamodb"]["Keys"]["invoice_id"]["S"] == draft["invoice_id"]]


def test_a_publish_to_a_resident_without_an_address_passes(api, reader):
    (record,) = published(api, reader, None, False)
    assert record["dynamodb"]["NewImage"]["email_status"] == {"S": "skipped_no_address"}
    assert passes(FILTER, record)


@pytest.mark.parametrize("send_email", [True, False])
def test_a_publish_to_a_reachable_resident_does_not(api, reader, send_email):
    (record,) = published(api, reader, "pat@example.com", send_email)
    assert not passes(FILTER, record)


def test_a_later_change_of_an_invoice_already_printed_does_not(api, reader, stack):
    published(api, reader, None, False)
    invoice = api.get("/properties/prop_a/invoices").body["items"][0]
    DynamoInvoices(stack.physical_name("InvoicesTable")).mark_overdue(
        "prop_a",
        invoice["invoice_id"],
        invoice["due_date"],
        HistoryEntry(
            at=datetime.now(UTC),
            action="marked_overdue",
            actor=Actor(kind=ActorKind.SYSTEM, id="sweep"),
            from_status=InvoiceStatus.OPEN,
            to_status=InvoiceStatus.OVERDUE,
        ),
    )
    (record,) = [r for r in reader.read() if r["dynamodb"]["Keys"]["invoice_id"]["S"] == invoice["invoice_id"]]
    assert record["dynamodb"]["NewImage"]["status"] == {"S": "Overdue"}
    assert not passes(FILTER, record)


def test_the_filter_selects_the_email_states_the_printer_prints():
    named: set[str] = set()
    for entry in FILTER["Filters"]:
        image = json.loads(entry["Pattern"])["dynamodb"]["NewImage"]
        named |= set(image["email_status"]["S"])
    assert named == {status.value for status in UNREACHABLE}
