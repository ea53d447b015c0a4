"""Render sample printed letters to docs/letters/: one letter, a batch of three behind its
cover page, and PNG pictures of every page (pdftoppm, from Debian's poppler-utils). Run it
after changing the letter's layout:

    .venv/bin/python scripts/render_letter_samples.py [--paper a4]

Looking at the PNGs is part of changing the letter.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "layers" / "hoa_billing"))

from hoa_billing.letters import (  # noqa: E402
    BatchCover,
    Charge,
    CheckPayment,
    Letter,
    Paper,
    render_letter,
    render_letters,
)

OUT = ROOT / "docs" / "letters"
OFFICE = ("Maple Court HOA Management Office", "1200 Maple Court, Suite 100", "Springfield, IL 62704")


def sample(
    name: str = "Jordan Alvarez",
    unit: str = "4B",
    number: str = "INV-00042",
    mailing: tuple[str, ...] = ("1200 Maple Court, Unit 4B", "Springfield, IL 62704"),
) -> Letter:
    return Letter(
        property_name="Maple Court HOA",
        contact_line="billing@maplecourt.example or (217) 555-0142, weekdays 9 to 5",
        return_address=OFFICE[1:],
        resident_name=name,
        unit=unit,
        mailing_address=mailing,
        invoice_number=number,
        issue_date="March 28, 2026",
        due_date="April 15, 2026",
        charges=(
            Charge("Monthly assessment, April 2026", "$325.00"),
            Charge("Pool key replacement", "$30.00"),
        ),
        total="$355.00",
        amount_due="$355.00",
        pay_url=f"https://portal.maplecourt.example/invoices/inv_01JQ3Z8K4X7M2N5P9R6T{number[-4:]}",
        short_url=f"maplecourt.example/pay/7KQ{number[-3:]}",
        check=CheckPayment(payable_to="Maple Court HOA", mail_to=OFFICE),
        generated_at="Generated March 28, 2026, 9:14 AM EDT",
    )


def batch() -> list[Letter]:
    return [
        sample("Zoë Ångström", "7A", "INV-00043", ("1200 Maple Court, Unit 7A", "Springfield, IL 62704")),
        sample("Łukasz Wójcik", "12C", "INV-00044", ()),
        sample("李雷", "3D", "INV-00045", ("1200 Maple Court, Unit 3D", "Springfield, IL 62704")),
    ]


def to_png(pdf: Path) -> list[Path]:
    for old in OUT.glob(f"{pdf.stem}-*.png"):
        old.unlink()
    subprocess.run(  # noqa: S603 - a local converter and our own files
        ["pdftoppm", "-png", "-r", "110", str(pdf), str(OUT / pdf.stem)],  # noqa: S607
        check=True,
        capture_output=True,
        timeout=120,
    )
    return sorted(OUT.glob(f"{pdf.stem}-*.png"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paper", choices=[paper.value for paper in Paper], default=Paper.LETTER.value)
    args = parser.parse_args()
    paper = Paper(args.paper)
    OUT.mkdir(parents=True, exist_ok=True)
    cover = BatchCover(property_name="Maple Court HOA", job="job_01JQ40AB", prepared_at="March 28, 2026, 9:14 AM EDT")
    written = {
        OUT / "letter.pdf": render_letter(sample(), paper=paper),
        OUT / "batch.pdf": render_letters(batch(), cover, paper=paper),
    }
    for path, pdf in written.items():
        path.write_bytes(pdf)
        print(f"{path.relative_to(ROOT)}  {len(pdf):,} bytes")
    if shutil.which("pdftoppm") is None:
        print("pdftoppm not found: apt-get install poppler-utils, then run this again for the PNGs")
        return
    for path in written:
        for png in to_png(path):
            print(f"{png.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
