"""Money is an integer count of minor units plus an ISO 4217 code. Never a float."""

from __future__ import annotations

# Minor-unit exponent of each currency we accept. Kept short on purpose: adding a
# currency is a product decision (Stripe support, formatting), not a free-text field.
CURRENCY_EXPONENTS: dict[str, int] = {
    "USD": 2,
    "CAD": 2,
    "EUR": 2,
    "GBP": 2,
    "AUD": 2,
    "NZD": 2,
    "MXN": 2,
    "JPY": 0,
}

CURRENCY_SYMBOLS: dict[str, str] = {
    "USD": "$",
    "CAD": "CA$",
    "EUR": "€",
    "GBP": "£",
    "AUD": "A$",
    "NZD": "NZ$",
    "MXN": "MX$",
    "JPY": "¥",
}

# An upper bound that keeps a typo (an extra few zeros) from becoming a real invoice.
MAX_AMOUNT_MINOR = 100_000_000_00


def format_money(amount_minor: int, currency: str) -> str:
    """``format_money(123456, "USD") == "$1,234.56"``; negative amounts keep their sign."""
    exponent = CURRENCY_EXPONENTS[currency]
    sign = "-" if amount_minor < 0 else ""
    whole, fraction = divmod(abs(amount_minor), 10**exponent)
    text = f"{whole:,}"
    if exponent:
        text += f".{fraction:0{exponent}d}"
    return f"{sign}{CURRENCY_SYMBOLS[currency]}{text}"


_KINDS: dict[type, str] = {bool: "true/false", float: "a decimal number", str: "text", type(None): "null"}


class InvalidAmount(ValueError):
    """An amount that is not a whole, non-negative number of minor units within bounds."""


def minor_units(value: object, *, maximum: int = MAX_AMOUNT_MINOR) -> int:
    """``value`` as an amount of money in minor units (cents), wherever money enters
    (the API, Stripe's events). Only a non-negative integer up to ``maximum`` is money:
    never a bool, a float (50.5 is not 50) or a string ("5000" is not 5000).

    Raises ``InvalidAmount`` saying why not."""
    if isinstance(value, bool) or not isinstance(value, int):
        kind = _KINDS.get(type(value), type(value).__name__)
        raise InvalidAmount(f"must be a whole number of minor units (cents), not {kind}")
    if value < 0:
        raise InvalidAmount("must not be negative")
    if value > maximum:
        raise InvalidAmount(f"must be at most {maximum} minor units")
    return value
