"""Render a sample invoice email to docs/email/: HTML, plain text, and PNG screenshots at
desktop and phone widths (headless Chromium). Run it after changing the templates:

    .venv/bin/python scripts/render_email_samples.py [--chromium /usr/bin/chromium]

Looking at the PNGs is part of changing the email.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "layers" / "hoa_billing"))

from hoa_billing.core.models import Actor, ActorKind, Invoice, InvoiceStatus, LineItem, Recipient  # noqa: E402
from hoa_billing.email.render import render_invoice_email  # noqa: E402

OUT = ROOT / "docs" / "email"
WIDTHS = {"desktop": (1280, 980), "phone": (390, 1280)}


def sample() -> tuple[Invoice, Recipient]:
    invoice = Invoice(
        invoice_id="inv_01JQ3Z8K4X7M2N5P9R6T1V0W3Y",
        property_id="prop_maple",
        property_name="Maple Court HOA",
        time_zone="America/New_York",
        resident_id="res_01",
        resident_name="Jordan Alvarez",
        number="INV-00042",
        status=InvoiceStatus.OPEN,
        currency="USD",
        line_items=[
            LineItem(description="Monthly assessment - April 2026", amount=32500),
            LineItem(description="Reserve fund contribution", amount=4500),
            LineItem(description="Pool key replacement", amount=2500),
        ],
        amount_due=39500,
        due_date=date(2026, 4, 15),
        memo="Assessments are due on the 15th. Thank you for keeping your account current.",
        created_at=datetime(2026, 3, 28, tzinfo=UTC),
        created_by=Actor(kind=ActorKind.API, id="mgr"),
    )
    return invoice, Recipient(name="Jordan Alvarez", email="jordan@example.com")


def screenshot(chromium: str, html: Path, png: Path, width: int, height: int) -> None:
    subprocess.run(  # noqa: S603 - a local browser binary and our own files
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            f"--screenshot={png}",
            f"--window-size={width},{height}",
            html.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chromium", default=shutil.which("chromium") or shutil.which("chromium-browser"))
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    invoice, recipient = sample()
    rendered = render_invoice_email(invoice, recipient, "https://portal.maplecourt.example")
    html = OUT / "invoice.html"
    html.write_text(rendered.html, encoding="utf-8")
    (OUT / "invoice.txt").write_text(f"Subject: {rendered.subject}\n\n{rendered.text}", encoding="utf-8")
    if not args.chromium:
        sys.exit("chromium not found: install it (apt-get install -y chromium) or pass --chromium")
    for name, (width, height) in WIDTHS.items():
        screenshot(args.chromium, html, OUT / f"invoice-{name}.png", width, height)
    print(
        f"wrote {OUT.relative_to(ROOT)}/: invoice.html, invoice.txt, " + ", ".join(f"invoice-{n}.png" for n in WIDTHS)
    )


if __name__ == "__main__":
    main()
