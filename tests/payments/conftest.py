"""Fixtures for the portal and payments: a fake Stripe API the real SDK talks to, the
Stripe secrets in (moto's) SSM, and helpers that deliver signed webhook events."""

from __future__ import annotations

import os
from collections.abc import Iterator

import boto3
import pytest

from hoa_billing import compose
from hoa_billing.core.settings import get_checkout_settings
from hoa_billing.data import parameters
from hoa_local.stripe_fake import TEST_API_KEY, TEST_WEBHOOK_SECRET, FakeStripe
from hoa_local.template import Stack
from tests.support.api import STACK

for _function in ("PortalCheckoutFunction", "StripeWebhookFunction"):
    for _key, _value in STACK.function_environment(_function).items():
        os.environ.setdefault(_key, _value)


@pytest.fixture(scope="session")
def fake_stripe() -> Iterator[FakeStripe]:
    with FakeStripe() as fake:
        # The checkout function builds its Stripe client once per process, like Lambda.
        os.environ["STRIPE_API_BASE"] = fake.url
        yield fake


@pytest.fixture(autouse=True)
def stripe_secrets(stack: Stack, fake_stripe: FakeStripe) -> FakeStripe:
    ssm = boto3.client("ssm")
    for name, value in (
        (os.environ["STRIPE_API_KEY_PARAMETER"], TEST_API_KEY),
        (os.environ["STRIPE_WEBHOOK_SECRET_PARAMETER"], TEST_WEBHOOK_SECRET),
    ):
        ssm.put_parameter(Name=name, Value=value, Type="SecureString")
    fake_stripe.reset()
    # Another fake (the security tests' session fixture, an in-process local runtime) may
    # have been built first in this worker: point the cached checkout client at this one.
    os.environ["STRIPE_API_BASE"] = fake_stripe.url
    get_checkout_settings.cache_clear()
    compose.resident_checkout.cache_clear()
    compose.stripe_webhook.cache_clear()
    parameters.forget()
    return fake_stripe
