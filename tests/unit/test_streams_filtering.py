"""Lambda event filtering as hoa_local.streams evaluates it, against the template's own
FilterCriteria for the email outbox (what reaches the email queue)."""

from __future__ import annotations

import pytest

from hoa_local.streams import EventSourceMapping, matches, passes
from hoa_local.template import Stack


def record(old: dict | None, new: dict, event: str = "MODIFY") -> dict:
    def image(values: dict) -> dict:
        return {k: {"BOOL": v} if isinstance(v, bool) else {"S": v} for k, v in values.items()}

    body = {"NewImage": image(new), "SequenceNumber": "1"}
    if old is not None:
        body["OldImage"] = image(old)
    return {"eventName": event, "dynamodb": body}


CRITERIA = EventSourceMapping.from_template(Stack(), "EmailOutboxFunction", "EmailRequested").filter_criteria


@pytest.mark.parametrize(
    ("old", "new", "event", "expected"),
    [
        # Publish with the box checked, unchecked, and the draft's creation.
        ({"status": "Draft"}, {"status": "Open", "email_requested": True}, "MODIFY", True),
        ({"status": "Draft"}, {"status": "Open", "email_requested": False}, "MODIFY", False),
        (None, {"status": "Draft", "email_requested": False}, "INSERT", False),
        # A resend queues the email of an Open or Overdue invoice again.
        (
            {"status": "Open", "email_status": "sent"},
            {"status": "Open", "email_status": "queued"},
            "MODIFY",
            True,
        ),
        (
            {"status": "Overdue", "email_status": "failed"},
            {"status": "Overdue", "email_status": "queued"},
            "MODIFY",
            True,
        ),
        # The sender's own writes: claim, release after throttling, recording the send.
        ({"status": "Open", "email_status": "queued"}, {"status": "Open", "email_status": "sending"}, "MODIFY", False),
        ({"status": "Open", "email_status": "sending"}, {"status": "Open", "email_status": "queued"}, "MODIFY", False),
        ({"status": "Open", "email_status": "sending"}, {"status": "Open", "email_status": "sent"}, "MODIFY", False),
        # Other changes to a published invoice.
        ({"status": "Open", "email_status": "sent"}, {"status": "Void", "email_status": "sent"}, "MODIFY", False),
    ],
)
def test_the_sender_sees_only_email_requests(old, new, event, expected):
    assert passes(CRITERIA, record(old, new, event)) is expected


def test_pattern_rules():
    item = {"a": {"S": "x"}, "n": {"BOOL": True}}
    assert matches({"a": {"S": ["x", "y"]}}, item)
    assert not matches({"a": {"S": ["y"]}}, item)
    assert matches({"a": {"S": [{"anything-but": ["y"]}]}}, item)
    assert not matches({"a": {"S": [{"anything-but": "x"}]}}, item)
    assert matches({"b": [{"exists": False}]}, item)
    assert not matches({"b": {"S": ["x"]}}, item)
    assert matches({"a": {"S": [{"prefix": "x"}]}}, item)
    assert matches({"n": {"BOOL": [True]}}, item)
    assert not matches({"n": {"BOOL": [1]}}, item), "a JSON true is not the number 1"


def test_no_filters_let_everything_in():
    assert passes(None, {"eventName": "REMOVE"})


def _statuses_in(pattern: dict, image: str) -> set[str]:
    return set(pattern["dynamodb"][image]["status"]["S"])


def test_the_stream_filter_names_the_lifecycle_s_own_statuses():
    """The email outbox's FilterCriteria restate the statuses publishing moves between and
    the statuses an email can be resent for; they must be the lifecycle's, not a copy
    that drifts (adding a status means changing lifecycle.py, and this test says where)."""
    import json

    from hoa_billing.core import lifecycle

    published, resent = (json.loads(f["Pattern"]) for f in CRITERIA["Filters"])
    assert _statuses_in(published, "OldImage") == {s.value for s in lifecycle.PUBLISHABLE}
    assert _statuses_in(published, "NewImage") == {lifecycle.PUBLISHED_TO.value}
    assert _statuses_in(resent, "OldImage") == {s.value for s in lifecycle.EMAILABLE}
