"""Letters as PDF: one page per invoice, and a batch with a cover page for the manager.

fpdf2 draws the pages and subsets the embedded Fira Sans to the glyphs used; segno makes
the QR code, drawn as vector squares. Both are imported on the first render, so a function
that imports this package and never prints pays nothing for them.

Layout. The top third of the page is what a window envelope shows: the property's return
address top left, the resident's address where a #10 double-window envelope (US Letter)
or a DL window envelope (A4, DIN 5008 form B) has its window, the invoice facts and the
amount due to the right of it. Fold marks sit at the left edge. Below the first fold: the
greeting, the charges, how to pay (QR code and short address, then check), and a footer
with the contact line and when the letter was generated.
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hoa_billing.letters.model import BatchCover, Charge, CheckPayment, Letter, Paper
from hoa_billing.letters.qr import QrRuns, draw_qr, qr_runs, quiet_side
from hoa_billing.letters.text import BOLD_FONT, PLACEHOLDER, REGULAR_FONT, font_path, printable, unprintable_characters

if TYPE_CHECKING:
    from fpdf import FPDF

PT = 0.3528  # millimetres per point

INK = (17, 24, 39)
BODY = (55, 65, 81)
MUTED = (107, 114, 128)
RULE = (209, 213, 219)
HAIRLINE = (229, 231, 235)
PANEL = (243, 244, 246)
ACCENT = (37, 99, 235)

QR_SYMBOL_MM = 32.0

ALREADY_PAID = (
    "Already paid? Thank you, and please ignore this letter. A bank transfer can take a few "
    "business days to show in the resident portal."
)  # the dark modules' span; the quiet zone comes on top


@dataclass(frozen=True)
class _Sheet:
    """Where things go on one paper size, in millimetres from the top-left corner."""

    fpdf_format: str
    width: float
    height: float
    left: float
    right: float
    top: float
    bottom: float
    address_top: float
    address_width: float
    address_height: float
    folds: tuple[float, float]
    # DIN 5008 prints the sender on one small line above the recipient, inside the window.
    return_line: bool
    envelope: str

    @property
    def content_right(self) -> float:
        return self.width - self.right

    @property
    def content_width(self) -> float:
        return self.width - self.left - self.right


_SHEETS = {
    # US Letter, folded in thirds for a #10 double-window envelope: the return address in
    # the upper window, the recipient from 2 1/8" down and 7/8" in, 1" tall.
    Paper.LETTER: _Sheet(
        fpdf_format="letter",
        width=215.9,
        height=279.4,
        left=22.2,
        right=19.05,
        top=15.9,
        bottom=12.0,
        address_top=54.0,
        address_width=85.0,
        address_height=25.4,
        folds=(93.13, 186.27),
        return_line=False,
        envelope="a #10 double-window envelope",
    ),
    # A4, DIN 5008 form B: address field 45 mm from the top, 20 mm from the left; the
    # recipient in its lower 27.3 mm. Folds at 105 and 210 mm for a DL envelope.
    Paper.A4: _Sheet(
        fpdf_format="a4",
        width=210.0,
        height=297.0,
        left=25.0,
        right=20.0,
        top=15.0,
        bottom=12.0,
        address_top=62.7,
        address_width=80.0,
        address_height=27.3,
        folds=(105.0, 210.0),
        return_line=True,
        envelope="a DL window envelope",
    ),
}


def render_letter(letter: Letter, *, paper: Paper = Paper.LETTER) -> bytes:
    """One invoice as a one-page PDF."""
    sheet = _SHEETS[Paper(paper)]
    clean = _printable_letter(letter)
    pdf = _document(sheet, title=f"Invoice {clean.invoice_number}", author=clean.property_name)
    _draw_letter(pdf, sheet, clean, position=None)
    return bytes(pdf.output())


def render_letters(letters: Sequence[Letter], cover: BatchCover, *, paper: Paper = Paper.LETTER) -> bytes:
    """A batch as one PDF: the cover (one page, more when the list of letters is long),
    then one page per letter in the order given."""
    if not letters:
        raise ValueError("a batch needs at least one letter")
    sheet = _SHEETS[Paper(paper)]
    clean_cover = BatchCover(
        property_name=printable(cover.property_name), job=printable(cover.job), prepared_at=printable(cover.prepared_at)
    )
    flagged = [_needs_checking(letter) for letter in letters]
    clean = [_printable_letter(letter) for letter in letters]
    pdf = _document(sheet, title=f"Letters to mail: {clean_cover.property_name}", author=clean_cover.property_name)
    _draw_cover(pdf, sheet, clean_cover, clean, flagged)
    for index, letter in enumerate(clean, start=1):
        _draw_letter(pdf, sheet, letter, position=(index, len(clean)))
    return bytes(pdf.output())


# --- text -------------------------------------------------------------------------


def _printable_letter(letter: Letter) -> Letter:
    """The letter with every string made printable (see ``text.printable``)."""
    return dataclasses.replace(
        letter,
        property_name=printable(letter.property_name),
        contact_line=printable(letter.contact_line),
        resident_name=printable(letter.resident_name),
        unit=printable(letter.unit),
        invoice_number=printable(letter.invoice_number),
        issue_date=printable(letter.issue_date),
        due_date=printable(letter.due_date),
        charges=tuple(Charge(printable(c.description), printable(c.amount)) for c in letter.charges),
        total=printable(letter.total),
        amount_due=printable(letter.amount_due),
        paid=printable(letter.paid) if letter.paid else None,
        short_url=printable(letter.short_url),
        generated_at=printable(letter.generated_at),
        return_address=_lines(letter.return_address),
        mailing_address=_lines(letter.mailing_address),
        check=(
            CheckPayment(payable_to=printable(letter.check.payable_to), mail_to=_lines(letter.check.mail_to))
            if letter.check
            else None
        ),
    )


def _lines(lines: Sequence[str]) -> tuple[str, ...]:
    return tuple(line for line in (printable(line) for line in lines) if line)


def _needs_checking(letter: Letter) -> bool:
    """Whether the name or address has a character the font lacks (printed as a box)."""
    texts = (letter.resident_name, letter.unit, *letter.mailing_address)
    return any(unprintable_characters(text) for text in texts)


# --- drawing helpers ----------------------------------------------------------------


def _document(sheet: _Sheet, *, title: str, author: str) -> FPDF:
    with warnings.catch_warnings():
        # fpdf2 warns at import when Pillow is missing; letters have no raster images, so
        # the layer leaves Pillow out.
        warnings.filterwarnings("ignore", message="Pillow could not be imported")
        from fpdf import FPDF

    pdf = FPDF(orientation="portrait", unit="mm", format=sheet.fpdf_format)
    pdf.set_auto_page_break(auto=False)
    pdf.set_margins(sheet.left, sheet.top, sheet.right)
    pdf.c_margin = 0
    pdf.add_font("Fira", "", font_path(REGULAR_FONT))
    pdf.add_font("Fira", "B", font_path(BOLD_FONT))
    pdf.set_title(title)
    pdf.set_author(author)
    pdf.set_lang("en")
    return pdf


def _font(pdf: FPDF, size: float, *, bold: bool = False, color: tuple[int, int, int] = INK) -> None:
    pdf.set_font("Fira", "B" if bold else "", size)
    pdf.set_text_color(*color)


def _fit(pdf: FPDF, text: str, width: float) -> str:
    """``text`` cut with an ellipsis to fit ``width`` in the current font. For names and
    descriptions only: amounts and addresses to type are shrunk (``_shrink``), never cut."""
    if pdf.get_string_width(text) <= width:
        return text
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if pdf.get_string_width(text[:middle].rstrip() + "…") <= width:
            low = middle
        else:
            high = middle - 1
    return text[:low].rstrip() + "…"


def _shrink(pdf: FPDF, text: str, width: float, size: float, *, bold: bool = False, smallest: float = 6.0) -> float:
    """The largest font size up to ``size`` at which ``text`` fits ``width``."""
    pdf.set_font("Fira", "B" if bold else "", size)
    actual = pdf.get_string_width(text)
    if actual <= width:
        return size
    return max(smallest, math.floor(size * width / actual * 10) / 10)


def _text(
    pdf: FPDF,
    x: float,
    y: float,
    width: float,
    text: str,
    size: float,
    *,
    bold: bool = False,
    color: tuple[int, int, int] = INK,
    align: str = "L",
    cut: bool = True,
) -> float:
    """One line whose top is at ``y``; returns the y below it. ``cut=False`` shrinks the
    font instead of cutting the text (amounts, invoice numbers, addresses to type)."""
    if not cut:
        size = _shrink(pdf, text, width, size, bold=bold)
    _font(pdf, size, bold=bold, color=color)
    height = size * PT * 1.3
    pdf.set_xy(x, y)
    pdf.cell(width, height, _fit(pdf, text, width) if cut else text, align=align)
    return y + height


def _rule(pdf: FPDF, x1: float, x2: float, y: float, *, color: tuple[int, int, int] = HAIRLINE, width=0.25) -> None:
    pdf.set_draw_color(*color)
    pdf.set_line_width(width)
    pdf.line(x1, y, x2, y)


def _label(pdf: FPDF, x: float, y: float, width: float, text: str, *, align: str = "L", size: float = 7.5) -> float:
    """A small capitalised label (AMOUNT DUE, DESCRIPTION)."""
    pdf.set_char_spacing(0.35)
    bottom = _text(pdf, x, y, width, text.upper(), size, bold=True, color=MUTED, align=align)
    pdf.set_char_spacing(0)
    return bottom


def _fold_marks(pdf: FPDF, sheet: _Sheet) -> None:
    for fold in sheet.folds:
        _rule(pdf, 3.0, 8.0, fold, color=RULE, width=0.2)


# --- the letter -----------------------------------------------------------------------


def _draw_letter(pdf: FPDF, sheet: _Sheet, letter: Letter, *, position: tuple[int, int] | None) -> None:
    pdf.add_page()
    _fold_marks(pdf, sheet)
    _draw_sender(pdf, sheet, letter)
    _draw_recipient(pdf, sheet, letter)
    _draw_facts(pdf, sheet, letter)
    footer_top = _draw_footer(pdf, sheet, letter, position)
    code = qr_runs(letter.pay_url)
    pay_height = quiet_side(code, QR_SYMBOL_MM) + 6.0
    # The middle third holds the greeting and the charges, the bottom third the way to
    # pay: no fold runs through the QR code. Charges that do not fit above the fold are
    # summarised in one line.
    y = _draw_opening(pdf, sheet, letter)
    y = _draw_charges(pdf, sheet, letter, top=y + 5.0, bottom=sheet.folds[1] - 5.0)
    if y + 16.0 < sheet.folds[1]:
        _paragraph(pdf, sheet.left, y + 6.0, sheet.content_width * 0.75, ALREADY_PAID, 9, color=MUTED)
    y = _draw_how_to_pay(pdf, sheet, letter, code, top=sheet.folds[1] + 5.0, height=pay_height)
    if y + 20.0 < footer_top:
        y = _text(pdf, sheet.left, y + 5.5, sheet.content_width, "Thank you,", 10.5, color=BODY)
        _text(pdf, sheet.left, y + 0.3, sheet.content_width, letter.property_name, 10.5, bold=True, color=BODY)


def _draw_sender(pdf: FPDF, sheet: _Sheet, letter: Letter) -> None:
    width = sheet.address_width + 10
    y = _text(pdf, sheet.left, sheet.top, width, letter.property_name, 13, bold=True)
    for line in letter.return_address[:3]:
        y = _text(pdf, sheet.left, y + 0.3, width, line, 9, color=BODY)


def _recipient_lines(letter: Letter) -> list[str]:
    if letter.mailing_address:
        return [letter.resident_name, *letter.mailing_address]
    # No postal address: the letter is handed in or put in the unit's mailbox.
    return [letter.resident_name, f"Unit {letter.unit}", letter.property_name]


def _draw_recipient(pdf: FPDF, sheet: _Sheet, letter: Letter) -> None:
    x, y = sheet.left, sheet.address_top
    if sheet.return_line and letter.return_address:
        sender = " · ".join((letter.property_name, *letter.return_address))
        _text(pdf, x, y - 6.0, sheet.address_width, sender, 7, color=MUTED)
        _rule(pdf, x, x + sheet.address_width, y - 2.2, color=RULE, width=0.15)
    lines = _recipient_lines(letter)
    # Five lines at 10.5 pt fill the window; a longer address is set smaller, never cut off.
    size = 10.5 if len(lines) <= 5 else max(7.0, 10.5 * 5 / len(lines))
    for index, line in enumerate(lines):
        y = _text(pdf, x, y, sheet.address_width, line, size, bold=index == 0, color=INK)


def _draw_facts(pdf: FPDF, sheet: _Sheet, letter: Letter) -> None:
    width = 68.0
    x = sheet.content_right - width
    _text(pdf, x, sheet.top - 1.5, width, "Invoice", 20, bold=True, align="R")
    y = sheet.top + 10.5
    for label, value, bold in (
        ("Invoice number", letter.invoice_number, True),
        ("Issued", letter.issue_date, False),
        ("Due", letter.due_date, True),
        ("Unit", letter.unit, False),
    ):
        _text(pdf, x, y, 26, label, 9, color=MUTED)
        _text(pdf, x + 26, y, width - 26, value, 9.5, bold=bold, align="R", cut=False)
        y += 5.4

    # The amount and the date to pay by, the first thing the eye finds below the facts.
    top = sheet.address_top - 3.0
    height = sheet.address_height + 5.0
    pdf.set_fill_color(*PANEL)
    pdf.rect(x, top, width, height, style="F")
    pdf.set_fill_color(*ACCENT)
    pdf.rect(x, top, 1.6, height, style="F")
    inner = x + 6.0
    inner_width = width - 10.0
    _label(pdf, inner, top + 3.6, inner_width, "Amount due")
    _text(pdf, inner, top + 8.0, inner_width, letter.amount_due, 24, bold=True, cut=False)
    _text(pdf, inner, top + 19.5, inner_width, f"Due by {letter.due_date}", 10.5, bold=True, cut=False)


def _draw_opening(pdf: FPDF, sheet: _Sheet, letter: Letter) -> float:
    y = sheet.folds[0] + 8.0
    # A name the font cannot print fully (or no name) is left out of the greeting; the
    # cover page asks the manager to write it on the address.
    printed_whole = letter.resident_name and PLACEHOLDER not in letter.resident_name
    name = letter.resident_name if printed_whole else f"resident of unit {letter.unit}"
    y = _text(pdf, sheet.left, y, sheet.content_width, f"Dear {name},", 11)
    ways = "online by card or bank transfer" + (", or by check" if letter.check else "")
    line_height = 10.5 * PT * 1.45
    pdf.set_xy(sheet.left, y + 2.5)
    # Written piece by piece so the amount and the date stand out; each piece is plain
    # text (fpdf2's markdown is off), whatever characters it holds.
    for piece, bold in (
        (f"{letter.property_name} has issued invoice {letter.invoice_number} for unit {letter.unit}. ", False),
        ("Please pay ", False),
        (letter.amount_due, True),
        (" by ", False),
        (letter.due_date, True),
        (f". You can pay {ways}, as shown below.", False),
    ):
        _font(pdf, 10.5, bold=bold, color=INK if bold else BODY)
        pdf.write(line_height, piece)
    return pdf.get_y() + line_height


def _draw_charges(pdf: FPDF, sheet: _Sheet, letter: Letter, *, top: float, bottom: float) -> float:
    left, right = sheet.left, sheet.content_right
    amount_width = 38.0
    description_width = sheet.content_width - amount_width - 4
    row = 6.6
    y = top
    _label(pdf, left, y, description_width, "Description")
    _label(pdf, right - amount_width, y, amount_width, "Amount", align="R")
    y += 5.0
    _rule(pdf, left, right, y, color=RULE, width=0.3)

    # Rows that fit between the header and the totals; the rest is summarised on one line.
    show_total = letter.total != letter.amount_due
    show_paid = show_total and bool(letter.paid)
    totals_height = (1 + show_total + show_paid) * row + 3.0
    room = max(1, int((bottom - y - totals_height) // row))
    charges = list(letter.charges)
    shown = charges if len(charges) <= room else charges[: room - 1]
    for charge in shown:
        _text(pdf, left, y + 1.6, description_width, charge.description, 10, color=INK)
        _text(pdf, right - amount_width, y + 1.6, amount_width, charge.amount, 10, align="R", cut=False)
        y += row
        _rule(pdf, left, right, y)
    if len(shown) < len(charges):
        more = len(charges) - len(shown)
        words = f"and {more} more charge{'s' if more > 1 else ''}: every line is in the resident portal"
        _text(pdf, left, y + 1.6, description_width, words, 9.5, color=MUTED)
        y += row
        _rule(pdf, left, right, y)

    if show_total:
        _text(pdf, left, y + 1.8, description_width, "Total", 10, bold=True)
        _text(pdf, right - amount_width, y + 1.8, amount_width, letter.total, 10, bold=True, align="R", cut=False)
        y += row
    if show_paid and letter.paid:
        _text(pdf, left, y + 1.8, description_width, "Paid", 10, color=BODY)
        _text(pdf, right - amount_width, y + 1.8, amount_width, f"\u2212{letter.paid}", 10, align="R", cut=False)
        y += row
    _rule(pdf, left, right, y + 0.6, color=INK, width=0.4)
    _text(pdf, left, y + 2.4, description_width, "Amount due", 12, bold=True)
    amount_x = right - amount_width
    return _text(pdf, amount_x, y + 2.4, amount_width, letter.amount_due, 12, bold=True, align="R", cut=False)


def _paragraph(pdf: FPDF, x: float, y: float, width: float, text: str, size: float, color=BODY) -> float:
    _font(pdf, size, color=color)
    pdf.set_xy(x, y)
    pdf.multi_cell(width, size * PT * 1.35, text, align="L")
    return pdf.get_y()


def _draw_how_to_pay(pdf: FPDF, sheet: _Sheet, letter: Letter, code: QrRuns, *, top: float, height: float) -> float:
    left, right = sheet.left, sheet.content_right
    pdf.set_draw_color(*RULE)
    pdf.set_line_width(0.3)
    pdf.rect(left, top, sheet.content_width, height, style="D")

    side = quiet_side(code, QR_SYMBOL_MM)
    draw_qr(pdf, code, left + 3.0, top + (height - side) / 2, QR_SYMBOL_MM)
    text_x = left + 3.0 + side + 3.0
    check_width = 52.0 if letter.check else 0.0
    online_width = right - text_x - (check_width + 11.0 if letter.check else 5.0)

    y = _text(pdf, text_x, top + 5.0, online_width, "Pay online", 14, bold=True, color=ACCENT)
    y = _paragraph(pdf, text_x, y + 1.0, online_width, "Scan with your phone's camera, or type:", 9.5)
    y = _text(pdf, text_x, y + 1.2, online_width, letter.short_url, 15, bold=True, cut=False)
    _paragraph(pdf, text_x, y + 1.5, online_width, "By card or bank transfer (ACH), in the resident portal.", 9.5)

    if letter.check:
        x = right - check_width - 4.0
        pdf.set_draw_color(*HAIRLINE)
        pdf.line(x - 4.0, top + 5.0, x - 4.0, top + height - 5.0)
        y = _text(pdf, x, top + 5.0, check_width, "Pay by check", 12, bold=True)
        y = _text(pdf, x, y + 1.2, check_width, f"Payable to {letter.check.payable_to}", 9, color=BODY, cut=False)
        y = _text(pdf, x, y + 1.2, check_width, "Mail it to:", 9, color=MUTED)
        for line in letter.check.mail_to[:4]:
            y = _text(pdf, x, y + 0.2, check_width, line, 9, color=INK, cut=False)
        _text(pdf, x, y + 1.6, check_width, f"Write {letter.invoice_number} on the check.", 9, color=BODY, cut=False)
    return top + height


def _draw_footer(pdf: FPDF, sheet: _Sheet, letter: Letter, position: tuple[int, int] | None) -> float:
    left, right, width = sheet.left, sheet.content_right, sheet.content_width
    top = sheet.height - sheet.bottom - 10.0
    _rule(pdf, left, right, top, color=RULE)
    _text(pdf, left, top + 2.0, width, f"Questions? {letter.contact_line}", 9, color=BODY, cut=False)
    reference = f"{letter.property_name} · invoice {letter.invoice_number} · unit {letter.unit}"
    if position:
        reference += f" · letter {position[0]} of {position[1]}"
    _font(pdf, 7.5)
    generated_width = min(pdf.get_string_width(letter.generated_at) + 1.0, width * 0.45)
    _text(pdf, right - generated_width, top + 6.6, generated_width, letter.generated_at, 7.5, color=MUTED, align="R")
    _text(pdf, left, top + 6.6, width - generated_width - 4.0, reference, 7.5, color=MUTED)
    return top


# --- the cover --------------------------------------------------------------------------

_ROW = 6.4
_COLUMNS = (
    ("", 7.0),
    ("#", 10.0),
    ("Resident", 0.0),
    ("Unit", 20.0),
    ("Invoice", 28.0),
    ("Amount due", 27.0),
    ("Page", 13.0),
)


def _cover_first_rows_top(sheet: _Sheet, flagged: bool) -> float:
    return sheet.top + 62.0 + (14.0 if flagged else 0.0)


def _cover_rows_per_page(sheet: _Sheet, flagged: bool) -> tuple[int, int]:
    last = sheet.height - sheet.bottom - 8.0
    first = int((last - _cover_first_rows_top(sheet, flagged) - 7.0) // _ROW)
    later = int((last - (sheet.top + 14.0) - 7.0) // _ROW)
    return first, later


def _cover_page_count(sheet: _Sheet, count: int, flagged: bool) -> int:
    first, later = _cover_rows_per_page(sheet, flagged)
    return 1 if count <= first else 1 + math.ceil((count - first) / later)


def _draw_cover(pdf: FPDF, sheet: _Sheet, cover: BatchCover, letters: list[Letter], flagged: list[bool]) -> None:
    count = len(letters)
    any_flagged = any(flagged)
    cover_pages = _cover_page_count(sheet, count, any_flagged)
    first_rows, later_rows = _cover_rows_per_page(sheet, any_flagged)
    left, width = sheet.left, sheet.content_width

    pdf.add_page()
    title = "Print and mail this letter" if count == 1 else f"Print and mail these {count} letters"
    y = _text(pdf, left, sheet.top, width, title, 22, bold=True)
    y = _text(pdf, left, y + 1.0, width, cover.property_name, 13, bold=True, color=BODY)
    y = _text(
        pdf, left, y + 0.5, width, f"Publish All job {cover.job} · prepared {cover.prepared_at}", 9.5, color=MUTED
    )

    first_letter_page = cover_pages + 1
    pages = (
        f"page {first_letter_page}" if count == 1 else f"pages {first_letter_page} to {first_letter_page + count - 1}"
    )
    steps = (
        f"Print {pages} single-sided on plain white paper; each letter is one page. "
        f"The cover {'page is' if cover_pages == 1 else 'pages are'} for you, not for mailing.",
        f"Fold each letter in thirds along the marks at its left edge, address facing out, so the "
        f"address shows through {sheet.envelope}.",
        "These residents have no email address we can use. Each letter has the amount, the due date "
        "and a QR code to their pay page; tick each one off as it goes in an envelope.",
    )
    y += 5.0
    _font(pdf, 10, color=BODY)
    for number, step in enumerate(steps, start=1):
        _text(pdf, left, y, 6.0, f"{number}.", 10, bold=True)
        _font(pdf, 10, color=BODY)
        pdf.set_xy(left + 6.0, y)
        pdf.multi_cell(width - 6.0, 10 * PT * 1.4, step, align="L")
        y = pdf.get_y() + 1.6

    if any_flagged:
        marked = sum(flagged)
        top = _cover_first_rows_top(sheet, True) - 14.0
        pdf.set_fill_color(254, 243, 199)
        pdf.rect(left, top, width, 10.0, style="F")
        warning = (
            f"{marked} letter{'s' if marked > 1 else ''} marked ! below "
            f"{'have' if marked > 1 else 'has'} a name or address with characters this font cannot print "
            f"(shown as {PLACEHOLDER}). Check {'them' if marked > 1 else 'it'} and write the name by hand."
        )
        _font(pdf, 9, color=INK)
        pdf.set_xy(left + 3.0, top + 1.4)
        pdf.multi_cell(width - 6.0, 9 * PT * 1.3, warning, align="L")

    rows_top = _cover_first_rows_top(sheet, any_flagged)
    remaining = list(enumerate(zip(letters, flagged, strict=True), start=1))
    page = 1
    while remaining:
        if page > 1:
            pdf.add_page()
            rows_top = sheet.top + 14.0
            _text(pdf, left, sheet.top, width, f"{title} (continued)", 13, bold=True)
            _text(pdf, left, sheet.top + 6.5, width, f"{cover.property_name} · job {cover.job}", 9, color=MUTED)
        take = first_rows if page == 1 else later_rows
        _draw_cover_rows(pdf, sheet, rows_top, remaining[:take], first_letter_page)
        remaining = remaining[take:]
        _text(
            pdf,
            left,
            sheet.height - sheet.bottom - 4.0,
            width,
            f"Cover page {page} of {cover_pages} · not for mailing",
            7.5,
            color=MUTED,
            align="R",
        )
        page += 1


def _draw_cover_rows(
    pdf: FPDF, sheet: _Sheet, top: float, rows: list[tuple[int, tuple[Letter, bool]]], first_letter_page: int
) -> None:
    left, right = sheet.left, sheet.content_right
    fixed = sum(width for _, width in _COLUMNS)
    widths = [width or (sheet.content_width - fixed) for _, width in _COLUMNS]
    aligned_right = {"#", "Amount due", "Page"}

    x = left
    for (name, _), width in zip(_COLUMNS, widths, strict=True):
        _label(pdf, x, top, width - 2.0, name, align="R" if name in aligned_right else "L", size=7)
        x += width
    y = top + 5.0
    _rule(pdf, left, right, y, color=RULE, width=0.3)
    for number, (letter, flagged) in rows:
        cells = (
            "",
            str(number),
            ("! " if flagged else "") + letter.resident_name,
            letter.unit,
            letter.invoice_number,
            letter.amount_due,
            str(first_letter_page + number - 1),
        )
        x = left
        for (name, _), width, value in zip(_COLUMNS, widths, cells, strict=True):
            if name == "":
                pdf.set_draw_color(*MUTED)
                pdf.set_line_width(0.25)
                pdf.rect(x + 0.5, y + 1.6, 3.4, 3.4, style="D")
            else:
                _text(
                    pdf,
                    x,
                    y + 1.5,
                    width - 2.0,
                    value,
                    9.5,
                    bold=name == "Resident" and flagged,
                    color=INK,
                    align="R" if name in aligned_right else "L",
                    cut=name == "Resident",
                )
            x += width
        y += _ROW
        _rule(pdf, left, right, y)
