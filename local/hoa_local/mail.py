"""Sent email as files: every message the embedded SES accepted becomes ``<n>-<id>.eml``
(the whole message) and ``<n>-<id>.html`` (its HTML part, or the text part in <pre>) in a
folder, so a person can open what residents would receive.

A Simple message (SES v2's ``Content.Simple``) is written as SES builds it: From (with
its display name), Reply-To, To, Subject, Date, Message-ID, and the text and HTML bodies
as multipart/alternative (``moto_fixes.keep_whole_simple_emails`` keeps them).

SES accepts strings the email package refuses in a header (a CR LF, a NUL) or cannot
encode (an unpaired surrogate). Such a message is still written, with each offending
character shown as U+FFFD and a warning in the log: the writer never stops on one."""

from __future__ import annotations

import html
import logging
import re
import threading
import unicodedata
from email import message_from_string, policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from types import SimpleNamespace
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
    simple = getattr(sent, "simple", None)
    message = EmailMessage()
    message["From"] = _addresses([sent.source])
    if simple and simple.get("reply_to"):
        message["Reply-To"] = _addresses(simple["reply_to"])
    for header, kind in (("To", "ToAddresses"), ("Cc", "CcAddresses")):
        if sent.destinations.get(kind):
            message[header] = _addresses(sent.destinations[kind])
    message["Subject"] = sent.subject
    if simple and simple.get("sent_at") is not None:
        message["Date"] = format_datetime(simple["sent_at"])
    message["Message-ID"] = f"<{sent.id}@email.amazonses.com>"
    if simple and simple.get("text") is not None and simple.get("html") is not None:
        message.set_content(simple["text"])
        message.add_alternative(simple["html"], subtype="html")
        return message
    body = sent.body or ""
    looks_like_html = bool(re.search(r"<(html|body|p|div|table|br)\b", body, re.IGNORECASE))
    message.set_content(body, subtype="html" if looks_like_html else "plain")
    return message


def _addresses(values: list[str]) -> tuple[Address, ...]:
    """Each value as SES took it (``Name <address>``, encoded words and all), read by the
    header classes; a header made of them, never a string joined by hand."""
    return tuple(address for value in values for address in policy.default.header_factory("To", value).addresses)


def _printable(value: Any, keep: str = "") -> Any:
    """Control characters (but those in ``keep``), line and paragraph separators and
    unpaired surrogates as U+FFFD, in a string or any list or dict of strings."""
    if isinstance(value, str):
        return "".join(_REPLACEMENT if char not in keep and _unprintable(char) else char for char in value)
    if isinstance(value, dict):
        return {key: _printable(item, keep) for key, item in value.items()}
    if isinstance(value, list):
        return [_printable(item, keep) for item in value]
    return value


_REPLACEMENT = "\ufffd"
# A header is one line; a body keeps its line breaks and tabs.
_KEEP = {"source": "", "destinations": "", "subject": "", "body": "\n\t", "raw_data": "\r\n\t"}


def _unprintable(char: str) -> bool:
    return unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp")


def files_of(sent: Any) -> tuple[bytes, str]:
    """The .eml bytes and the page of one message SES accepted; a message the email
    package cannot represent as it is, with its unprintable characters replaced."""
    try:
        mime = as_email(sent)
        return mime.as_bytes(), _html_of(mime)
    except (ValueError, TypeError, LookupError) as refused:  # header and Unicode errors included
        log.warning("email %s has characters a mail file cannot hold (%s); written with U+FFFD", sent.id, refused)
    shown = SimpleNamespace(
        id=sent.id, **{key: _printable(getattr(sent, key, None), keep) for key, keep in _KEEP.items()}
    )
    simple = getattr(sent, "simple", None)
    if simple:
        shown.simple = {**_printable(simple, "\n\t"), "reply_to": _printable(simple.get("reply_to"))}
    mime = as_email(shown)
    return mime.as_bytes(), _html_of(mime)


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
            self.written += 1
            if not hasattr(message, "source"):  # templated sends keep no body to show
                continue
            eml, page = files_of(message)
            stem = self.folder / f"{self.written:04d}-{message.id}"
            stem.with_suffix(".eml").write_bytes(eml)
            stem.with_suffix(".html").write_text(page, encoding="utf-8")
            log.info("email %s -> %s.eml", message.id, stem)
            paths.append(stem.with_suffix(".eml"))
        return paths

    def run(self, stop: threading.Event) -> None:
        while not stop.wait(0.25):
            try:
                self.poll_once()
            except Exception:
                log.exception("could not write sent email")
        self.poll_once()
