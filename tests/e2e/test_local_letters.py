"""Printed letters through the local runtime, over HTTP as a manager's browser gets them:
a Publish All of the demo property prints a letter for each resident without an email
address (the stream consumer), the job's merged PDF is built on the first ask (the
letters queue's consumer), and each pre-signed link opens the PDF from the embedded S3."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator

import pytest
import requests
from pypdf import PdfReader

from tests.e2e.conftest import RunningRuntime, start_runtime

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningRuntime]:
    started = start_runtime(tmp_path_factory.mktemp("letters"))
    try:
        yield started
    finally:
        started.stop()


def until_ready(rt: RunningRuntime, token: str, path: str, deadline_s: float = 60) -> requests.Response:
    """Ask as a browser would: again after Retry-After while the answer is 202."""
    deadline = time.monotonic() + deadline_s
    while True:
        response = rt.call("GET", path, token)
        if response.status_code != 202:
            return response
        assert int(response.headers["Retry-After"]) > 0
        assert time.monotonic() < deadline, f"{path} still preparing"
        time.sleep(0.5)


def test_a_publish_all_s_letters_open_from_their_links(runtime):
    pid = runtime.ready["property_id"]
    token = runtime.tokens.manager(pid)
    preview = runtime.call("GET", f"/properties/{pid}/publish-all/preview", token).json()
    started = runtime.call("POST", f"/properties/{pid}/publish-all", token, {"expected_count": preview["count"]})
    assert started.status_code == 202, started.text
    job_id = started.json()["job_id"]
    without_address = preview["emails"]["without_address"]
    assert without_address > 0

    deadline = time.monotonic() + 60
    while True:  # the job finishes, then its letters are listed as they are printed
        answer = until_ready(runtime, token, f"/properties/{pid}/publish-jobs/{job_id}/letters")
        assert answer.status_code == 200, answer.text
        if answer.json()["letters"] == without_address:
            break
        assert time.monotonic() < deadline, answer.text
        time.sleep(0.5)

    body = answer.json()
    merged = requests.get(body["url"], timeout=10)
    assert merged.status_code == 200
    assert merged.headers["Content-Disposition"] == f'inline; filename="letters-{job_id}.pdf"'
    pages = PdfReader(io.BytesIO(merged.content)).pages
    assert len(pages) == 1 + without_address
    assert f"Print and mail these {without_address} letters" in pages[0].extract_text()

    unreachable = runtime.call("GET", f"/properties/{pid}/invoices?email=skipped_no_address", token).json()["items"]
    assert len(unreachable) == without_address
    number = unreachable[0]["number"]
    letter = until_ready(runtime, token, f"/properties/{pid}/invoices/{unreachable[0]['invoice_id']}/letter")
    assert letter.status_code == 200, letter.text
    assert letter.json()["file_name"] == f"letter-{number}.pdf"
    opened = requests.get(letter.json()["url"], timeout=10)
    assert opened.status_code == 200
    assert opened.headers["Content-Type"] == "application/pdf"
    (page,) = PdfReader(io.BytesIO(opened.content)).pages
    assert number in page.extract_text()
