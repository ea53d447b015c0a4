"""Sent email as files: every message the embedded SES accepted becomes ``<n>-<id>.eml``
(the whole message) and ``<n>-<id>.html`` (its HTML part, or the text part in <pre>) in a
folder, so a person can open what residents would receive."""

from __future__ import annotations

import html
import logging
import re
import threading
from email import message_from_string, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from moto.ses.models import ses_backends

log = logging.getLogger("hoa_local.mail")


def _html_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html", "plain"))
    if part is None:
        return ""
    content = part.get_content()
    return content if part.get_content_subtype() == "html" else f"<pre>{html.escape(content)}</pre>"


def as_email(sent: Any) -> EmailMessage:
    """A MIME message for what SES accepted: raw messages as sent, simple ones rebuilt."""
    raw = getattr(sent, "raw_data", None)
    if raw is not None:
        parsed = message_from_string(raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed
    message = EmailMessage()
    message["From"] = sent.source
    for header, kind in (("To", "ToAddresses"), ("Cc", "CcAddresses")):
        if sent.destinations.get(kind):
            message[header] = ", ".join(sent.destinations[kind])
    message["Subject"] = sent.subject
    message["Message-ID"] = f"<{sent.id}@email.amazonses.com>"
    body = sent.body or ""
    looks_like_html = bool(re.search(r"<(html|body|p|div|table|br)\b", body, re.IGNORECASE))
    message.set_content(body, subtype="html" if looks_like_html else "plain")
    return message


class MailFolder:
    """Copies messages from the embedded SES (same process as moto's server) to files."""

    def __init__(self, folder: Path, account: str, region: str) -> None:
        self.folder = folder
        self.account = account
        self.region = region
        self.written = 0
        self.name = "mail"
        folder.mkdir(parents=True, exist_ok=True)

    def poll_once(self) -> list[Path]:
        sent = list(ses_backends[self.account][self.region].sent_messages)
        paths = []
        for message in sent[self.written :]:
            if not hasattr(message, "source"):  # templated sends keep no body to show
                self.written += 1
                continue
            self.written += 1
            mime = as_email(message)
            stem = self.folder / f"{self.written:04d}-{message.id}"
            stem.with_suffix(".eml").write_bytes(mime.as_bytes())
            stem.with_suffix(".html").write_text(_html_of(mime), encoding="utf-8")
            log.info("email %r to %s -> %s.eml", mime["Subject"], mime["To"], stem)
            paths.append(stem.with_suffix(".eml"))
        return paths

    def run(self, stop: threading.Event) -> None:
        while not stop.wait(0.25):
            try:
                self.poll_once()
            except Exception:
                log.exception("could not write sent email")
        self.poll_once()
