"""Pieces that need no AWS calls: money, lifecycle rules, the update builder, cursors,
shards, the clock, and the principals the API reads from claims."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from hoa_billing.api import auth, errors
from hoa_billing.core.clock import FixedClock, new_id, today_in
from hoa_billing.core.errors import InvalidCursor
from hoa_billing.core.lifecycle import Action, manager_actions, resident_actions
from hoa_billing.core.models import Actor, ActorKind, Invoice, InvoiceStatus, LineItem
from hoa_billing.core.money import format_money
from hoa_billing.data.invoices import STATUS_SHARDS, shard_of
from hoa_billing.data.items import decode_cursor, encode_cursor
from hoa_billing.data.writes import Update


@pytest.mark.parametrize(
    ("amount", "currency", "text"),
    [(123456, "USD", "$1,234.56"), (5, "USD", "$0.05"), (-2500, "EUR", "-€25.00"), (1500, "JPY", "¥1,500")],
)
def test_money_is_formatted_from_integer_minor_units(amount, currency, text):
    assert format_money(amount, currency) == text


def _invoice(status: InvoiceStatus, paid: int = 0, processing: int = 0) -> Invoice:
    return Invoice(
        invoice_id="inv_1",
        property_id="p",
        property_name="P",
        time_zone="UTC",
        resident_id="r",
        resident_name="R",
        number="INV-00001",
        status=status,
        currency="USD",
        line_items=[LineItem(description="x", amount=1000)],
        amount_due=1000,
        amount_paid=paid,
        amount_processing=processing,
        due_date=date(2030, 1, 1),
        created_at=datetime(2030, 1, 1, tzinfo=UTC),
        created_by=Actor(kind=ActorKind.API, id="m"),
    )


@pytest.mark.parametrize(
    ("status", "paid", "processing", "actions"),
    [
        # No resident looked up: no address to resend to.
        (InvoiceStatus.DRAFT, 0, 0, [Action.PUBLISH, Action.EDIT, Action.DELETE]),
        (InvoiceStatus.OPEN, 0, 0, [Action.VOID]),
        (InvoiceStatus.OPEN, 0, 500, []),
        (InvoiceStatus.OVERDUE, 200, 0, []),
        (InvoiceStatus.PAID, 1000, 0, []),
        (InvoiceStatus.VOID, 0, 0, []),
    ],
)
def test_only_drafts_can_be_published_and_only_unpaid_open_invoices_voided(status, paid, processing, actions):
    assert manager_actions(_invoice(status, paid, processing)) == actions


def test_a_resident_can_pay_only_what_is_open_and_not_already_processing():
    assert resident_actions(_invoice(InvoiceStatus.OPEN)) == [Action.PAY]
    assert resident_actions(_invoice(InvoiceStatus.OPEN, processing=1000)) == []
    assert resident_actions(_invoice(InvoiceStatus.DRAFT)) == []


def test_update_builder_states_the_condition_in_the_same_request():
    request = (
        Update()
        .set("status", "Open")
        .add("version", 1)
        .append("history", [{"a": 1}])
        .remove("gsi_due_pk")
        .require("{status} = :draft AND {property_id} = :p", draft="Draft", p="prop_a")
        .request("t", {"invoice_id": "inv_1"})
    )
    assert request["ConditionExpression"] == "(#status = :v4 AND #property_id = :v5)"
    assert request["ExpressionAttributeValues"][":v4"] == {"S": "Draft"}
    assert request["UpdateExpression"].startswith("SET #status = :v0, #history = list_append(")
    assert "ADD #version :v1" in request["UpdateExpression"]
    assert request["ReturnValuesOnConditionCheckFailure"] == "ALL_OLD"


def test_cursors_round_trip_and_refuse_other_scopes_and_garbage():
    cursor = encode_cursor({"scope": "a", "x": 1})
    assert decode_cursor(cursor, scope="a")["x"] == 1
    for bad, scope in ((cursor, "b"), ("%%%", "a"), ("bnVsbA", "a")):
        with pytest.raises(InvalidCursor):
            decode_cursor(bad, scope=scope)


def test_invoices_spread_over_every_status_shard():
    shards = {shard_of(new_id("inv")) for _ in range(400)}
    assert shards == set(range(STATUS_SHARDS))


def test_ids_sort_by_creation_time():
    first, second = new_id("inv"), None
    while second is None or second[4:14] == first[4:14]:  # the 48-bit millisecond part
        second = new_id("inv")
    assert first < second


def test_today_is_the_property_s_today():
    clock = FixedClock(datetime(2027, 3, 1, 2, 0, tzinfo=UTC))
    assert today_in(clock, "America/New_York") == date(2027, 2, 28)
    assert today_in(clock, "Pacific/Kiritimati") == date(2027, 3, 1)


def test_manager_principal_needs_the_property_in_the_token():
    event = {
        "requestContext": {"authorizer": {"jwt": {"claims": {"sub": "m", "role": "manager", "property_ids": "[a b]"}}}}
    }
    assert auth.manager(event, "b").property_ids == frozenset({"a", "b"})
    with pytest.raises(errors.Forbidden):
        auth.manager(event, "c")
    with pytest.raises(errors.Unauthorized):
        auth.manager({}, "a")
