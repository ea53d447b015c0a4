"""Starts the local runtime as a subprocess on a free port, as a person would with
`make run`, and waits for it: the machine-readable ready line, then the health URL."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from hoa_local import ROOT
from hoa_local.localauth import LocalTokens
from hoa_local.runtime import READY_PREFIX, RuntimeState

START_DEADLINE_S = 30


@dataclass
class RunningRuntime:
    process: subprocess.Popen[str]
    state_dir: Path
    ready: dict[str, Any]
    output: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return str(self.ready["url"])

    @property
    def tokens(self) -> LocalTokens:
        return RuntimeState.load(self.state_dir).tokens()

    def call(self, method: str, path: str, token: str | None, body: Any = None) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return requests.request(method, self.url + path, json=body, headers=headers, timeout=10)

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "hoa_local", "--state-dir", str(self.state_dir), *args]
        return subprocess.run(  # noqa: S603 - our own module
            command, env=child_env(), capture_output=True, text=True, timeout=30, check=False, stdin=subprocess.DEVNULL
        )

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "POWERTOOLS_"))}
    env["PYTHONPATH"] = str(ROOT / "local")
    env["PYTHONUNBUFFERED"] = "1"
    return env


def start_runtime(state_dir: Path, *extra: str) -> RunningRuntime:
    command = [
        *(sys.executable, "-m", "hoa_local", "--state-dir", str(state_dir)),
        *("run", "--port", "0", "--console-port", "0", *extra),
    ]
    process = subprocess.Popen(  # noqa: S603 - our own module
        command, env=child_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT
    )
    lines: queue.Queue[str | None] = queue.Queue()
    output: list[str] = []

    def drain() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            output.append(line)
            lines.put(line)
        lines.put(None)

    threading.Thread(target=drain, daemon=True).start()
    deadline = time.monotonic() + START_DEADLINE_S
    ready = None
    while ready is None:
        try:
            line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            line = None
        if line is None:
            process.kill()
            raise AssertionError("the local runtime did not become ready:\n" + "".join(output))
        if line.startswith(READY_PREFIX):
            ready = json.loads(line.removeprefix(READY_PREFIX))
    runtime = RunningRuntime(process, state_dir, ready, output)
    while True:  # ready line printed; the health URL answers once the server accepts requests
        try:
            if requests.get(f"{runtime.url}/_local/health", timeout=1).ok:
                return runtime
        except requests.ConnectionError:
            pass
        if time.monotonic() > deadline:
            runtime.stop()
            raise AssertionError("the local runtime's health URL never answered:\n" + "".join(output))
        time.sleep(0.05)


@pytest.fixture(scope="module")
def local_runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningRuntime]:
    runtime = start_runtime(tmp_path_factory.mktemp("runtime"))
    try:
        yield runtime
    finally:
        runtime.stop()
