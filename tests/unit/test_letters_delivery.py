"""Printed letters delivered: what the letter says (money, dates in the property's time
zone, the contact line, the pay page), the file name a link saves as, and the template's
bucket, queue and stream rules."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, date, datetime

import pytest

from hoa_billing.core.models import Actor, ActorKind, Invoice, InvoiceStatus, LineItem, Property, Resident
from hoa_billing.data.letter_files import batch_key, content_disposition, job_prefix, letter_key
from hoa_billing.letters_delivery import LetterRequest, letter_for
from hoa_billing.letters_delivery.printer import digest_of
from hoa_local import ROOT
from hoa_local.template import Stack

STACK = Stack()
RESOURCES = STACK.template["Resources"]
PORTAL = "https://portal.maplecourt.example"
NOW = datetime(2026, 3, 2, 3, 30, tzinfo=UTC)  # still March 1 in New York


def invoice(**changes) -> Invoice:
    values = {
        "invoice_id": "inv_01",
        "property_id": "prop_a",
        "property_name": "Maple Court HOA",
        "time_zone": "America/New_York",
        "resident_id": "res_1",
        "resident_name": "Pat Resident",
        "number": "INV-00007",
        "status": InvoiceStatus.OPEN,
        "currency": "USD",
        "line_items": [
            LineItem(description="Monthly assessment", amount=32500),
            LineItem(description="Late", amount=2500),
        ],
        "amount_due": 35000,
        "amount_paid": 10000,
        "due_date": date(2026, 4, 1),
        "created_at": NOW,
        "created_by": Actor(kind=ActorKind.API, id="mgr"),
        "published_at": NOW,
    }
    return Invoice.model_validate(values | changes)


RESIDENT = Resident(resident_id="res_1", property_id="prop_a", name="Pat Q. Resident", unit="7A", created_at=NOW)


def test_the_letter_says_what_the_invoice_says_in_the_property_s_time_zone():
    prop = Property(property_id="prop_a", name="Maple Court HOA", time_zone="America/New_York")
    letter = letter_for(invoice(), RESIDENT, prop, PORTAL + "/", NOW)
    assert letter.property_name == "Maple Court HOA"
    assert letter.resident_name == "Pat Q. Resident"  # the resident's name now
    assert letter.unit == "7A"
    assert letter.invoice_number == "INV-00007"
    assert letter.issue_date == "March 1, 2026"  # 03:30 UTC is the evening before in New York
    assert letter.due_date == "April 1, 2026"
    assert [(c.description, c.amount) for c in letter.charges] == [
        ("Monthly assessment", "$325.00"),
        ("Late", "$25.00"),
    ]
    assert letter.total == "$350.00"
    assert letter.amount_due == "$250.00"  # what is left to pay
    assert letter.pay_url == f"{PORTAL}/invoices/inv_01"
    assert letter.short_url == "portal.maplecourt.example/invoices/inv_01"
    assert letter.generated_at == "Printed March 1, 2026, 10:30 PM EST"
    assert letter.contact_line == "Contact the Maple Court HOA management office."


def test_the_contact_line_names_the_reply_to_address_when_the_property_has_one():
    prop = Property(property_id="prop_a", name="Maple Court HOA", reply_to_email="office@maplecourt.example")
    letter = letter_for(invoice(), RESIDENT, prop, PORTAL, NOW)
    assert letter.contact_line == "Email office@maplecourt.example or contact the Maple Court HOA management office."


def test_other_currencies_and_zones_are_the_property_s():
    prop = Property(property_id="prop_b", name="Birch Hill", time_zone="Europe/Berlin", currency="EUR")
    letter = letter_for(invoice(currency="EUR", time_zone="Europe/Berlin"), None, prop, PORTAL, NOW)
    assert letter.amount_due.startswith("€") or "€" in letter.amount_due
    assert letter.issue_date == "March 2, 2026"
    assert letter.unit == "\u2014"  # no resident on file: a dash, not a blank


@pytest.mark.parametrize(
    ("name", "header"),
    [
        ("letter-INV-00007.pdf", 'inline; filename="letter-INV-00007.pdf"'),
        ('letter-"; filename=evil.exe.pdf', 'inline; filename="letter-filename-evil.exe.pdf"'),
        ("letter-\r\nSet-Cookie: x.pdf", 'inline; filename="letter-Set-Cookie-x.pdf"'),
        ("letter-Ünit 7/8.pdf", 'inline; filename="letter-nit-7-8.pdf"'),
        ('"""', 'inline; filename="letter.pdf"'),
    ],
)
def test_a_link_names_its_file_with_nothing_a_person_typed_in_the_header(name, header):
    assert content_disposition(name) == header


def test_keys_are_one_per_invoice_and_a_job_s_markers_are_apart_from_its_pdf():
    assert letter_key("prop_a", "inv_01") == "letters/prop_a/invoices/inv_01.pdf"
    assert job_prefix("prop_a", "job_1") == "letters/prop_a/jobs/job_1/"
    assert not batch_key("prop_a", "job_1").startswith(job_prefix("prop_a", "job_1"))
    assert not job_prefix("prop_a", "job_10").startswith(job_prefix("prop_a", "job_1"))


def test_a_merged_pdf_s_digest_is_its_set_of_letters():
    assert digest_of(["a", "b"]) == digest_of(["b", "a"])
    assert digest_of(["a", "b"]) != digest_of(["a", "b", "c"])


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        "x",
        {},
        {"letter": "poster", "property_id": "p", "id": "i"},
        {"letter": "job", "property_id": 1, "id": "i"},
        {"letter": "invoice", "property_id": "", "id": "i"},
    ],
)
def test_a_letter_request_that_names_nothing_printable_is_refused(body):
    from hoa_billing.core import errors

    with pytest.raises(errors.InvalidRequest):
        LetterRequest.of(body)


def test_the_letters_api_does_not_load_the_pdf_libraries():
    """The API function ships without the letters layer: importing what it uses must not
    import fpdf2, segno or fontTools."""
    code = (
        "import sys; import hoa_billing.letters_delivery, hoa_billing.api.letter_schemas; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'fpdf', 'segno', 'fontTools'}))"
    )
    env = {"PYTHONPATH": str(ROOT / "layers" / "hoa_billing")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)  # noqa: S603
    assert out.stdout.strip() == "[]"


# -- the template ----------------------------------------------------------------------------


def test_the_invoices_stream_has_at_most_two_readers():
    """DynamoDB Streams serves at most two readers per shard before throttling them."""
    readers = [
        (function, event)
        for function, event, props in STACK.events_of("DynamoDB")
        if props["Stream"] == {"Fn::GetAtt": ["InvoicesTable", "StreamArn"]}
    ]
    assert sorted(readers) == [
        ("EmailOutboxFunction", "EmailRequested"),
        ("LetterPrinterFunction", "UnreachableResident"),
    ]


def test_the_letters_bucket_is_private_encrypted_tls_only_and_expires_letters():
    props = RESOURCES["LettersBucket"]["Properties"]
    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    (rule,) = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in ("AES256", "aws:kms")
    expiry = {r["Prefix"]: r for r in props["LifecycleConfiguration"]["Rules"] if "Prefix" in r}
    assert expiry["letters/"]["ExpirationInDays"] == {"Ref": "LettersRetentionDays"}
    assert expiry["requests/"]["ExpirationInDays"] == 1
    assert "WebsiteConfiguration" not in props
    assert "AccessControl" not in props
    (statement,) = RESOURCES["LettersBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Effect"] == "Deny"
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_only_the_printer_carries_the_letters_layer():
    functions = STACK.functions()
    carrying = sorted(f for f, props in functions.items() if {"Ref": "LettersLayer"} in (props.get("Layers") or []))
    assert carrying == ["LetterPrinterFunction"]


def test_the_letters_api_signs_links_for_a_quarter_of_an_hour():
    env = STACK.functions()["LettersApiFunction"]["Environment"]["Variables"]
    assert env["LETTER_LINK_SECONDS"] == "900"


def test_filter_patterns_are_valid_json():
    props = STACK.functions()["LetterPrinterFunction"]["Events"]["UnreachableResident"]["Properties"]
    for entry in props["FilterCriteria"]["Filters"]:
        assert json.loads(entry["Pattern"])["eventName"] == ["MODIFY"]


@pytest.mark.parametrize("function", ["LetterPrinterFunction", "LettersApiFunction"])
def test_who_asks_whether_a_letter_exists_may_list_the_bucket(function):
    """HeadObject of a missing key answers 404 only to a caller allowed s3:ListBucket on the
    bucket (no condition on a prefix: a HEAD names none); otherwise 403, which would read
    as a failure and retry a letter that is simply not printed yet."""
    statements = [s for policy in STACK.functions()[function]["Policies"] for s in policy["Statement"]]
    listing = [s for s in statements if "s3:ListBucket" in s["Action"]]
    assert listing
    assert all(s["Resource"] == {"Fn::GetAtt": ["LettersBucket", "Arn"]} and "Condition" not in s for s in listing)
