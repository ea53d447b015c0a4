"""Links to printed letters: an invoice's letter, and a Publish All job's merged PDF.

A function of its own: it alone may read the letters bucket, sign links to it and queue
letter requests; the invoice and job routes keep their narrower permissions."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response

from hoa_billing import compose
from hoa_billing.api.auth import Caller
from hoa_billing.api.http import ApiFunction, json_response, refusals
from hoa_billing.api.letter_schemas import JobLettersOut, LetterLinkOut, LetterPreparingOut
from hoa_billing.core import errors
from hoa_billing.letters_delivery import LetterLinks, Preparing

api = ApiFunction[LetterLinks](compose.letter_links, Caller.MANAGER)
app = api.app


def _preparing(preparing: Preparing) -> Response[Any]:
    return json_response(202, LetterPreparingOut.of(preparing), headers={"Retry-After": str(preparing.retry_after)})


_PREPARING = {
    "description": "Being printed: ask again after `Retry-After` seconds",
    "content": {"application/json": {"model": LetterPreparingOut}},
    "headers": {"Retry-After": {"description": "Seconds to wait before asking again.", "schema": {"type": "integer"}}},
}


@app.get(
    "/properties/<property_id>/invoices/<invoice_id>/letter",
    summary="The invoice's printable letter",
    description="A one-page PDF to print and mail to a resident the email cannot reach: a link valid for 15 "
    "minutes, or 202 while it is printed (the first ask prints it; a payment since the last print prints it "
    "again). A draft has none (409 `invoice_not_published`), nor a void invoice (409 `letter_not_available`).",
    tags=["Letters"],
    operation_id="getInvoiceLetter",
    openapi_extensions=refusals(errors.InvoiceNotFound, errors.InvoiceNotPublished, errors.LetterNotAvailable),
    responses={
        200: {
            "description": "The letter: a link valid for 15 minutes",
            "content": {"application/json": {"model": LetterLinkOut}},
        },
        202: _PREPARING,
    },
)
def invoice_letter(property_id: str, invoice_id: str) -> Response[LetterLinkOut | LetterPreparingOut]:
    found = api.deps().invoice_letter(property_id, invoice_id)
    if isinstance(found, Preparing):
        return _preparing(found)
    return json_response(200, LetterLinkOut.of(found))


@app.get(
    "/properties/<property_id>/publish-jobs/<job_id>/letters",
    summary="A Publish All job's letters, merged",
    description='One PDF with a cover page ("print and mail these N letters") and the letter of every '
    "resident of the job the email could not reach: a link valid for 15 minutes, 202 while it is merged, or "
    "`letters: 0` and no link when everyone was emailed.",
    tags=["Letters"],
    operation_id="getPublishJobLetters",
    openapi_extensions=refusals(errors.PublishJobNotFound),
    responses={
        200: {
            "description": "The job's letters: a link valid for 15 minutes, or none when it has no letters",
            "content": {"application/json": {"model": JobLettersOut}},
        },
        202: _PREPARING,
    },
)
def job_letters(property_id: str, job_id: str) -> Response[JobLettersOut | LetterPreparingOut]:
    found = api.deps().job_letters(property_id, job_id)
    if isinstance(found, Preparing):
        return _preparing(found)
    return json_response(200, JobLettersOut.of(found))


lambda_handler = api.handler
