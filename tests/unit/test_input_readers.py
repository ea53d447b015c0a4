"""The readers of what comes from outside, tried on whatever Hypothesis can make: the
one money type, the one JSON reader, the one human-text check."""

from __future__ import annotations

import contextlib
import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hoa_billing.core import json_input, money, text
from hoa_billing.core.errors import MalformedBody

MAX = money.MAX_AMOUNT_MINOR

# -- money -----------------------------------------------------------------------------


@given(st.integers(min_value=0, max_value=MAX))
def test_every_whole_non_negative_amount_within_bounds_is_money(amount):
    assert money.minor_units(amount) == amount


@given(
    st.integers(max_value=-1)
    | st.integers(min_value=MAX + 1)
    | st.booleans()
    | st.floats(allow_nan=True)
    | st.text()
    | st.none()
    | st.decimals(allow_nan=False)
    | st.lists(st.integers(min_value=0, max_value=10), max_size=2)
)
def test_nothing_else_is_money(value):
    with pytest.raises(money.InvalidAmount):
        money.minor_units(value)


@given(st.floats(min_value=0, max_value=MAX, allow_nan=False).filter(lambda f: not f.is_integer()))
def test_a_fraction_is_never_rounded_into_money(amount):
    with pytest.raises(money.InvalidAmount, match="decimal number"):
        money.minor_units(amount)


@given(st.integers(min_value=0, max_value=MAX))
def test_money_read_from_json_is_the_amount_sent(amount):
    assert money.minor_units(json_input.parse_json(json.dumps({"amount": amount}))["amount"]) == amount


# -- JSON --------------------------------------------------------------------------------

SMALL_INTS = st.integers(min_value=-(10**30), max_value=10**30)
FINITE = st.floats(allow_nan=False, allow_infinity=False)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | SMALL_INTS | FINITE | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=30,
)


@given(JSON_VALUES)
def test_any_reasonable_json_reads_back_as_sent(value):
    assert json_input.parse_json(json.dumps(value)) == value


@given(st.text(max_size=300) | st.binary(max_size=300))
def test_any_text_or_bytes_is_read_or_refused_as_malformed_never_anything_else(data):
    # Anything but MalformedBody (RecursionError, ValueError from int) fails the test.
    with contextlib.suppress(MalformedBody):
        json_input.parse_json(data)


@given(st.sampled_from(["[", "{", '{"a":', '["', "-", "1e", '"\\']), st.integers(min_value=1, max_value=5000))
def test_a_prefix_repeated_is_read_or_refused_as_malformed(piece, times):
    with contextlib.suppress(MalformedBody):
        json_input.parse_json(piece * times)


@given(st.integers(min_value=json_input.MAX_DEPTH + 1, max_value=20_000), st.sampled_from(["[", '{"a":']))
def test_nesting_past_the_limit_is_refused_however_deep(depth, opener):
    closer = "]" if opener == "[" else "}"
    with pytest.raises(MalformedBody, match="nests deeper"):
        json_input.parse_json(opener * depth + "1" + closer * depth)


@given(st.integers(min_value=json_input.MAX_NUMBER_CHARS + 1, max_value=20_000))
def test_a_number_literal_past_the_limit_is_refused_however_long(digits):
    with pytest.raises(MalformedBody, match="number longer"):
        json_input.parse_json('{"n": ' + "7" * digits + "}")


def test_brackets_inside_strings_are_not_nesting():
    deep_looking = json.dumps({"note": "[" * 10_000, "other": '{"' * 500})
    assert json_input.parse_json(deep_looking)["note"] == "[" * 10_000


@pytest.mark.parametrize(
    "body", ["NaN", "[Infinity]", '{"n": -Infinity}', "1e999", '{"a": 1, "a": 2}', '"never closed', '"\\"'], ids=repr
)
def test_what_python_would_read_but_json_does_not_mean_is_refused(body):
    with pytest.raises(MalformedBody):
        json_input.parse_json(body)


def test_a_float_within_bounds_is_a_float():
    assert math.isclose(json_input.parse_json("[12.5]")[0], 12.5)


# -- human text ----------------------------------------------------------------------------

PRINTABLE = st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters=text.BIDI_CONTROLS)
REFUSED = st.characters(whitelist_categories=("Cc", "Cs", "Zl", "Zp")) | st.sampled_from(sorted(text.BIDI_CONTROLS))


@given(st.text(PRINTABLE))
def test_text_without_control_or_bidi_characters_is_kept_as_typed(value):
    assert text.human_text(value) == value


@given(st.text(PRINTABLE), REFUSED, st.text(PRINTABLE))
def test_one_control_or_bidi_character_anywhere_refuses_a_single_line(before, bad, after):
    with pytest.raises(ValueError, match=f"U\\+{ord(bad):04X}|surrogates"):
        text.human_text(before + bad + after)


@given(st.lists(st.text(PRINTABLE), min_size=1, max_size=4), st.sampled_from(["\n", "\r\n", "\r"]))
def test_paragraphs_keep_their_lines_as_line_feeds(lines, newline):
    assert text.human_text(newline.join(lines), multiline=True) == "\n".join(lines)


@pytest.mark.parametrize("bad", ["\x00", "\x1b", "\x7f", "\x85", "\u202e", "\u2028", "\ud800"], ids=repr)
def test_paragraphs_still_refuse_other_controls(bad):
    with pytest.raises(ValueError, match="must not contain"):
        text.human_text(f"line one\nline {bad} two", multiline=True)
