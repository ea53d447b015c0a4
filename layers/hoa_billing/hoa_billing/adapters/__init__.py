"""Adapters to the outside world other than storage: SES (email) and Stripe (checkout,
webhook signatures). Only the composition root builds them; features see their ports."""
