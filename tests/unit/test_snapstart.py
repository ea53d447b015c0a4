"""SnapStart for the API functions: a template option, and the hooks that make a
restored execution environment its own (fresh randomness, a fresh id sequence, no
sockets of the snapshotted process)."""

from __future__ import annotations

import random
from typing import Any

import pytest
import snapshot_restore_py

from hoa_billing.api import snapstart
from hoa_billing.core import clock
from hoa_billing.data import aws
from hoa_local.template import Stack

STACK = Stack()


def _api_functions() -> set[str]:
    return {route.function for route in STACK.routes()}


@pytest.mark.parametrize("function", sorted(STACK.functions()))
def test_snapstart_is_a_template_option_of_the_api_functions_only(function):
    props = STACK.functions()[function]
    if function in _api_functions():
        assert props["SnapStart"] == {"ApplyOn": {"Ref": "ApiSnapStart"}}
        assert props["AutoPublishAlias"] == "live"  # the API calls the version SnapStart restores
    else:
        assert "SnapStart" not in props
    assert STACK.template["Parameters"]["ApiSnapStart"]["AllowedValues"] == ["None", "PublishedVersions"]


def test_an_api_function_registers_its_hooks_when_it_is_made():
    from hoa_billing.api.auth import Caller
    from hoa_billing.api.http import ApiFunction

    built: list[str] = []
    before = len(snapshot_restore_py._before_snapshot_registry)

    ApiFunction(lambda: built.append("deps"), Caller.MANAGER)

    assert len(snapshot_restore_py._before_snapshot_registry) == before + 1
    assert snapstart.after_restore in [hook for hook, *_ in snapshot_restore_py._after_restore_registry]


class Client:
    def __init__(self) -> None:
        self.closed = 0

    def close(self) -> None:
        self.closed += 1


def test_after_a_restore_randomness_ids_and_connections_are_the_environment_s_own(monkeypatch: Any):
    random.seed(42)
    snapshotted = random.getstate()
    clock.new_id("inv")  # the sequence has a last value, frozen in the snapshot
    client = Client()
    monkeypatch.setattr(aws, "_made", [client])

    snapstart.after_restore()

    assert random.getstate() != snapshotted
    assert not clock._last
    assert client.closed == 1
