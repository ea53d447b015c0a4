"""Printed letters for residents without a usable email address: what the page says, that
its QR code opens the pay page, and that any name prints."""

from __future__ import annotations

import dataclasses
import io
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image, ImageDraw
from pypdf import PdfReader

from hoa_billing.letters import (
    PLACEHOLDER,
    BatchCover,
    Charge,
    CheckPayment,
    Letter,
    Paper,
    render_letter,
    render_letters,
    unprintable_characters,
)

ROOT = Path(__file__).resolve().parents[2]
PAY_URL = "https://portal.maplecourt.example/invoices/inv_01JQ3Z8K4X7M2N5P9R6T1V0W3Y"
MM_PER_POINT = 25.4 / 72


def letter(**changes) -> Letter:
    values = {
        "property_name": "Maple Court HOA",
        "contact_line": "billing@maplecourt.example or (217) 555-0142",
        "return_address": ("1200 Maple Court, Suite 100", "Springfield, IL 62704"),
        "resident_name": "Jordan Alvarez",
        "unit": "4B",
        "mailing_address": ("1200 Maple Court, Unit 4B", "Springfield, IL 62704"),
        "invoice_number": "INV-00042",
        "issue_date": "March 28, 2026",
        "due_date": "April 15, 2026",
        "charges": (Charge("Monthly assessment", "$325.00"), Charge("Pool key replacement", "$30.00")),
        "total": "$355.00",
        "amount_due": "$355.00",
        "pay_url": PAY_URL,
        "short_url": "maplecourt.example/pay/7KQ2X9",
        "check": CheckPayment(payable_to="Maple Court HOA", mail_to=("Management Office", "1200 Maple Court")),
        "generated_at": "Generated March 28, 2026, 9:14 AM EDT",
    }
    return Letter(**(values | changes))


COVER = BatchCover(property_name="Maple Court HOA", job="job_01JQ40AB", prepared_at="March 28, 2026")


def pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def one_line(text: str) -> str:
    return " ".join(text.split())


# --- what the resident reads ------------------------------------------------------------


def test_a_letter_is_one_page_with_every_fact_the_resident_needs():
    pdf = render_letter(letter())
    (text,) = pages_text(pdf)
    for fact in (
        "Maple Court HOA",
        "1200 Maple Court, Suite 100",
        "Jordan Alvarez",
        "1200 Maple Court, Unit 4B",
        "Springfield, IL 62704",
        "INV-00042",
        "Issued March 28, 2026",
        "Due April 15, 2026",
        "Monthly assessment $325.00",
        "Pool key replacement $30.00",
        "Amount due $355.00",
        "Please pay $355.00 by April 15, 2026",
        "by card or bank transfer",
        "maplecourt.example/pay/7KQ2X9",
        "Pay by check",
        "Payable to Maple Court HOA",
        "Management Office",
        "Write INV-00042 on the check.",
        "Questions? billing@maplecourt.example or (217) 555-0142",
        "Generated March 28, 2026, 9:14 AM EDT",
    ):
        assert fact in one_line(text), fact


def test_the_page_is_us_letter_by_default_and_a4_on_request():
    letter_page = PdfReader(io.BytesIO(render_letter(letter()))).pages[0].mediabox
    a4_page = PdfReader(io.BytesIO(render_letter(letter(), paper=Paper.A4))).pages[0].mediabox
    assert (round(letter_page.width * MM_PER_POINT, 1), round(letter_page.height * MM_PER_POINT, 1)) == (215.9, 279.4)
    assert (round(a4_page.width * MM_PER_POINT), round(a4_page.height * MM_PER_POINT)) == (210, 297)


def test_without_a_check_address_only_online_payment_is_offered():
    (text,) = pages_text(render_letter(letter(check=None)))
    assert "Pay online" in text
    assert "check" not in text.lower()


def test_without_a_mailing_address_the_letter_is_addressed_to_the_unit():
    (text,) = pages_text(render_letter(letter(mailing_address=())))
    assert "Jordan Alvarez\nUnit 4B\nMaple Court HOA" in text


def test_a_total_different_from_the_amount_due_shows_both():
    (text,) = pages_text(render_letter(letter(total="$355.00", amount_due="$105.00")))
    assert "Total $355.00" in text
    assert "Amount due $105.00" in text


def test_many_charges_still_fit_one_page_and_say_how_many_are_left_out():
    charges = tuple(Charge(f"Charge number {n}", f"${n}.00") for n in range(1, 41))
    pdf = render_letter(letter(charges=charges, total="$820.00", amount_due="$820.00"))
    (text,) = pages_text(pdf)
    shown = re.findall(r"Charge number \d+ \$", text)
    assert 3 <= len(shown) < 40
    assert f"and {40 - len(shown)} more charges" in text
    assert "Amount due $820.00" in text


def test_long_names_are_shortened_on_their_line_but_amounts_and_addresses_to_type_are_not():
    long_name = "Alexandria Konstantinopoulou-Vanderbilt de la Fuente y Montenegro " * 3
    (text,) = pages_text(render_letter(letter(resident_name=long_name, short_url="maplecourt.example/pay/" + "X" * 30)))
    assert "Alexandria Konstantinopoulou" in text
    assert "…" in text
    assert "maplecourt.example/pay/" + "X" * 30 in text
    assert "$355.00" in text


# --- names from everywhere ------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "Zoë Ångström",
        "Łukasz Wójcik",
        "Αλέξανδρος Παπαδόπουλος",
        "Дмитрий Соколов",
        "Nguyễn Thị Minh Khai",
        "Ægir Þórsson",
    ],
)
def test_latin_greek_and_cyrillic_names_print_and_read_back_as_written(name):
    (text,) = pages_text(render_letter(letter(resident_name=name)))
    assert f"Dear {name}," in text
    assert PLACEHOLDER not in text


def test_a_decomposed_accent_prints_as_the_composed_letter():
    (text,) = pages_text(render_letter(letter(resident_name="Zoe\u0308 A\u030angstro\u0308m")))
    assert "Dear Zoë Ångström," in text


def test_characters_the_font_lacks_print_as_a_box_and_the_greeting_does_without_the_name():
    assert unprintable_characters("李雷") == {"李", "雷"}
    assert unprintable_characters("Zoë Ångström") == frozenset()
    (text,) = pages_text(render_letter(letter(resident_name="李雷")))
    assert f"{PLACEHOLDER}{PLACEHOLDER}\n1200 Maple Court, Unit 4B" in text
    assert "Dear resident of unit 4B," in text


def test_a_letter_without_a_name_greets_the_unit():
    (text,) = pages_text(render_letter(letter(resident_name=" \n ")))
    assert "Dear resident of unit 4B," in text


@pytest.mark.parametrize(
    "name",
    [
        "Jordan\nAlvarez",
        "Jordan\r\n\tAlvarez",
        "Jordan\x00\x07\x1b[31mAlvarez",
        "Jordan\u202eAlvarez",  # right-to-left override
        "Jor\u200bdan \u2028Alvarez",  # zero-width space, line separator
    ],
)
def test_control_characters_in_a_name_do_not_break_the_letter(name):
    pdf = render_letter(letter(resident_name=name))
    (text,) = pages_text(pdf)
    assert "Dear Jordan" in text
    assert "Alvarez," in text
    assert "\x1b" not in text
    assert "\u202e" not in text
    assert "\tAlvarez" not in text


def test_a_lone_surrogate_in_a_name_prints_as_a_box():
    # A JSON decoder lets "\\ud800" through; it cannot be encoded, let alone drawn.
    (text,) = pages_text(render_letter(letter(resident_name="Jordan \ud800Alvarez")))
    assert f"Jordan {PLACEHOLDER}Alvarez\n1200 Maple Court, Unit 4B" in text


def test_names_are_printed_as_text_never_read_as_markup():
    name = "**Jordan** <b>Alvarez</b> __x__ ~~y~~ --z--"
    (text,) = pages_text(render_letter(letter(resident_name=name, property_name="<i>Maple</i> **Court**")))
    assert f"Dear {name}," in text
    assert "<i>Maple</i> **Court** has issued invoice" in one_line(text)


# --- the QR code -----------------------------------------------------------------------------


def qr_squares(pdf: bytes, page: int = 0) -> list[tuple[float, float, float, float]]:
    """The squares of the QR code as drawn on the page: (x, y, width, height) in mm from the
    top-left corner, read from the page's drawing operators."""
    content = PdfReader(io.BytesIO(pdf)).pages[page].get_contents().get_data().decode("latin-1")
    # fpdf2 draws a path in a block that scales to millimetres with y pointing down.
    block = re.search(r"q 2\.8346 0 0 -2\.8346 0 [\d.]+ cm /GS\d+ gs \[\] 0 d q 0 g (.*?) f Q", content, re.S)
    assert block, "no filled path on the page"
    number = r"(-?[\d.]+)"
    return [tuple(map(float, m)) for m in re.findall(rf"{number} {number} {number} {number} re", block.group(1))]


def decode(image: Image.Image) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(image) if result.format == zxingcpp.BarcodeFormat.QRCode]


def test_the_qr_code_drawn_as_vector_squares_decodes_to_the_pay_url_and_is_large_enough():
    squares = qr_squares(render_letter(letter()))
    left = min(x for x, _, _, _ in squares)
    top = min(y for _, y, _, _ in squares)
    right = max(x + w for x, _, w, _ in squares)
    bottom = max(y + h for _, y, _, h in squares)
    module = min(h for _, _, _, h in squares)
    assert right - left >= 30.0
    assert bottom - top >= 30.0
    # Rasterise the squares alone, with the standard quiet zone, and let an independent
    # decoder read them: a module misplaced by the drawing code makes this fail.
    scale = 12.0  # pixels per mm
    margin = 4 * module
    size = round((right - left + 2 * margin) * scale)
    image = Image.new("L", (size, size), 255)
    draw = ImageDraw.Draw(image)
    for x, y, w, h in squares:
        x0, y0 = (x - left + margin) * scale, (y - top + margin) * scale
        draw.rectangle([x0, y0, x0 + w * scale - 1, y0 + h * scale - 1], fill=0)
    assert decode(image) == [PAY_URL]


def test_each_letter_of_a_batch_carries_its_own_pay_url():
    urls = [f"https://portal.maplecourt.example/invoices/inv_{n}" for n in range(3)]
    pdf = render_letters([letter(pay_url=url) for url in urls], COVER)
    for page, url in enumerate(urls, start=1):
        squares = qr_squares(pdf, page)
        left = min(x for x, _, _, _ in squares)
        top = min(y for _, y, _, _ in squares)
        image = Image.new("L", (600, 600), 255)
        draw = ImageDraw.Draw(image)
        for x, y, w, h in squares:
            x0, y0 = (x - left) * 12 + 60, (y - top) * 12 + 60
            draw.rectangle([x0, y0, x0 + w * 12 - 1, y0 + h * 12 - 1], fill=0)
        assert decode(image) == [url]


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is not installed")
@pytest.mark.parametrize("paper", list(Paper))
def test_the_printed_page_scans_at_the_resolution_of_a_phone_photo(tmp_path, paper):
    pdf = tmp_path / "letter.pdf"
    pdf.write_bytes(render_letter(letter(), paper=paper))
    converter = shutil.which("pdftoppm")
    assert converter
    subprocess.run(  # noqa: S603 - a local converter, our own file
        [converter, "-png", "-r", "110", str(pdf), str(tmp_path / "page")], check=True, timeout=60
    )
    (png,) = tmp_path.glob("page*.png")
    assert decode(Image.open(png)) == [PAY_URL]


# --- the batch ----------------------------------------------------------------------------------


def test_a_batch_is_a_cover_then_one_page_per_letter_in_the_order_given():
    names = ["Zoë Ångström", "Łukasz Wójcik", "Jordan Alvarez"]
    batch = [letter(resident_name=name, unit=f"{n}A", invoice_number=f"INV-{n}") for n, name in enumerate(names, 1)]
    pages = pages_text(render_letters(batch, COVER))
    assert len(pages) == 1 + len(batch)
    cover = pages[0]
    assert "Print and mail these 3 letters" in cover
    assert "Maple Court HOA" in cover
    assert "job_01JQ40AB" in cover
    assert "March 28, 2026" in cover
    assert "Print pages 2 to 4" in cover
    for n, name in enumerate(names, 1):
        assert f"{n} {name} {n}A INV-{n} $355.00 {n + 1}" in cover
        assert f"Dear {name}," in pages[n]
        assert f"letter {n} of 3" in pages[n]


def test_the_cover_flags_letters_whose_names_need_writing_by_hand():
    cover = pages_text(render_letters([letter(), letter(resident_name="李雷", unit="3D")], COVER))[0]
    assert "1 letter marked ! below" in cover
    assert f"! {PLACEHOLDER}{PLACEHOLDER} 3D" in cover
    assert "! Jordan" not in cover


def test_a_long_batch_lists_every_letter_on_as_many_cover_pages_as_it_needs():
    batch = [letter(resident_name=f"Resident {n:03d}", unit=f"{n}") for n in range(1, 121)]
    reader = PdfReader(io.BytesIO(render_letters(batch, COVER)))
    cover_pages = len(reader.pages) - len(batch)
    assert cover_pages > 1
    pages = [page.extract_text() for page in reader.pages[: cover_pages + 1]]
    listed = "\n".join(pages[:cover_pages])
    assert all(f"Resident {n:03d}" in listed for n in range(1, 121))
    assert f"Print pages {cover_pages + 1} to {cover_pages + 120}" in pages[0]
    assert f"Cover page {cover_pages} of {cover_pages}" in pages[cover_pages - 1]
    assert "Dear Resident 001," in pages[cover_pages]


def test_an_empty_batch_is_refused():
    with pytest.raises(ValueError, match="at least one letter"):
        render_letters([], COVER)


def test_five_hundred_letters_stay_small_per_letter():
    batch = [
        letter(resident_name=f"Resident {n}", invoice_number=f"INV-{n:05d}", pay_url=f"{PAY_URL[:-4]}{n:04d}")
        for n in range(500)
    ]
    started = time.process_time()
    pdf = render_letters(batch, COVER)
    seconds = time.process_time() - started
    per_letter = len(pdf) / len(batch)
    print(f"\n500 letters: {len(pdf):,} bytes, {per_letter:,.0f} bytes per letter, {seconds:.2f} s CPU")
    # The font is embedded once per document, not per page: a letter costs a few kB.
    assert per_letter < 12_000
    assert len(PdfReader(io.BytesIO(pdf)).pages) > 500


# --- what it costs a function that never prints -------------------------------------------------


def test_importing_the_package_loads_no_pdf_qr_or_font_library():
    code = (
        "import sys, hoa_billing.letters; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'fpdf', 'segno', 'fontTools', 'PIL', 'pypdf'}))"
    )
    environment = {**os.environ, "PYTHONPATH": str(ROOT / "layers" / "hoa_billing")}
    result = subprocess.run(  # noqa: S603 - this interpreter, our own code
        [sys.executable, "-c", code], capture_output=True, text=True, env=environment, check=True
    )
    assert result.stdout.strip() == "[]"


def test_letters_print_without_pillow_as_in_the_layer():
    # The letters layer leaves Pillow out (fpdf2 needs it only for raster images).
    code = (
        "import sys, importlib.abc\n"
        "class NoPillow(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path, target=None):\n"
        "        if name.split('.')[0] == 'PIL':\n"
        "            raise ImportError(name)\n"
        "sys.meta_path.insert(0, NoPillow())\n"
        "import warnings; warnings.simplefilter('error')\n"
        "from hoa_billing.letters import Charge, CheckPayment, Letter, render_letter\n"
        f"pdf = render_letter({letter()!r})\n"
        "print(pdf[:5].decode())\n"
    )
    environment = {**os.environ, "PYTHONPATH": str(ROOT / "layers" / "hoa_billing")}
    result = subprocess.run(  # noqa: S603 - this interpreter, our own code
        [sys.executable, "-c", code], capture_output=True, text=True, env=environment, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "%PDF-"


def test_a_letter_is_a_frozen_value():
    with pytest.raises(dataclasses.FrozenInstanceError):
        letter().unit = "5C"  # type: ignore[misc]
