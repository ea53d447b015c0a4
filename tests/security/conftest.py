"""The security tests reach every route, checkout included, so they share the payments
fixtures (fake Stripe API, Stripe secrets in SSM)."""

from tests.payments.conftest import fake_stripe, stripe_secrets

__all__ = ["fake_stripe", "stripe_secrets"]
