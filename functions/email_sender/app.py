"""Sends the emails the outbox queued (invoice emails, receipts, payment notices), at most the account's SES rate (the
queue's MaximumConcurrency senders, each at its pace), reporting partial failures."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from hoa_billing import compose
from hoa_billing.core.observability import instrumented, metrics
from hoa_billing.email import InvoiceEmailer, Mailroom, RetryLater, requests_in

processor = BatchProcessor(event_type=EventType.SQS)


@instrumented
def lambda_handler(event: dict[str, Any], context: LambdaContext, deps: Mailroom | InvoiceEmailer | None = None) -> Any:
    emailer = deps or compose.mailroom()

    def deliver(record: SQSRecord) -> None:
        # This receipt of the message: the claim is held under the request and it.
        attempt = hashlib.blake2b(record.receipt_handle.encode(), digest_size=6).hexdigest()
        later: RetryLater | None = None
        for request in requests_in(json.loads(record.body)):
            try:
                # The feature logs each attempt and each change (message id, or why not).
                _, outcome = emailer.deliver_record(request, attempt)
            except RetryLater as retry:
                later = retry  # the others in the message go first; this one comes back
                continue
            metrics.add_metric(name=f"Email_{outcome.value}", unit="Count", value=1)
        if later is not None:
            raise later

    return process_partial_response(event=event, record_handler=deliver, processor=processor, context=context)
