"""Prints letters: one per invoice the stream shows a resident the email cannot reach
(the template's FilterCriteria select them), and what LettersQueue asks for (a job's
merged PDF, an invoice's letter). One function, two event sources: both print."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from hoa_billing import compose
from hoa_billing.core.json_input import parse_json
from hoa_billing.core.observability import instrumented, logger, metrics
from hoa_billing.letters_delivery import LetterPrinter, LetterRequest

processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


@instrumented
def lambda_handler(event: dict[str, Any], context: LambdaContext, deps: LetterPrinter | None = None) -> dict[str, Any]:
    printer = deps or compose.letter_printer()
    records = event.get("Records") or []
    if records and records[0].get("eventSource") == "aws:sqs":
        return _requests(printer, event, context)
    outcome = printer.print_unreachable(records)
    metrics.add_metric(name="LettersPrinted", unit="Count", value=outcome.printed)
    logger.info("stream letters", printed=outcome.printed, already=outcome.already, failed=len(outcome.failed))
    return {"batchItemFailures": [{"itemIdentifier": sequence} for sequence in outcome.failed]}


def _requests(printer: LetterPrinter, event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    def handle(record: SQSRecord) -> None:
        # An unreadable request raises here: it fails, and ends in the dead-letter queue.
        request = LetterRequest.of(parse_json(record.body))
        printed = printer.handle(request)
        metrics.add_metric(name="LettersPrinted", unit="Count", value=printed)
        logger.info("letter request done", letter=request.kind, id=request.subject_id, printed=printed)

    return process_partial_response(event=event, record_handler=handle, processor=processor, context=context)
