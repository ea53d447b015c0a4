"""Every `hoa ...` command the README shows runs as written against the local runtime
(started as `make run` starts it, on a free port) and succeeds: a command that errors,
or names a schedule, queue or option that does not exist, fails this test.

Commands are read from the README's code blocks, in order, with their optional
``[...]`` parts included. Upper-case placeholders (``JOB_ID``) stand for values found
while the commands run (``PLACEHOLDERS``). A command this test cannot run is listed in
``NOT_RUN`` with the reason; every other one must run."""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
import requests

from hoa_local import ROOT
from tests.e2e.conftest import RunningRuntime, start_runtime

pytestmark = pytest.mark.e2e
README = ROOT / "README.md"

# Commands the README shows that this test does not run, as written there, with why.
NOT_RUN: dict[str, str] = {
    "hoa redrive QUEUE_URL --deployed": "needs AWS credentials and a deployed stack (tested with botocore's Stubber)",
    "hoa redrive PublishDeadLetterQueue --deployed --stack STACK": "needs AWS credentials and a deployed stack",
}


@dataclass
class Session:
    """The runtime the commands run against and what they printed so far."""

    runtime: RunningRuntime
    outputs: list[str] = field(default_factory=list)

    def manager_call(self, method: str, path: str, body: object = None) -> requests.Response:
        state = self.runtime.ready
        return self.runtime.call(method, path, self.runtime.tokens.manager(state["property_id"]), body)


def _job_id(session: Session) -> str:
    """The job a `hoa publish-all` above started, else one started here."""
    for output in session.outputs:
        if found := re.search(r"^Job (\S+): publishing", output, re.MULTILINE):
            return found.group(1)
    pid = session.runtime.ready["property_id"]
    count = session.manager_call("GET", f"/properties/{pid}/publish-all/preview").json()["count"]
    started = session.manager_call("POST", f"/properties/{pid}/publish-all", {"expected_count": count})
    assert started.status_code == 202, started.text
    return str(started.json()["job_id"])


def _open_invoice_id(session: Session) -> str:
    """An invoice a resident can pay: an Open one of the demo property, else one published here."""
    pid = session.runtime.ready["property_id"]
    for status in ("Open", "Draft"):
        items = session.manager_call("GET", f"/properties/{pid}/invoices?status={status}&limit=1").json()["items"]
        if items and status == "Open":
            return str(items[0]["invoice_id"])
        if items:
            invoice_id = str(items[0]["invoice_id"])
            published = session.manager_call(
                "POST", f"/properties/{pid}/invoices/{invoice_id}/publish", {"send_email": False}
            )
            assert published.status_code == 200, published.text
            return invoice_id
    raise AssertionError(f"{pid} has neither an Open nor a Draft invoice to pay")


# What each upper-case placeholder of the README's commands stands for here.
PLACEHOLDERS: dict[str, Callable[[Session], str]] = {
    "ID": lambda session: str(session.runtime.ready["resident_id"]),
    "JOB_ID": _job_id,
    "INVOICE_ID": _open_invoice_id,
    "QUEUE": lambda session: "PublishQueue",  # the queue PublishDeadLetterQueue takes messages from
    "ADDRESS": lambda session: "nobody@refused.example",  # no demo resident's: the demo's emails still go out
}
_PLACEHOLDER = re.compile(r"^[A-Z][A-Z0-9_]*$")


def readme_commands(text: str) -> list[str]:
    """The `hoa ...` lines of the README's code blocks, without their comments."""
    commands, in_block = [], False
    for line in text.splitlines():
        if line.startswith("```"):
            in_block = not in_block
        elif in_block and line.startswith("hoa "):
            commands.append(line.split(" #", 1)[0].strip())
    return commands


def full_form(command: str) -> list[str]:
    """The command's words with its optional ``[...]`` parts included."""
    return shlex.split(command.replace("[", " ").replace("]", " "))


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    runtime = start_runtime(tmp_path_factory.mktemp("readme"))
    try:
        yield Session(runtime)
    finally:
        runtime.stop()


def test_the_readme_defines_hoa_as_this_entry_point():
    assert "alias hoa='PYTHONPATH=local .venv/bin/python -m hoa_local'" in README.read_text(encoding="utf-8")


def test_readme_commands_are_found():
    commands = readme_commands(README.read_text(encoding="utf-8"))

    assert len(commands) >= 8
    assert set(NOT_RUN) <= set(commands), "NOT_RUN names a command the README no longer shows"


def test_every_hoa_command_in_the_readme_runs_as_written(session):
    failures = []
    for command in readme_commands(README.read_text(encoding="utf-8")):
        if command in NOT_RUN:
            continue
        words = full_form(command)[1:]
        unknown = [word for word in words if _PLACEHOLDER.match(word) and word not in PLACEHOLDERS]
        if unknown:
            failures.append(f"{command}\n    uses {unknown}: add it to PLACEHOLDERS, or the command to NOT_RUN")
            continue
        args = [PLACEHOLDERS[word](session) if _PLACEHOLDER.match(word) else word for word in words]
        result = session.runtime.cli(*args)
        session.outputs.append(result.stdout)
        if result.returncode != 0:
            failures.append(
                f"{command}\n    ran as: hoa {shlex.join(args)}\n    exit {result.returncode}\n"
                f"    stdout: {result.stdout.strip()[-800:]}\n    stderr: {result.stderr.strip()[-800:]}"
            )
    assert not failures, "README commands that fail as written:\n" + "\n".join(failures)
