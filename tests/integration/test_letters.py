"""Printed letters for residents the email cannot reach: printed from the invoices table's
stream, one per invoice and never twice, merged per Publish All job, handed out through
pre-signed links by the letters API."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlparse

import boto3
import pytest
from pypdf import PdfReader

from hoa_billing.data.directory import DynamoDirectory
from hoa_billing.data.outbox import DynamoEmailOutbox
from hoa_billing.email import BounceRecorder
from hoa_billing.letters import PLACEHOLDER
from hoa_local.lambdas import function_invoker
from tests.support.api import manager_claims
from tests.support.bulk import BulkRun, make_publisher, use_bulk_environment
from tests.support.letters import LetterFlow, head, keys, letter_keys, pdf, printer, use_letters_environment
from tests.support.outbox import SENDER, Outbox
from tests.support.stories import create_draft, create_resident, detail, publish


@pytest.fixture
def clock():
    from hoa_billing.core.clock import FixedClock

    return FixedClock(datetime(2099, 3, 1, 15, 0, tzinfo=UTC))


@pytest.fixture
def letters(stack, properties, monkeypatch) -> LetterFlow:
    use_letters_environment(stack, monkeypatch)
    return LetterFlow(stack)


@pytest.fixture
def outbox(stack, properties, clock) -> Outbox:
    boto3.client("ses").verify_email_identity(EmailAddress=SENDER)
    return Outbox(stack, clock)


def text_of(document: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(document)).pages]


def letter_of(api, invoice):
    return api.get(f"/properties/{invoice['property_id']}/invoices/{invoice['invoice_id']}/letter")


def job_letters(api, job_id, property_id="prop_a"):
    return api.get(f"/properties/{property_id}/publish-jobs/{job_id}/letters")


def queued_requests(stack) -> int:
    attributes = boto3.client("sqs").get_queue_attributes(
        QueueUrl=stack.attributes["LettersQueue"]["QueueUrl"],
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


def bounce(stack, clock, api, invoice) -> None:
    """SES reports the invoice's email bounced (the path SNS takes in AWS)."""
    message_id = detail(api, invoice)["invoice"]["email"]["details"]["message_id"]
    recorder = BounceRecorder(
        DynamoEmailOutbox(stack.physical_name("InvoicesTable")),
        DynamoDirectory(stack.physical_name("PropertiesTable")),
        clock,
    )
    body = {
        "eventType": "Bounce",
        "mail": {"messageId": message_id, "tags": {"invoice_id": [invoice["invoice_id"]]}},
        "bounce": {"bounceType": "Permanent", "bouncedRecipients": [{"emailAddress": "x@example.com"}]},
    }
    function_invoker(stack, "EmailEventsFunction", deps=recorder)(
        {"Records": [{"EventSource": "aws:sns", "Sns": {"Message": json.dumps(body)}}]}
    )


# -- a Publish All over good, missing and bouncing addresses -------------------------------


@pytest.fixture
def published_job(api, stack, properties, monkeypatch, outbox, letters, clock):
    """Six residents: two reachable, two without an address, one marked bouncing before
    the publish, and one whose email bounces after it was sent. One Publish All."""
    use_bulk_environment(stack, monkeypatch)
    directory = DynamoDirectory(stack.physical_name("PropertiesTable"))
    people = {
        "good_1": create_resident(api, email="good1@example.com", name="Gale Good", unit="1A"),
        "good_2": create_resident(api, email="good2@example.com", name="Gus Good", unit="1B"),
        "none_1": create_resident(api, email=None, name="Nora None", unit="2A"),
        "none_2": create_resident(api, email=None, name="Ned None", unit="2B"),
        "bouncing": create_resident(api, email="gone@example.com", name="Bea Bouncing", unit="3A"),
        "bounces_later": create_resident(api, email="later@example.com", name="Lee Later", unit="3B"),
    }
    directory.mark_address_bouncing("prop_a", people["bouncing"]["resident_id"], "gone@example.com")
    drafts = {who: create_draft(api, resident["resident_id"], 12500) for who, resident in people.items()}
    run = BulkRun(api, stack, make_publisher(stack))
    started = run.start(len(drafts))
    assert started.status == 202, started.body
    run.enqueue()
    run.publish()
    outbox.run()  # the emails of the reachable residents go out
    bounce(stack, clock, api, drafts["bounces_later"])
    return started.body["job_id"], drafts


def test_a_publish_all_prints_one_letter_per_resident_without_a_usable_address(api, stack, letters, published_job):
    job_id, drafts = published_job
    letters.print_stream()

    unreachable = {"none_1", "none_2", "bouncing", "bounces_later"}
    expected = {f"letters/prop_a/invoices/{drafts[who]['invoice_id']}.pdf" for who in unreachable}
    assert set(letter_keys(stack)) == expected
    # Every one is a one-page letter to its resident, with the amount and the pay page.
    for who in unreachable:
        draft = drafts[who]
        (page,) = text_of(pdf(stack, f"letters/prop_a/invoices/{draft['invoice_id']}.pdf"))
        assert draft["number"] in page
        assert "$125.00" in page
        assert f"portal.maplecourt.example/invoices/{draft['invoice_id']}" in page
    # The job lists exactly those letters, with no table index.
    marked = {key.rsplit("/", 1)[1] for key in keys(stack, f"letters/prop_a/jobs/{job_id}/")}
    assert marked == {drafts[who]["invoice_id"] for who in unreachable}
    assert letters.dead_letter_count() == 0


def test_redelivered_stream_records_print_no_letter_twice(api, stack, letters, published_job):
    records = letters.records()
    letters.print_stream(records)
    first = {key: head(stack, key)["ETag"] for key in letter_keys(stack)}

    letters.print_stream(records)  # the whole stream again, as after a lost checkpoint
    letters.print_stream(list(reversed(records)))

    assert {key: head(stack, key)["ETag"] for key in letter_keys(stack)} == first
    assert len(first) == 4


def test_the_job_s_letters_merge_into_one_pdf_behind_a_cover(api, stack, letters, published_job):
    job_id, drafts = published_job
    letters.print_stream()

    preparing = job_letters(api, job_id)
    assert preparing.status == 202
    assert preparing.body == {"status": "preparing", "letters": 4}
    assert int(preparing.headers["Retry-After"]) > 0
    assert job_letters(api, job_id).status == 202
    assert queued_requests(stack) == 1  # asked twice, queued once

    letters.print_requests()
    ready = job_letters(api, job_id)
    assert ready.status == 200, ready.body
    assert ready.body["letters"] == 4
    assert ready.body["file_name"] == f"letters-{job_id}.pdf"
    pages = text_of(pdf(stack, f"letters/prop_a/jobs/{job_id}.pdf"))
    assert len(pages) == 1 + 4
    assert "Print and mail these 4 letters" in pages[0]
    for who in ("none_1", "none_2", "bouncing", "bounces_later"):
        assert sum(drafts[who]["number"] in page for page in pages[1:]) == 1
    assert not any(drafts[who]["number"] in page for page in pages for who in ("good_1", "good_2"))


def test_a_merged_pdf_is_printed_again_when_the_job_has_a_letter_more(api, stack, letters, published_job):
    job_id, _ = published_job
    records = letters.records()
    letters.print_stream(records[: len(records) // 2])
    job_letters(api, job_id)
    letters.print_requests()
    partial = job_letters(api, job_id).body["letters"]

    letters.print_stream(records)
    again = job_letters(api, job_id)
    assert again.status == 202
    assert again.body["letters"] == 4 > partial
    letters.print_requests()
    assert job_letters(api, job_id).body["letters"] == 4
    assert len(text_of(pdf(stack, f"letters/prop_a/jobs/{job_id}.pdf"))) == 5


def test_a_job_whose_residents_were_all_emailed_has_no_letters(api, stack, properties, monkeypatch, letters):
    use_bulk_environment(stack, monkeypatch)
    create_draft(api, create_resident(api, email="a@example.com")["resident_id"])
    run = BulkRun(api, stack, make_publisher(stack))
    job_id = run.start(1).body["job_id"]
    run.enqueue()
    run.publish()
    letters.print_stream()

    response = job_letters(api, job_id)
    assert response.status == 200
    assert response.body == {"letters": 0, "url": None, "expires_at": None, "file_name": None}
    assert queued_requests(stack) == 0


def test_an_unknown_job_or_another_property_s_job_is_not_found(api, stack, letters, published_job):
    job_id, _ = published_job
    assert job_letters(api, "job_nope").status == 404
    assert job_letters(api, "job_nope").error_code == "publish_job_not_found"
    api.claims = manager_claims("prop_a", "prop_b")
    assert job_letters(api, job_id, property_id="prop_b").status == 404
    assert queued_requests(stack) == 0


# -- one invoice's letter ----------------------------------------------------------------


def test_an_invoice_s_letter_is_printed_on_the_first_ask_and_linked_when_ready(api, stack, letters):
    draft = create_draft(api, create_resident(api, email="pat@example.com")["resident_id"], 32500)
    publish(api, draft, {"send_email": False})

    first = letter_of(api, draft)
    assert first.status == 202
    assert first.body == {"status": "preparing", "letters": None}
    assert first.headers["Retry-After"] == "2"
    assert letter_of(api, draft).status == 202
    assert queued_requests(stack) == 1

    assert letters.print_requests() == 1
    ready = letter_of(api, draft)
    assert ready.status == 200, ready.body
    assert ready.body["file_name"] == f"letter-{draft['number']}.pdf"
    url = urlparse(ready.body["url"])
    query = parse_qs(url.query)
    assert query["X-Amz-Expires"] == ["900"]
    assert query["response-content-disposition"] == [f'inline; filename="letter-{draft["number"]}.pdf"']
    assert "X-Amz-Signature" in query
    signed_at = datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    expires_at = datetime.fromisoformat(ready.body["expires_at"])
    assert abs((expires_at - signed_at).total_seconds() - 900) < 5
    # The link opens the PDF.
    import requests

    fetched = requests.get(ready.body["url"], timeout=10)
    assert fetched.status_code == 200
    assert fetched.content[:5] == b"%PDF-"
    assert fetched.headers["Content-Disposition"] == f'inline; filename="letter-{draft["number"]}.pdf"'
    (page,) = text_of(fetched.content)
    assert "$325.00" in page


def test_a_letter_is_printed_again_once_the_invoice_changed(api, stack, letters):
    draft = create_draft(api, create_resident(api, email=None)["resident_id"], 32500)
    publish(api, draft, {"send_email": False})
    letters.print_stream()
    assert letter_of(api, draft).status == 200
    key = f"letters/prop_a/invoices/{draft['invoice_id']}.pdf"
    printed_from = int(head(stack, key)["Metadata"]["invoice-version"])

    from hoa_billing.core.models import Actor, ActorKind
    from hoa_billing.data.invoices import DynamoInvoices

    DynamoInvoices(stack.physical_name("InvoicesTable")).mark_overdue(
        "prop_a", draft["invoice_id"], draft["due_date"], _entry(Actor(kind=ActorKind.SYSTEM, id="sweep"))
    )
    assert letter_of(api, draft).status == 202
    letters.print_requests()
    assert letter_of(api, draft).status == 200
    assert int(head(stack, key)["Metadata"]["invoice-version"]) == printed_from + 1


def _entry(actor):
    from hoa_billing.core.models import HistoryEntry, InvoiceStatus

    return HistoryEntry(
        at=datetime.now(UTC),
        action="marked_overdue",
        actor=actor,
        from_status=InvoiceStatus.OPEN,
        to_status=InvoiceStatus.OVERDUE,
    )


def test_a_draft_a_void_invoice_and_an_unknown_one_have_no_letter(api, stack, letters):
    resident = create_resident(api, email=None)["resident_id"]
    draft = create_draft(api, resident)
    voided = create_draft(api, resident)
    publish(api, voided, {"send_email": False})
    assert (
        api.post(f"/properties/prop_a/invoices/{voided['invoice_id']}/void", {"reason": "entered twice"}).status == 200
    )

    assert letter_of(api, draft).status == 409
    assert letter_of(api, draft).error_code == "invoice_not_published"
    assert letter_of(api, voided).status == 409
    assert letter_of(api, voided).error_code == "letter_not_available"
    assert api.get("/properties/prop_a/invoices/inv_nope/letter").status == 404
    api.claims = manager_claims("prop_b")
    other = create_draft(api, create_resident(api, "prop_b")["resident_id"], property_id="prop_b")
    api.claims = manager_claims("prop_a", "prop_b")
    assert api.get(f"/properties/prop_a/invoices/{other['invoice_id']}/letter").status == 404
    assert queued_requests(stack) == 0


# -- failures ------------------------------------------------------------------------------


class FlakyFiles:
    """The bucket, refusing the first ``failures`` letter uploads (S3 unreachable)."""

    def __init__(self, files, failures: int) -> None:
        self.files = files
        self.failures = failures
        self.uploads = 0

    def put_letter(self, *args, **kwargs):
        self.uploads += 1
        if self.failures > 0:
            self.failures -= 1
            raise ConnectionError("S3 is unreachable")
        return self.files.put_letter(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.files, name)


def _unreachable_drafts(api, count):
    drafts = [create_draft(api, create_resident(api, email=None, unit=f"{i}C")["resident_id"]) for i in range(count)]
    for draft in drafts:
        publish(api, draft, {"send_email": False})
    return drafts


def test_a_failed_upload_is_retried_and_no_letter_is_lost(api, stack, letters):
    from tests.support.letters import files

    drafts = _unreachable_drafts(api, 3)
    flaky = FlakyFiles(files(stack), failures=2)
    report = LetterFlow(stack, deps=printer(stack, flaky)).print_stream()

    assert report.discarded == []
    assert set(letter_keys(stack)) == {f"letters/prop_a/invoices/{d['invoice_id']}.pdf" for d in drafts}
    assert flaky.uploads == 3 + 2


def test_a_letter_that_never_uploads_is_kept_in_the_dead_letter_queue(api, stack, letters):
    from tests.support.letters import files

    _unreachable_drafts(api, 1)
    flaky = FlakyFiles(files(stack), failures=10_000)
    report = LetterFlow(stack, deps=printer(stack, flaky)).print_stream()

    assert letter_keys(stack) == []
    assert len(report.discarded) == 1
    assert letters.dead_letter_count() == 1
    retries = int(
        stack.functions()["LetterPrinterFunction"]["Events"]["UnreachableResident"]["Properties"][
            "MaximumRetryAttempts"
        ]
    )
    assert flaky.uploads == 1 + retries


def test_hostile_names_print_as_text(api, stack, letters):
    """The API refuses control and bidi characters in names; a resident stored before it
    did (or by another door) still prints, as text, on one line."""
    from hoa_billing.core.models import Resident

    hostile = "Robert\u202e'); DROP TABLE --\u200b\x07 \u5f20\u4f1f <script>"
    DynamoDirectory(stack.physical_name("PropertiesTable")).add_resident(
        Resident(
            resident_id="res_hostile",
            property_id="prop_a",
            name=hostile,
            unit="9\r\nZ",
            created_at=datetime(2026, 1, 1, tzinfo=UTC),
        )
    )
    draft = create_draft(api, "res_hostile")
    publish(api, draft, {"send_email": False})
    letters.print_stream()

    (page,) = text_of(pdf(stack, f"letters/prop_a/invoices/{draft['invoice_id']}.pdf"))
    assert "\u202e" not in page
    assert "\x07" not in page
    assert "\u200b" not in page
    assert PLACEHOLDER in page  # the CJK name the font cannot draw
    assert "<script>" in page  # printed as text, never read as markup


def test_a_malformed_letter_request_ends_in_the_dead_letter_queue(api, stack, letters):
    sqs = boto3.client("sqs")
    sqs.send_message(QueueUrl=stack.attributes["LettersQueue"]["QueueUrl"], MessageBody='{"letter": "poster"}')
    letters.print_requests()
    assert letters.dead_letter_count() == 1
    assert keys(stack) == []
