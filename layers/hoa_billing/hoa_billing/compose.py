"""The composition root: every function's dependencies, built from configuration once
per process (at cold start) and reused across invocations.

Each handler asks for exactly one of these; tests build the same objects over fakes or
moto instead. Nothing else in the layer constructs a repository or an adapter.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from hoa_billing.core.settings import (
    get_bulk_settings,
    get_checkout_settings,
    get_email_queue_settings,
    get_email_settings,
    get_letter_settings,
    get_resend_settings,
    get_settings,
    get_webhook_settings,
)

# Each builder imports what it builds: a function imports the features and repositories
# it uses, not every one of the layer's (cold start; see bench/cold_start.py).
if TYPE_CHECKING:
    from hoa_billing.data.directory import DynamoDirectory
    from hoa_billing.data.invoices import DynamoInvoices
    from hoa_billing.data.letter_files import S3LetterFiles
    from hoa_billing.data.letter_sources import DynamoLetterSources
    from hoa_billing.data.listings import DynamoInvoiceListings
    from hoa_billing.data.notices import DynamoNotices
    from hoa_billing.data.outbox import DynamoEmailOutbox
    from hoa_billing.email import BounceRecorder, EmailRequests, EmailResends, Mailroom
    from hoa_billing.invoices import Invoices
    from hoa_billing.letters_delivery import LetterCounts, LetterLinks, LetterPrinter
    from hoa_billing.overdue import OverdueSweep
    from hoa_billing.payments import ResidentCheckout, StripeWebhook
    from hoa_billing.portal import ResidentPortal
    from hoa_billing.properties import Properties
    from hoa_billing.publish_all import PublishAll

# -- repositories ------------------------------------------------------------------------


@cache
def directory() -> DynamoDirectory:
    from hoa_billing.data.directory import DynamoDirectory

    return DynamoDirectory(get_settings().properties_table)


@cache
def invoice_store() -> DynamoInvoices:
    from hoa_billing.data.invoices import DynamoInvoices

    return DynamoInvoices(get_settings().invoices_table)


@cache
def invoice_listings() -> DynamoInvoiceListings:
    from hoa_billing.data.listings import DynamoInvoiceListings

    return DynamoInvoiceListings(get_settings().invoices_table)


@cache
def email_outbox() -> DynamoEmailOutbox:
    from hoa_billing.data.outbox import DynamoEmailOutbox

    return DynamoEmailOutbox(get_settings().invoices_table)


# -- features ------------------------------------------------------------------------------


@cache
def invoices() -> Invoices:
    from hoa_billing.invoices import Invoices

    return Invoices.build(invoice_store(), invoice_listings(), directory())


@cache
def properties() -> Properties:
    from hoa_billing.properties import Properties

    return Properties(directory())


@cache
def publish_all() -> PublishAll:
    from hoa_billing.data.deliveries import DynamoJobDeliveries
    from hoa_billing.data.jobs import DynamoPublishJobs
    from hoa_billing.data.queues import SqsQueue
    from hoa_billing.publish_all import PublishAll

    settings = get_bulk_settings()
    return PublishAll.build(
        publisher=invoices().publisher,
        invoices=invoice_store(),
        listings=invoice_listings(),
        directory=directory(),
        jobs=DynamoPublishJobs(settings.publish_jobs_table, counts_table=get_settings().invoices_table),
        publish_queue=SqsQueue(settings.publish_queue_url),
        fan_out_queue=SqsQueue(settings.fan_out_queue_url),
        max_receive_count=settings.publish_max_receive_count,
        deliveries=DynamoJobDeliveries(get_settings().invoices_table, jobs_table=settings.publish_jobs_table),
        units=directory(),
        # The printed letters of the job, counted in the letters bucket when a report asks:
        # only the API function has the bucket; the fan-out and the workers never count.
        letters=_JobLetterCounts(),
    )


@cache
def notices() -> DynamoNotices:
    from hoa_billing.data.notices import DynamoNotices

    return DynamoNotices(get_settings().notices_table, get_settings().invoices_table)


@cache
def mailroom() -> Mailroom:
    """The email sender's dependencies: one SES sender (one pace) and one cache of the
    properties' senders, shared by the invoice email and the payment notices."""
    from hoa_billing.adapters.pacing import PacedSender
    from hoa_billing.adapters.ses import SesEmailSender, ses_client
    from hoa_billing.email import EmailSender, InvoiceEmailer, Mailroom, NoticeEmailer, PropertySenders

    settings = get_email_settings()
    sender: EmailSender = SesEmailSender(ses_client(), settings.sender_email, settings.configuration_set)
    if settings.sends_per_second is not None:
        sender = PacedSender(sender, settings.sends_per_second)
    senders = PropertySenders(directory())
    return Mailroom(
        InvoiceEmailer(email_outbox(), sender, settings, senders=senders),
        NoticeEmailer(notices(), email_outbox(), directory(), sender, settings, senders=senders),
    )


@cache
def email_requests() -> EmailRequests:
    from hoa_billing.data.queues import SqsQueue
    from hoa_billing.email import EmailRequests

    return EmailRequests(SqsQueue(get_email_queue_settings().email_queue_url))


@cache
def email_resends() -> EmailResends:
    from hoa_billing.email import EmailResends

    return EmailResends(email_outbox(), directory(), get_resend_settings().resend_interval_seconds)


@cache
def bounce_recorder() -> BounceRecorder:
    from hoa_billing.email import BounceRecorder

    return BounceRecorder(email_outbox(), directory())


@cache
def resident_portal() -> ResidentPortal:
    from hoa_billing.portal import ResidentPortal

    return ResidentPortal(invoice_listings())


@cache
def resident_checkout() -> ResidentCheckout:
    # The Stripe adapter is imported here only: just the checkout and webhook functions
    # carry the Stripe layer.
    from hoa_billing.adapters.stripe_gateway import StripeCheckout
    from hoa_billing.data.parameters import secure_parameter
    from hoa_billing.payments import ResidentCheckout

    settings = get_checkout_settings()
    gateway = StripeCheckout(lambda: secure_parameter(settings.stripe_api_key_parameter), settings.stripe_api_base)
    return ResidentCheckout(resident_portal(), gateway, settings.portal_base_url)


@cache
def stripe_webhook() -> StripeWebhook:
    from hoa_billing.adapters.stripe_gateway import verify_webhook
    from hoa_billing.data.parameters import secure_parameter
    from hoa_billing.data.payment_records import DynamoPaymentRecords
    from hoa_billing.data.stripe_events import DynamoProcessedEvents
    from hoa_billing.payments import PaymentLedger, StripeWebhook

    settings = get_webhook_settings()

    def verify(payload: bytes, signature: str | None) -> None:
        # The secret is cached for minutes, so a rotated one is picked up without a redeploy.
        secret = secure_parameter(settings.stripe_webhook_secret_parameter)
        verify_webhook(payload, signature, secret, settings.tolerance_seconds)

    return StripeWebhook(
        PaymentLedger(DynamoPaymentRecords(get_settings().invoices_table, get_settings().notices_table)),
        DynamoProcessedEvents(settings.stripe_events_table),
        verify,
        remember_days=settings.remember_days,
    )


@cache
def overdue_sweep() -> OverdueSweep:
    from hoa_billing.data.listings import DynamoDueInvoices
    from hoa_billing.overdue import OverdueSweep

    return OverdueSweep(DynamoDueInvoices(invoice_listings(), directory().all_property_ids), invoice_store())


@cache
def letter_files() -> S3LetterFiles:
    from hoa_billing.data.letter_files import S3LetterFiles

    return S3LetterFiles(get_letter_settings().letters_bucket)


@cache
def letter_sources() -> DynamoLetterSources:
    from hoa_billing.data.letter_sources import DynamoLetterSources

    settings = get_settings()
    return DynamoLetterSources(
        settings.invoices_table, settings.properties_table, get_letter_settings().publish_jobs_table
    )


@cache
def letter_printer() -> LetterPrinter:
    from hoa_billing.letters_delivery import LetterPrinter

    portal_base_url = get_letter_settings().portal_base_url
    if portal_base_url is None:
        raise RuntimeError("PORTAL_BASE_URL is not set: a letter's QR code needs the pay page's address")
    return LetterPrinter(letter_files(), letter_sources(), portal_base_url)


@cache
def letter_links() -> LetterLinks:
    from hoa_billing.data.queues import SqsQueue
    from hoa_billing.letters_delivery import LetterLinks

    settings = get_letter_settings()
    if settings.letters_queue_url is None:
        raise RuntimeError("LETTERS_QUEUE_URL is not set: letters cannot be asked for")
    return LetterLinks(letter_files(), letter_sources(), SqsQueue(settings.letters_queue_url), settings.link_seconds)


@cache
def letter_counts() -> LetterCounts:
    """A Publish All job's printed letters (``ready_count``): LETTERS_BUCKET and
    s3:ListBucket on ``letters/*`` are all it needs."""
    from hoa_billing.letters_delivery import LetterCounts

    return LetterCounts(letter_files())


class _JobLetterCounts:
    """``letter_counts()``, built on the first count rather than with Publish All."""

    def ready_count(self, property_id: str, job_id: str) -> int:
        return letter_counts().ready_count(property_id, job_id)


def reset() -> None:
    """Forget every built dependency (tests that change endpoints or environment)."""
    for builder in (
        directory,
        invoice_store,
        invoice_listings,
        email_outbox,
        invoices,
        properties,
        publish_all,
        notices,
        mailroom,
        email_requests,
        email_resends,
        bounce_recorder,
        resident_portal,
        resident_checkout,
        stripe_webhook,
        overdue_sweep,
        letter_files,
        letter_sources,
        letter_printer,
        letter_links,
        letter_counts,
    ):
        builder.cache_clear()
