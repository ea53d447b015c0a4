"""Invoice publishing for HOA property management.

Feature packages named in the help article's words (``invoices``, ``publish_all``,
``email``, ``payments``, ``portal``, ``overdue``) over a domain core (``core``) and one
data layer (``data``); ``api`` is the HTTP glue, ``adapters`` the SES and Stripe
adapters, and ``compose`` builds each function's dependencies. See docs/architecture.md.
"""
