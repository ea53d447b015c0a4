"""The capacity calculator against DynamoDB's documented rules and worked examples, and
the recorder against real requests to moto tables built from template.yaml.

Sources: the DynamoDB developer guide's "DynamoDB item sizes and formats",
"DynamoDB read and write operations" and "Global secondary indexes" (write and read
capacity units); the Lambda developer guide's DynamoDB event example (its records'
``SizeBytes``); SQS pricing (64 KB chunks)."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from bench.capacity import (
    CapacityRecorder,
    IndexSpec,
    LambdaMeter,
    TableSpec,
    Usage,
    index_charges,
    item_size,
    query_units,
    read_units,
    refused_charge,
    table_specs,
    value_size,
    write_charges,
    write_units,
)
from hoa_local.template import Stack

KB = 1024


def s(text: str) -> dict[str, str]:
    return {"S": text}


def n(number: str) -> dict[str, str]:
    return {"N": number}


# -- item sizes -------------------------------------------------------------------------


def test_the_lambda_guides_stream_records_are_the_size_dynamodb_reported():
    # The DynamoDB event example in the Lambda developer guide: an INSERT record of
    # SizeBytes 26 and a MODIFY record of SizeBytes 59 (keys plus the images it carries).
    keys = {"Id": n("101")}
    inserted = {"Message": s("New item!"), "Id": n("101")}
    changed = {"Message": s("This item has changed"), "Id": n("101")}

    assert item_size(keys) + item_size(inserted) == 26
    assert item_size(keys) + item_size(inserted) + item_size(changed) == 59


def test_a_string_counts_its_name_and_its_utf8_bytes():
    assert item_size({"name": s("héllo")}) == 4 + 6


@pytest.mark.parametrize(
    ("number", "size"),
    [
        ("101", 3),  # 3 significant digits: 2 bytes for them + 1
        ("12345", 4),
        ("1000", 2),  # trailing zeroes trimmed: one significant digit
        ("0.001", 2),  # leading zeroes trimmed
        ("-12.5", 3),
        ("0", 2),
        ("9" * 38, 20),  # the most significant digits a number can have
    ],
)
def test_a_number_takes_a_byte_per_two_significant_digits_plus_one(number, size):
    assert value_size(n(number)) == size


def test_binary_counts_its_raw_bytes_whether_parsed_or_base64_on_the_wire():
    assert value_size({"B": b"\x00\x01\x02"}) == 3
    assert value_size({"B": "AAEC"}) == 3


def test_booleans_and_nulls_take_one_byte():
    assert item_size({"ok": {"BOOL": True}, "gone": {"NULL": True}}) == (2 + 1) + (4 + 1)


def test_lists_and_maps_cost_three_bytes_plus_one_per_element():
    assert item_size({"l": {"L": []}}) == 1 + 3
    assert item_size({"l": {"L": [n("1"), {"BOOL": True}]}}) == 1 + 3 + (2 + 1) + (1 + 1)
    assert item_size({"m": {"M": {"a": s("xy")}}}) == 1 + 3 + (1 + 2 + 1)


def test_sets_are_the_sum_of_their_members():
    assert value_size({"SS": ["ab", "cde"]}) == 5
    assert value_size({"NS": ["1", "12345"]}) == 2 + 4


# -- write and read units -----------------------------------------------------------------


def test_a_put_of_one_and_a_half_kilobytes_is_two_write_units():
    item = {"pk": s("a"), "pad": s("x" * (1536 - 2 - 1 - 3))}
    assert item_size(item) == 1536
    (charge,) = write_charges(TableSpec("T", ("pk",)), None, item)

    assert (charge.target, charge.kind, charge.units) == ("base", "put", 2)


@pytest.mark.parametrize(("size", "units"), [(500, 1), (1024, 1), (1025, 2), (int(1.6 * KB), 2)])
def test_writes_round_up_per_kilobyte(size, units):
    assert write_units(size) == units


def test_batch_writes_round_each_item_up_before_adding():
    # The guide: a 500-byte item and a 3.5 KB item cost 5 KB (1 KB + 4 KB), not 4 KB.
    assert write_units(500) + write_units(int(3.5 * KB)) == 5


def test_an_update_is_charged_on_the_larger_of_the_item_before_and_after():
    table = TableSpec("T", ("pk",))
    big = {"pk": s("a"), "pad": s("x" * 2000)}
    small = {"pk": s("a"), "pad": s("x")}

    assert write_charges(table, big, small)[0].units == 2
    assert write_charges(table, small, big)[0].units == 2


def test_a_refused_conditional_write_is_still_charged_on_the_item_and_writes_no_index():
    existing = {"pk": s("a"), "pad": s("x" * 1500)}
    charge = refused_charge(existing, None)

    assert (charge.kind, charge.units) == ("refused", 2)
    assert refused_charge(None, None).units == 1  # an item that is not there: one unit


@pytest.mark.parametrize(
    ("size", "consistent", "units"),
    [
        (int(3.5 * KB), True, 1),  # rounded up to 4 KB
        (10 * KB, True, 3),  # rounded up to 12 KB
        (8 * KB, False, 1),  # eventually consistent: half
        (0, True, 1),  # an item that does not exist still costs a read
        (0, False, 0.5),
    ],
)
def test_get_item_units(size, consistent, units):
    assert read_units(size, consistent=consistent) == units


def test_a_query_adds_up_what_it_read_then_rounds_up_once():
    # The guide: 10 items of 40.8 KB in all are rounded to 44 KB; 1,500 items of 64 bytes
    # are 96 KB.
    assert query_units([int(40.8 * KB / 10)] * 10, consistent=True) == 11
    assert query_units([64] * 1500, consistent=True) == 24


def test_a_query_of_a_global_index_is_eventually_consistent():
    # The guide: 8 index entries of 2,000 bytes, 16,000 bytes, are 2 read units.
    assert query_units([2000] * 8, consistent=False) == 2
    # Ten entries of 1 KB: ceil(10 KB / 4 KB) x 0.5.
    assert query_units([KB] * 10, consistent=False) == 1.5


# -- global secondary indexes, as template.yaml declares them ------------------------------

INVOICES = TableSpec.from_definition("InvoicesTable", Stack().resources("AWS::DynamoDB::Table")["InvoicesTable"])


def draft(**more: Any) -> dict[str, Any]:
    """A draft of about 1.5 KB: over one write unit, under two."""
    return {
        "invoice_id": s("inv_1"),
        "property_id": s("prop_a"),
        "resident_id": s("res_1"),
        "status": s("Draft"),
        "amount_due": n("32500"),
        "due_date": s("2027-01-31"),
        "gsi_status_pk": s("prop_a#3"),
        "gsi_status_sk": s("Draft#inv_1"),
        "history": s("h" * 1300),
        **more,
    }


def published(**more: Any) -> dict[str, Any]:
    open_keys = {
        "status": s("Open"),
        "gsi_status_sk": s("Open#inv_1"),
        "gsi_portal_pk": s("res_1"),
        "email_status": s("queued"),
        "els": s("queued"),
    }
    return draft(**{**open_keys, **more})


def charged(charges: list[Any]) -> dict[tuple[str, str], float]:
    return {(charge.target, charge.kind): charge.units for charge in charges}


def test_the_template_declares_the_indexes_the_calculator_uses():
    assert {index.name: index.projection for index in INVOICES.indexes} == {
        "ListingByStatus": "INCLUDE",
        "PortalByResident": "INCLUDE",
    }
    assert INVOICES.index("ListingByStatus").keys == ("gsi_status_pk", "gsi_status_sk")
    # The resident index is sorted by the table's own key: no attribute copies it.
    assert INVOICES.index("PortalByResident").keys == ("gsi_portal_pk", "invoice_id")


def test_a_new_draft_enters_only_the_status_index():
    assert charged(write_charges(INVOICES, None, draft())) == {("base", "put"): 2, ("ListingByStatus", "put"): 1}


def test_publishing_moves_the_status_entry_and_enters_the_resident_index():
    charges = write_charges(INVOICES, draft(), published())

    assert charged(charges) == {
        ("base", "update"): 2,  # this item is 1.5 KB
        ("ListingByStatus", "delete"): 1,  # the key changed: delete the old entry ...
        ("ListingByStatus", "put"): 1,  # ... and put the new one
        ("PortalByResident", "put"): 1,  # what the portal lists, not the whole item
    }
    assert sum(charge.units for charge in charges) == 5


def test_an_update_of_an_attribute_no_index_projects_writes_no_index():
    assert charged(write_charges(INVOICES, draft(), draft(notes=s("call first")))) == {("base", "update"): 2}


def test_an_email_claim_rewrites_no_index_and_its_outcome_only_the_listing():
    claimed = published(email_status=s("sending"), email_claim_token=s("t" * 40))
    sent = published(email_status=s("sent"), els=s("sent"))

    assert charged(write_charges(INVOICES, published(), claimed)) == {("base", "update"): 2}
    assert charged(write_charges(INVOICES, claimed, sent)) == {
        ("base", "update"): 2,
        ("ListingByStatus", "update"): 1,  # the listing's email state is one of its NonKeyAttributes
    }


def test_a_payment_updates_both_listings_of_the_amount_paid():
    paid = published(amount_paid=n("10000"))

    assert charged(write_charges(INVOICES, published(), paid)) == {
        ("base", "update"): 2,
        ("ListingByStatus", "update"): 1,
        ("PortalByResident", "update"): 1,
    }


def test_an_index_write_is_sized_on_the_entry_it_projects_not_on_the_item():
    before = draft(history=s("h" * 3000))  # over 3 KB, all of it outside the status index
    after = draft(history=s("h" * 3000), els=s("queued"))
    charges = {charge.target: charge for charge in write_charges(INVOICES, before, after)}

    assert charges["base"].units == 4
    assert charges["ListingByStatus"].units == 1
    assert charges["ListingByStatus"].size < 1024


def test_a_keys_only_index_holds_the_keys_alone():
    index = IndexSpec("ByOwner", keys=("owner",), table_keys=("pk",), projection="KEYS_ONLY")
    before = {"pk": s("a"), "owner": s("o1"), "pad": s("x" * 5000)}
    after = {"pk": s("a"), "owner": s("o1"), "pad": s("y" * 5000)}

    assert index.entry(after) == {"pk": s("a"), "owner": s("o1")}
    assert index_charges(index, before, after) == []  # nothing it holds changed


# -- the recorder, on tables built from template.yaml ------------------------------------


@pytest.fixture
def recorded(stack: Stack) -> tuple[CapacityRecorder, Any]:
    session = boto3.Session()
    recorder = CapacityRecorder(table_specs(stack)).attach(session)
    return recorder, session


def test_writes_to_a_template_table_are_charged_as_the_rules_say(stack, recorded):
    recorder, session = recorded
    client = session.client("dynamodb")
    table = stack.physical_name("InvoicesTable")

    client.put_item(TableName=table, Item=draft())
    put = recorder.take()
    published_item = published()
    client.update_item(
        TableName=table,
        Key={"invoice_id": s("inv_1")},
        UpdateExpression="SET #s = :open, gsi_status_sk = :sk, gsi_portal_pk = :r",
        ConditionExpression="#s = :draft",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={
            ":open": s("Open"),
            ":draft": s("Draft"),
            ":sk": published_item["gsi_status_sk"],
            ":r": published_item["gsi_portal_pk"],
        },
    )
    publish = recorder.take()

    assert put.wcu["dynamodb.PutItem"] == 3
    assert publish.wcu["dynamodb.UpdateItem"] == 5
    assert publish.wcu_by_target() == {
        ("InvoicesTable", "base"): 2,
        ("InvoicesTable", "ListingByStatus"): 2,
        ("InvoicesTable", "PortalByResident"): 1,
    }


def test_a_refused_publish_is_charged_and_changes_no_index(stack, recorded):
    recorder, session = recorded
    client = session.client("dynamodb")
    table = stack.physical_name("InvoicesTable")
    client.put_item(TableName=table, Item=published())
    recorder.take()

    with pytest.raises(client.exceptions.ConditionalCheckFailedException):
        client.update_item(
            TableName=table,
            Key={"invoice_id": s("inv_1")},
            UpdateExpression="SET #s = :open",
            ConditionExpression="#s = :draft",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":open": s("Open"), ":draft": s("Draft")},
        )
    usage = recorder.take()

    assert usage.wcu["dynamodb.UpdateItem"] == 2
    assert [key[1:3] for key in usage.writes] == [("base", "refused")]


def test_a_transaction_costs_twice_its_writes(stack, recorded):
    recorder, session = recorded
    client = session.client("dynamodb")
    table = stack.physical_name("PublishJobsTable")

    client.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": table, "Item": {"pk": s("job"), "sk": s("MSG#1")}}},
            {"Put": {"TableName": table, "Item": {"pk": s("job"), "sk": s("JOB"), "pad": s("x" * 1500)}}},
        ]
    )

    assert recorder.take().wcu["dynamodb.TransactWriteItems"] == (1 + 2) * 2


def test_a_count_query_of_an_index_is_charged_for_what_it_read(stack, recorded):
    recorder, session = recorded
    client = session.client("dynamodb")
    table = stack.physical_name("InvoicesTable")
    for i in range(10):
        client.put_item(
            TableName=table,
            Item=draft(invoice_id=s(f"inv_{i}"), gsi_status_sk=s(f"Draft#inv_{i}"), resident_name=s("r" * 900)),
        )
    recorder.take()
    query = {
        "TableName": table,
        "IndexName": "ListingByStatus",
        "KeyConditionExpression": "gsi_status_pk = :pk",
        "ExpressionAttributeValues": {":pk": s("prop_a#3")},
    }

    entries = client.query(**query)["Items"]
    full = recorder.take()
    assert client.query(**query, Select="COUNT")["Count"] == 10
    counted = recorder.take()
    client.query(**query, ProjectionExpression="invoice_id")
    projected = recorder.take()

    # Ten entries of about 1 KB each (resident_name is projected, history is not), read
    # eventually consistently from the index: ceil(sum / 4 KB) x 0.5.
    assert 10 * 1000 < sum(item_size(entry) for entry in entries) < 12 * KB
    assert full.rcu["dynamodb.Query"] == 1.5
    assert counted.rcu["dynamodb.Query"] == 1.5
    assert projected.rcu["dynamodb.Query"] == 1.5


def test_sqs_bills_a_request_per_64_kb_of_payload(stack, recorded):
    recorder, session = recorded
    sqs = session.client("sqs")
    url = stack.attributes["PublishQueue"]["QueueUrl"]

    sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": "x" * 10_000} for i in range(10)])
    sqs.send_message(QueueUrl=url, MessageBody="small")
    usage = recorder.take()

    assert usage.requests == {"sqs.SendMessageBatch": 1, "sqs.SendMessage": 1}
    assert usage.billed == {"sqs.SendMessageBatch": 2, "sqs.SendMessage": 1}


def test_ses_is_counted_per_recipient(recorded):
    recorder, session = recorded
    session.client("ses").verify_email_identity(EmailAddress="billing@example.com")
    recorder.take()

    session.client("sesv2").send_email(
        FromEmailAddress="billing@example.com",
        Destination={"ToAddresses": ["a@example.com", "b@example.com"], "CcAddresses": ["c@example.com"]},
        Content={"Simple": {"Subject": {"Data": "Invoice"}, "Body": {"Text": {"Data": "Pay now"}}}},
    )

    assert recorder.take().emails == {"sesv2.SendEmail": 3}


def test_stream_reads_by_lambda_are_counted_but_free(stack):
    session = boto3.Session()
    recorder = CapacityRecorder(table_specs(stack), free_reads=True).attach(session)

    session.client("dynamodbstreams").list_streams()
    usage = recorder.take()

    assert usage.requests == {"dynamodb-streams.ListStreams": 1}
    assert usage.billed["dynamodb-streams.ListStreams"] == 0


def test_the_meter_counts_invocations_and_the_recorder_whose_requests_they_were(stack, recorded):
    recorder, session = recorded
    client = session.client("dynamodb")
    meter = LambdaMeter()
    table = stack.physical_name("InvoicesTable")

    def handler(event: dict[str, Any]) -> None:
        client.get_item(TableName=table, Key={"invoice_id": s(event["id"])}, ConsistentRead=True)

    invoke = meter.wrap("InvoiceReadsFunction", handler)
    invoke({"id": "inv_1"})
    invoke({"id": "inv_2"})
    client.get_item(TableName=table, Key={"invoice_id": s("inv_3")})
    invocations, cpu = meter.take()
    usage = recorder.take()

    assert invocations == {"InvoiceReadsFunction": 2}
    assert set(cpu) == {"InvoiceReadsFunction"}
    assert usage.by_function == {"InvoiceReadsFunction": {"dynamodb.GetItem": 2}, "-": {"dynamodb.GetItem": 1}}
    assert usage.rcu["dynamodb.GetItem"] == 1 + 1 + 0.5  # absent items: strongly, strongly, eventually


def test_usage_adds_up_across_stages():
    first, second = Usage(), Usage()
    first.wcu["dynamodb.PutItem"] = 1.5
    second.wcu["dynamodb.PutItem"] = 2
    second.requests["sqs.SendMessage"] = 1

    total = first + second

    assert total.wcu == {"dynamodb.PutItem": 3.5}
    assert total.requests == {"sqs.SendMessage": 1}
    assert json.dumps(total.total("wcu")) == "3.5"
