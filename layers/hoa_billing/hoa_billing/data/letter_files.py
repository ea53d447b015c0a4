"""Printed letters in S3: where each PDF lives, which letters a Publish All job has, and
short-lived links to them.

Keys (one bucket, private, encrypted; template.yaml's ``LettersBucket``):

* ``letters/{property_id}/invoices/{invoice_id}.pdf``: an invoice's letter. The key is the
  invoice's, so printing it again replaces it: there is never a second letter for an
  invoice. Its metadata holds the invoice's version it was printed from.
* ``letters/{property_id}/jobs/{job_id}/{invoice_id}``: an empty marker, written after the
  letter, for an invoice a Publish All job published. A job's letters are one
  ListObjectsV2 of that prefix: no table index.
* ``letters/{property_id}/jobs/{job_id}.pdf``: the job's letters merged behind a cover.
  Its metadata holds a digest of the invoice ids it was printed from.
* ``requests/{property_id}/{invoices|jobs}/{id}``: an empty note that a manager asked for
  it and a request is queued (expires after a day; the lifecycle rule of ``requests/``).

The lifecycle expires ``letters/`` after LettersRetentionDays. Nothing here is public: a
manager's browser gets a pre-signed GET that names the file it saves.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from hoa_billing.data import aws

LETTERS = "letters"
REQUESTS = "requests"
PDF = "application/pdf"
VERSION_META = "invoice-version"
DIGEST_META = "letters-digest"
COUNT_META = "letters"
_NOT_THERE = frozenset({"404", "NoSuchKey", "NotFound"})
_UNSAFE_IN_FILE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def letter_key(property_id: str, invoice_id: str) -> str:
    return f"{LETTERS}/{property_id}/invoices/{invoice_id}.pdf"


def job_prefix(property_id: str, job_id: str) -> str:
    return f"{LETTERS}/{property_id}/jobs/{job_id}/"


def batch_key(property_id: str, job_id: str) -> str:
    return f"{LETTERS}/{property_id}/jobs/{job_id}.pdf"


def request_key(property_id: str, kind: str, subject_id: str) -> str:
    return f"{REQUESTS}/{property_id}/{kind}/{subject_id}"


def content_disposition(file_name: str) -> str:
    """``inline; filename="letter-INV-0007.pdf"``: the browser shows the PDF and saves it
    under that name. The name is reduced to letters, digits, ``.``, ``_`` and ``-`` first,
    so nothing a person typed reaches the header."""
    safe = re.sub(r"-{2,}", "-", _UNSAFE_IN_FILE_NAME.sub("-", file_name)).strip("-.") or "letter.pdf"
    return f'inline; filename="{safe}"'


class S3LetterFiles:
    def __init__(self, bucket: str, client: Any | None = None) -> None:
        self.bucket = bucket
        self._client = client

    @property
    def client(self) -> Any:
        return self._client or aws.s3_client()

    # -- an invoice's letter ------------------------------------------------------------

    def letter_version(self, property_id: str, invoice_id: str) -> int | None:
        """The invoice version the stored letter was printed from; None: no letter."""
        head = self._head(letter_key(property_id, invoice_id))
        if head is None:
            return None
        return int(head.get("Metadata", {}).get(VERSION_META, "0") or 0)

    def put_letter(self, property_id: str, invoice_id: str, pdf: bytes, *, version: int) -> None:
        self._put(letter_key(property_id, invoice_id), pdf, {VERSION_META: str(version)})

    def add_to_job(self, property_id: str, job_id: str, invoice_id: str) -> None:
        self.client.put_object(Bucket=self.bucket, Key=job_prefix(property_id, job_id) + invoice_id, Body=b"")

    def letter_link(self, property_id: str, invoice_id: str, file_name: str, seconds: int) -> str:
        return self._link(letter_key(property_id, invoice_id), file_name, seconds)

    # -- a job's letters ----------------------------------------------------------------

    def job_invoice_ids(self, property_id: str, job_id: str) -> list[str]:
        """The invoices of the job that have a letter, in key order."""
        prefix = job_prefix(property_id, job_id)
        return [key[len(prefix) :] for key in self._keys(prefix)]

    def batch_digest(self, property_id: str, job_id: str) -> str | None:
        """The digest of the invoice ids the stored merged PDF holds; None: none stored."""
        head = self._head(batch_key(property_id, job_id))
        return None if head is None else str(head.get("Metadata", {}).get(DIGEST_META, ""))

    def put_batch(self, property_id: str, job_id: str, pdf: bytes, *, digest: str, letters: int) -> None:
        self._put(batch_key(property_id, job_id), pdf, {DIGEST_META: digest, COUNT_META: str(letters)})

    def batch_link(self, property_id: str, job_id: str, file_name: str, seconds: int) -> str:
        return self._link(batch_key(property_id, job_id), file_name, seconds)

    # -- "a manager asked" notes --------------------------------------------------------

    def asked_at(self, property_id: str, kind: str, subject_id: str) -> datetime | None:
        head = self._head(request_key(property_id, kind, subject_id))
        return None if head is None else head.get("LastModified")

    def note_asked(self, property_id: str, kind: str, subject_id: str) -> None:
        self.client.put_object(Bucket=self.bucket, Key=request_key(property_id, kind, subject_id), Body=b"")

    # -- S3 ------------------------------------------------------------------------------

    def _put(self, key: str, pdf: bytes, metadata: dict[str, str]) -> None:
        self.client.put_object(Bucket=self.bucket, Key=key, Body=pdf, ContentType=PDF, Metadata=metadata)

    def _head(self, key: str) -> dict[str, Any] | None:
        try:
            head: dict[str, Any] = self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in _NOT_THERE:
                return None
            raise
        return head

    def _keys(self, prefix: str) -> Iterator[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            for entry in page.get("Contents", []):
                yield str(entry["Key"])

    def _link(self, key: str, file_name: str, seconds: int) -> str:
        url: str = self.client.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.bucket,
                "Key": key,
                "ResponseContentDisposition": content_disposition(file_name),
                "ResponseContentType": PDF,
            },
            ExpiresIn=seconds,
        )
        return url
