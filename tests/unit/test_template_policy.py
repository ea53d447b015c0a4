"""The template is code too: rules every function, queue and policy must follow."""

from __future__ import annotations

import re
from typing import Any

import pytest

from hoa_local import ROOT
from hoa_local.template import Stack

STACK = Stack()
RESOURCES = STACK.template["Resources"]
FUNCTIONS = STACK.functions()
WRITE_PREFIXES = ("Put", "Update", "Delete", "BatchWrite", "Send", "Create", "Write", "Publish", "Start", "Invoke")


def _refs(value: Any) -> set[str]:
    """Every logical id a value refers to (Ref, GetAtt, ${X} / ${X.Attr} in Sub)."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "Ref" and isinstance(inner, str):
                found.add(inner)
            elif key == "Fn::GetAtt":
                found.add(inner[0] if isinstance(inner, list) else inner.split(".")[0])
            elif key == "Fn::Sub" and isinstance(inner, str):
                found |= {m.split(".")[0] for m in re.findall(r"\$\{([\w.]+)\}", inner)}
            found |= _refs(inner)
    elif isinstance(value, list):
        for inner in value:
            found |= _refs(inner)
    return found


def _of_type(kind: str) -> dict[str, dict[str, Any]]:
    return {name: body for name, body in RESOURCES.items() if body["Type"] == kind}


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_every_function_has_a_log_group_with_retention(function):
    groups = [
        body["Properties"]
        for body in _of_type("AWS::Logs::LogGroup").values()
        if function in _refs(body["Properties"].get("LogGroupName"))
    ]
    assert groups, f"{function} has no log group"
    assert all("RetentionInDays" in group for group in groups)


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_every_function_has_an_errors_alarm(function):
    alarms = [
        body["Properties"]
        for body in _of_type("AWS::CloudWatch::Alarm").values()
        if function in _refs(body["Properties"].get("Dimensions", [])) | _refs(body["Properties"].get("Metrics", []))
    ]
    assert any(alarm.get("MetricName") == "Errors" or "Errors" in str(alarm.get("Metrics")) for alarm in alarms), (
        f"{function} has no Errors alarm"
    )


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_no_write_permission_on_every_resource(function):
    for policy in FUNCTIONS[function].get("Policies", []):
        statements = policy.get("Statement", []) if isinstance(policy, dict) else []
        for statement in statements:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            writes = [a for a in actions if a.split(":", 1)[1].startswith(WRITE_PREFIXES)]
            resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            assert not (writes and "*" in resources), f"{function}: {writes} on *"
            assert all("*" not in a for a in actions), f"{function}: wildcard action {actions}"


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_timeout_and_memory_are_chosen(function):
    assert STACK.function_setting(function, "Timeout")
    assert STACK.function_setting(function, "MemorySize")


def _event_sources(kind: str) -> list[tuple[str, str, dict[str, Any]]]:
    return STACK.events_of(kind)


@pytest.mark.parametrize(("function", "event", "props"), _event_sources("SQS") + _event_sources("DynamoDB"))
def test_batch_consumers_report_partial_failures_and_have_no_function_dlq(function, event, props):
    assert "ReportBatchItemFailures" in props.get("FunctionResponseTypes", [])
    assert "DeadLetterQueue" not in FUNCTIONS[function], "a function DLQ applies only to async invokes"


@pytest.mark.parametrize(("function", "event", "props"), _event_sources("DynamoDB"))
def test_stream_consumers_bound_retries_and_keep_what_they_give_up_on(function, event, props):
    assert props.get("BisectBatchOnFunctionError") is True
    assert 0 <= int(props["MaximumRetryAttempts"]) <= 10_000
    assert int(props["MaximumRecordAgeInSeconds"]) > 0
    assert props["DestinationConfig"]["OnFailure"]["Destination"]


def _dead_letter_queues() -> set[str]:
    targets: set[str] = set()
    for body in _of_type("AWS::SQS::Queue").values():
        targets |= _refs(body.get("Properties", {}).get("RedrivePolicy", {}))
    for props in FUNCTIONS.values():
        for event in (props.get("Events") or {}).values():
            targets |= _refs(event.get("Properties", {}).get("DestinationConfig", {}))
            targets |= _refs(event.get("Properties", {}).get("DeadLetterConfig", {}))
        targets |= _refs(props.get("EventInvokeConfig", {}))
    return {t for t in targets if t in RESOURCES and RESOURCES[t]["Type"] == "AWS::SQS::Queue"}


@pytest.mark.parametrize("queue", sorted(_dead_letter_queues()))
def test_every_dead_letter_destination_has_an_alarm(queue):
    alarms = [b["Properties"] for b in _of_type("AWS::CloudWatch::Alarm").values() if queue in _refs(b["Properties"])]
    assert alarms, f"{queue} has no alarm"
    assert all(_refs(alarm.get("AlarmActions", [])) for alarm in alarms)


# -- alarms: on what actually happens, and every one to the alarm topic --------------------

ALARMS = {name: body["Properties"] for name, body in _of_type("AWS::CloudWatch::Alarm").items()}
NAMESPACE = STACK.template["Globals"]["Function"]["Environment"]["Variables"]["POWERTOOLS_METRICS_NAMESPACE"]
SOURCES = [*(ROOT / "layers/hoa_billing/hoa_billing").rglob("*.py"), *(ROOT / "functions").rglob("*.py")]


def _watched(alarm: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(namespace, metric name, dimensions) of every metric an alarm reads."""
    stats = [alarm] + [query["MetricStat"]["Metric"] for query in alarm.get("Metrics", []) if "MetricStat" in query]
    return [
        (stat["Namespace"], stat["MetricName"], {d["Name"]: d["Value"] for d in stat.get("Dimensions", [])})
        for stat in stats
        if "MetricName" in stat
    ]


def _emitted() -> tuple[set[str], set[str], str]:
    """Metric names the code emits literally, the prefixes of those it builds (f-strings),
    and all of its source (where a built name's suffix must appear as a string)."""
    text = "\n".join(path.read_text() for path in SOURCES)
    literal = set(re.findall(r'add_metric\(\s*name="(\w+)"', text))
    prefixes = set(re.findall(r'add_metric\(\s*name=f"(\w+)\{', text))
    return literal, prefixes, text


@pytest.mark.parametrize("alarm", sorted(ALARMS))
def test_every_alarm_goes_to_the_alarm_topic_and_says_what_it_means(alarm):
    props = ALARMS[alarm]
    assert _refs(props.get("AlarmActions", [])) == {"AlarmTopic"}
    assert len(props.get("AlarmDescription", "")) > 30


@pytest.mark.parametrize("alarm", sorted(a for a in ALARMS if any(ns == NAMESPACE for ns, _, _ in _watched(ALARMS[a]))))
def test_an_alarm_on_the_application_s_metrics_watches_what_the_code_emits(alarm):
    literal, prefixes, text = _emitted()
    service = STACK.template["Globals"]["Function"]["Environment"]["Variables"]["POWERTOOLS_SERVICE_NAME"]
    for namespace, name, dimensions in _watched(ALARMS[alarm]):
        assert namespace == NAMESPACE
        assert dimensions == {"service": service}, "Powertools adds exactly the service dimension"
        built = [p for p in prefixes if name.startswith(p) and f'"{name.removeprefix(p)}"' in text]
        assert name in literal or built, f"{alarm} watches {name}, which no code emits"


def _alarms_on(namespace: str, name: str) -> list[str]:
    return [a for a, props in ALARMS.items() if any(ns == namespace and n == name for ns, n, _ in _watched(props))]


def test_api_failures_answered_without_raising_still_raise_an_alarm():
    assert _alarms_on(NAMESPACE, "UnhandledError")
    (gateway,) = _alarms_on("AWS/ApiGateway", "5xx")
    assert _refs(ALARMS[gateway]["Dimensions"]) == {"HttpApi", "Stage"}


def test_emails_that_fail_or_bounce_raise_an_alarm():
    assert _alarms_on(NAMESPACE, "Email_failed")
    (rate,) = _alarms_on(NAMESPACE, "Email_bounce")
    assert _alarms_on(NAMESPACE, "Email_sent") == _alarms_on(NAMESPACE, "Email_complaint") == [rate]


def test_invoices_publish_all_could_not_publish_raise_an_alarm():
    assert _alarms_on(NAMESPACE, "InvoicesFailed")


def test_the_runbook_says_what_to_do_for_every_alarm():
    runbook = (ROOT / "docs" / "runbook.md").read_text()
    missing = [alarm for alarm in ALARMS if f"`{alarm}`" not in runbook]
    assert not missing, f"docs/runbook.md has no entry for {missing}"


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_sam_build_has_a_make_target_for_every_function_it_builds(function):
    body = RESOURCES[function]
    if body.get("Metadata", {}).get("BuildMethod") != "makefile":
        pytest.skip("not built by make")
    code_uri = body["Properties"].get("CodeUri") or STACK.template["Globals"]["Function"].get("CodeUri")
    makefile = (ROOT / code_uri / "Makefile").read_text()
    assert re.search(rf"^build-{function}:", makefile, re.M), f"{code_uri}/Makefile has no build-{function} target"
    package = body["Properties"]["Handler"].split(".")[0]
    assert (ROOT / code_uri / package / "app.py").is_file()
