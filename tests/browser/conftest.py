"""A real browser (Debian's Chromium, driven by Playwright) against `make run`'s runtime,
started as a subprocess on free ports.

The tests are skipped, saying how to install it, when /usr/bin/chromium is absent.
Playwright's own browser download is not used.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, Playwright, sync_playwright

from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS, DESKTOP
from tests.e2e.conftest import RunningRuntime, start_runtime

if not CHROMIUM.exists():
    pytest.skip(
        "Chromium is not installed: the browser tests need /usr/bin/chromium "
        "(Debian/Ubuntu: sudo apt-get install -y chromium).",
        allow_module_level=True,
    )


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningRuntime]:
    running = start_runtime(tmp_path_factory.mktemp("console"))
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    """One Chromium with a fresh profile. Each page is its own tab, so its own session
    (the console keeps the sign-in in sessionStorage)."""
    context = playwright.chromium.launch_persistent_context(
        str(tmp_path_factory.mktemp("chromium-profile")),
        executable_path=str(CHROMIUM),
        args=CHROMIUM_ARGS,
        headless=True,
        viewport=DESKTOP,
        locale="en-US",
        timezone_id="America/New_York",
    )
    context.set_default_timeout(15_000)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def new_page(browser: BrowserContext) -> Iterator:
    """Open tabs that close after the test; a tab's page errors fail the test."""
    opened: list[Page] = []
    errors: list[str] = []

    def open_page(**viewport: int) -> Page:
        page = browser.new_page()
        if viewport:
            page.set_viewport_size({"width": viewport["width"], "height": viewport["height"]})
        page.on("pageerror", lambda error: errors.append(str(error)))
        opened.append(page)
        return page

    yield open_page
    for page in opened:
        page.close()
    assert not errors, f"the console raised in the browser: {errors}"


def sign_in(page: Page, console_url: str, who: str, path: str = "/sign-in") -> None:
    """Sign in on the local sign-in page as the principal named ``who``."""
    page.goto(console_url + path)
    page.get_by_role("button", name=re.compile(rf"^{re.escape(who)}\b")).click()


def wait_for_mail(folder: Path, needle: str, deadline_s: float = 20) -> Path:
    """The email goes out through the stream consumer, as on AWS: watch the mail folder."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        for eml in sorted(folder.glob("*.eml")):
            if needle in eml.read_text(errors="replace"):
                return eml.with_suffix(".html")
        time.sleep(0.1)
    raise AssertionError(f"no email mentioning {needle} in {folder}")
