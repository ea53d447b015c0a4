"""The local runtime's own rules: its tokens, schedule expressions, job progress, the
SES events it plays."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import pytest

from hoa_billing.email import notice_from_sns
from hoa_local.devtools import describe_publish_runs
from hoa_local.localauth import LocalTokens, gateway_claims
from hoa_local.operations import progress_line
from hoa_local.schedules import ScheduleSource, UnsupportedExpression, due
from hoa_local.ses_events import SesNotifications
from hoa_local.template import Stack

TOKENS = LocalTokens(secret="local-test-secret-local-test-secret")


def test_a_minted_manager_token_verifies_to_the_claims_api_gateway_passes_on():
    claims = TOKENS.verify(f"Bearer {TOKENS.manager('prop_a', 'prop_b')}")

    assert claims is not None
    assert claims["role"] == "manager"
    assert claims["property_ids"] == "[prop_a prop_b]"  # HTTP API flattens list claims
    assert claims["sub"] == "demo-manager"
    assert isinstance(claims["exp"], str)


def test_gateway_claims_are_all_strings():
    assert gateway_claims({"n": 3, "ok": True, "ids": ["a", "b"]}) == {"n": "3", "ok": "true", "ids": "[a b]"}


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer not-a-jwt",
        "Bearer " + LocalTokens(secret="another-secret-another-secret-xx").manager("prop_a"),
        "Bearer " + TOKENS.mint({"sub": "x", "role": "manager"}, ttl_seconds=-10),
        "Bearer " + jwt.encode({"sub": "x", "iss": "hoa-local", "aud": "elsewhere", "exp": 4102444800}, TOKENS.secret),
        "Bearer " + jwt.encode({"iss": "hoa-local", "aud": "hoa-local", "exp": 4102444800}, TOKENS.secret),
    ],
    ids=["missing", "empty", "garbage", "other-secret", "expired", "wrong-audience", "no-subject"],
)
def test_tokens_the_local_authorizer_refuses(header):
    assert TOKENS.verify(header) is None


def _cron(expression: str, time_zone: str = "UTC") -> ScheduleSource:
    return ScheduleSource(function="F", event_name="E", kind="ScheduleV2", expression=expression, time_zone=time_zone)


def test_a_cron_schedule_fires_once_in_its_minute_in_its_time_zone():
    source = _cron("cron(0 6 1 * ? *)", "America/New_York")
    first_at_six_new_york = datetime(2026, 3, 1, 11, 0, 20, tzinfo=UTC)

    assert due(source, None, first_at_six_new_york)
    assert not due(source, first_at_six_new_york, first_at_six_new_york + timedelta(seconds=30))
    assert not due(source, None, first_at_six_new_york + timedelta(hours=1))
    assert not due(source, None, datetime(2026, 3, 2, 11, 0, tzinfo=UTC))


def test_cron_weekdays_count_from_sunday_as_in_aws():
    weekdays_at_nine = _cron("cron(0 9 ? * MON-FRI *)")
    assert due(weekdays_at_nine, None, datetime(2026, 11, 23, 9, 0, tzinfo=UTC))  # a Monday
    assert not due(weekdays_at_nine, None, datetime(2026, 11, 22, 9, 0, tzinfo=UTC))  # a Sunday


def test_a_rate_schedule_fires_after_each_period():
    every_five = _cron("rate(5 minutes)")
    start = datetime(2026, 1, 1, tzinfo=UTC)
    assert not due(every_five, start, start + timedelta(minutes=4))
    assert due(every_five, start, start + timedelta(minutes=5))


@pytest.mark.parametrize(
    ("expression", "fires", "does_not_fire"),
    [
        ("cron(0 6 L * ? *)", datetime(2026, 2, 28, 6), datetime(2026, 2, 27, 6)),  # the month's last day
        ("cron(0 6 L-2 * ? *)", datetime(2026, 2, 26, 6), datetime(2026, 2, 28, 6)),  # two days before it
        ("cron(0 9 15W * ? *)", datetime(2026, 8, 14, 9), datetime(2026, 8, 15, 9)),  # Sat 15th: Friday
        ("cron(0 9 1W * ? *)", datetime(2026, 8, 3, 9), datetime(2026, 8, 1, 9)),  # Sat 1st: Monday the 3rd
        ("cron(0 9 ? * MON#3 *)", datetime(2026, 8, 17, 9), datetime(2026, 8, 10, 9)),  # third Monday
        ("cron(0 9 ? * 6L *)", datetime(2026, 8, 28, 9), datetime(2026, 8, 21, 9)),  # last Friday
        ("cron(0 12 1 * ? 2027)", datetime(2027, 1, 1, 12), datetime(2026, 12, 1, 12)),  # the year field
        ("cron(0/15 * * * ? *)", datetime(2026, 1, 1, 0, 45), datetime(2026, 1, 1, 0, 50)),
    ],
    ids=["L", "L-2", "W", "W-start", "hash", "weekday-L", "year", "step"],
)
def test_cron_wildcards_fire_on_the_days_eventbridge_names(expression, fires, does_not_fire):
    source = _cron(expression)

    assert due(source, None, fires.replace(tzinfo=UTC))
    assert not due(source, None, does_not_fire.replace(tzinfo=UTC))


@pytest.mark.parametrize(
    "expression",
    ["cron(0 6 * * * *)", "cron(0 6 1 * MON *)", "cron(61 6 * * ? *)", "cron(0 6 * * ?)", "at(2026-01-01T00:00:00)"],
    ids=["no-question-mark", "both-days", "minute-61", "five-fields", "one-time"],
)
def test_expressions_the_local_scheduler_cannot_run_are_reported(expression):
    with pytest.raises(UnsupportedExpression):
        due(_cron(expression), None, datetime(2026, 1, 1, tzinfo=UTC))


def test_job_progress_counts_published_skipped_and_failed_against_the_total():
    job = {"state": "running", "total": 12, "published": 6, "skipped": 1, "failed": 0}

    assert progress_line(job, width=12) == "[#######.....] 7/12  published 6  skipped 1  failed 0  (running)"
    assert progress_line(job | {"published": 11, "state": "completed"}, width=12).endswith(
        "12/12  published 11  skipped 1  failed 0  (completed)"
    )


def test_a_scheduled_publish_that_found_no_property_is_a_failure_and_no_drafts_is_not():
    lines, ok = describe_publish_runs(
        {
            "runs": [
                {"property_id": "prop_demo", "outcome": "started", "job_id": "job_prop_demo_20260301", "count": 12},
                {"property_id": "prop_quiet", "outcome": "no_drafts", "job_id": None, "count": 0},
            ]
        }
    )
    assert ok
    assert lines == [
        "prop_demo: started job job_prop_demo_20260301, publishing 12 draft(s)",
        "prop_quiet: no drafts to publish; nothing started",
    ]

    lines, ok = describe_publish_runs({"runs": [{"property_id": "none", "outcome": "property_not_found"}]})
    assert not ok
    assert lines == ["none: no such property; nothing published (name one with --property)"]
    assert describe_publish_runs({"runs": [{"property_id": "p", "outcome": "something_new"}]})[1] is False


@pytest.mark.parametrize("kind", ["bounce", "complaint"])
def test_a_played_ses_event_reaches_the_email_events_function_as_ses_would_send_it(kind):
    """The local bounce goes where the template sends SES's events (the configuration
    set's topic, then its subscriber) and reads, to the layer, like SES's own."""
    delivered: list[tuple[str, dict]] = []
    notifications = SesNotifications(Stack(), lambda function, event: delivered.append((function, event)))

    functions = notifications.deliver(kind, invoice_id="inv_1", message_id="m-1", recipient="pat@example.com")

    assert functions == ["EmailEventsFunction"]
    ((function, event),) = delivered
    assert function == "EmailEventsFunction"
    (record,) = event["Records"]
    assert record["EventSource"] == "aws:sns"
    notice = notice_from_sns(record["Sns"]["Message"])
    assert notice is not None
    assert (notice.invoice_id, notice.message_id, notice.kind) == ("inv_1", "m-1", kind)
