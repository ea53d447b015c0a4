"""Render sample emails to docs/email/ (the invoice, a receipt, a failed bank payment's
notice): HTML, plain text with the headers SES sends, and PNG screenshots at desktop and
phone widths (headless Chromium). Run it after changing the templates:

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

from hoa_billing.adapters.ses import mailbox  # noqa: E402
from hoa_billing.core.models import (  # noqa: E402
    Actor,
    ActorKind,
    Invoice,
    InvoiceStatus,
    LineItem,
    Notice,
    NoticeKind,
    PaymentRecord,
    PaymentState,
    Recipient,
)
from hoa_billing.email.render import RenderedEmail, render_invoice_email, render_notice_email  # noqa: E402

OUT = ROOT / "docs" / "email"
WIDTHS = {"desktop": (1280, 1120), "phone": (390, 1330)}
PORTAL = "https://portal.maplecourt.example"
SENDER = mailbox("billing@maplecourt.example", "Maple Court HOA")
REPLY_TO = "office@maplecourt.example"


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
        published_at=datetime(2026, 4, 1, 13, 5, tzinfo=UTC),
    )
    return invoice, Recipient(name="Jordan Alvarez", email="jordan@example.com", unit="12B")


def notice(invoice: Invoice, kind: NoticeKind, amount: int, balance_after: int) -> Notice:
    return Notice(
        invoice_id=invoice.invoice_id,
        notice_id=f"{kind.value}#pi_3PqR7sLkdIwHu7ix0Ab1Cd2E",
        kind=kind,
        property_id=invoice.property_id,
        resident_id=invoice.resident_id,
        payment_id="pi_3PqR7sLkdIwHu7ix0Ab1Cd2E",
        amount=amount,
        currency=invoice.currency,
        balance_after=balance_after,
        created_at=datetime(2026, 4, 9, 2, 30, tzinfo=UTC),  # April 8 in New York
    )


def samples() -> dict[str, RenderedEmail]:
    invoice, recipient = sample()
    paid = invoice.model_copy(update={"amount_paid": 39500, "status": InvoiceStatus.PAID})
    failed_ach = PaymentRecord(
        payment_id="pi_3PqR7sLkdIwHu7ix0Ab1Cd2E",
        state=PaymentState.FAILED,
        amount=39500,
        currency="USD",
        failure={"code": "insufficient_funds", "message": "The bank account has insufficient funds."},
        updated_at=datetime(2026, 4, 9, 2, 30, tzinfo=UTC),
    )
    failed = invoice.model_copy(update={"payments": {failed_ach.payment_id: failed_ach}})
    return {
        "invoice": render_invoice_email(invoice, recipient, PORTAL, REPLY_TO),
        "receipt": render_notice_email(notice(paid, NoticeKind.RECEIPT, 39500, 0), paid, recipient, PORTAL, REPLY_TO),
        "payment-failed": render_notice_email(
            notice(failed, NoticeKind.PAYMENT_FAILED, 39500, 39500), failed, recipient, PORTAL, REPLY_TO
        ),
    }


def headers(rendered: RenderedEmail, recipient: Recipient) -> str:
    return (
        f"From: {SENDER}\nReply-To: {REPLY_TO}\nTo: {mailbox(recipient.email, recipient.name)}\n"
        f"Subject: {rendered.subject}\n"
    )


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
    if not args.chromium:
        sys.exit("chromium not found: install it (apt-get install -y chromium) or pass --chromium")
    _, recipient = sample()
    written = []
    for kind, rendered in samples().items():
        html = OUT / f"{kind}.html"
        html.write_text(rendered.html, encoding="utf-8")
        (OUT / f"{kind}.txt").write_text(f"{headers(rendered, recipient)}\n{rendered.text}", encoding="utf-8")
        for name, (width, height) in WIDTHS.items():
            screenshot(args.chromium, html, OUT / f"{kind}-{name}.png", width, height)
        written.append(kind)
    print(f"wrote {OUT.relative_to(ROOT)}/: " + ", ".join(f"{k}.html, {k}.txt, {k}-*.png" for k in written))


if __name__ == "__main__":
    main()
