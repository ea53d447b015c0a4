"""JSON from outside (request bodies, Stripe's webhook, cursors), read so that its shape
cannot decide how much work the reading takes or make the reader fail.

Python's own ``json.loads`` turns 10,000 nested brackets into a ``RecursionError`` and
an integer literal longer than 4,300 digits into a ``ValueError`` from ``int``; both
used to escape as 500s. Here the nesting is measured first, in one linear pass that
skips strings, and every number literal is bounded before it is converted, so hostile
input is refused as ``MalformedBody`` (an HTTP 400) before any deep work is done.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from hoa_billing.core.errors import MalformedBody

# Nothing this API or Stripe sends nests deeper than about ten levels.
MAX_DEPTH = 64
# Money, counts and Stripe's timestamps need at most a dozen digits; floats a few more.
MAX_NUMBER_CHARS = 40

_BRACKET_OR_QUOTE = re.compile(r'[\[\]{}"]')
# The rest of a string after its opening quote; possessive, so a string that never
# closes is scanned once, not once per quote after it.
_STRING_REST = re.compile(r'(?:[^"\\]|\\.)*+"', re.DOTALL)


def _check_depth(text: str, max_depth: int) -> None:
    depth = 0
    position = 0
    while (found := _BRACKET_OR_QUOTE.search(text, position)) is not None:
        char = found.group()
        if char == '"':
            rest = _STRING_REST.match(text, found.end())
            if rest is None:
                raise MalformedBody("The request body is not valid JSON (a string is never closed).")
            position = rest.end()
            continue
        if char in "[{":
            depth += 1
            if depth > max_depth:
                raise MalformedBody(f"The request body nests deeper than {max_depth} levels.", max_depth=max_depth)
        else:
            depth -= 1
        position = found.end()


def _number(text: str) -> None:
    if len(text) > MAX_NUMBER_CHARS:
        raise MalformedBody(
            f"The request body has a number longer than {MAX_NUMBER_CHARS} characters.",
            max_number_chars=MAX_NUMBER_CHARS,
        )


def _integer(text: str) -> int:
    _number(text)
    return int(text)


def _float(text: str) -> float:
    _number(text)
    value = float(text)
    if not math.isfinite(value):
        raise MalformedBody("The request body has a number too large to represent.")
    return value


def _constant(name: str) -> Any:
    raise MalformedBody(f"The request body is not valid JSON ({name} is not a JSON value).")


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for key, item in pairs:
        if key in value:
            raise MalformedBody(f"The request body names {key[:64]!r} twice in one object.")
        value[key] = item
    return value


def parse_json(data: str | bytes, *, max_depth: int = MAX_DEPTH) -> Any:
    """The JSON value of ``data`` (UTF-8 when bytes). Raises ``MalformedBody`` for text
    that is not JSON, nests deeper than ``max_depth``, has a number literal longer than
    ``MAX_NUMBER_CHARS`` or not finite, uses NaN/Infinity, or repeats a key."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise MalformedBody("The request body is not valid JSON (it is not UTF-8 text).") from None
    else:
        text = data
    _check_depth(text, max_depth)
    try:
        return json.loads(
            text, parse_int=_integer, parse_float=_float, parse_constant=_constant, object_pairs_hook=_object
        )
    except RecursionError:  # cannot happen after the depth check; kept as the last line of defence
        raise MalformedBody(f"The request body nests deeper than {max_depth} levels.") from None
    except ValueError as exc:
        raise MalformedBody("The request body is not valid JSON.", detail=str(exc)[:200]) from None
