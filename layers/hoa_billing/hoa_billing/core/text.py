"""Human text: what a person typed for a name, a unit, a line item, a memo or a void
reason, and nothing that could change where it goes or how it reads.

Names, units and line-item descriptions are one line: they end up in email headers
(the recipient's display name), subjects, PDF letters and table cells. Memos and void
reasons may run over several lines (a line feed; CR LF and CR are stored as a line
feed) and may be indented with tabs; they are only ever shown in a body, never in a
header. Everything else that is not text is refused, whatever the field:

* control characters, C0 (U+0000-U+001F, carriage return and line feed included), DEL
  and C1 (U+0080-U+009F): a CR LF in a name would start a new email header;
* the Unicode line and paragraph separators (U+2028, U+2029);
* bidirectional formatting characters (U+061C, U+200E, U+200F, U+202A-U+202E,
  U+2066-U+2069), which make text display in a different order than it reads;
* unpaired surrogates, which are not characters at all and cannot be stored or sent.
"""

from __future__ import annotations

import unicodedata

BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
LINE_SEPARATORS = frozenset("\u2028\u2029")
MULTILINE_ALLOWED = frozenset("\n\t")


def problem(value: str, *, multiline: bool = False) -> str | None:
    """Why ``value`` is not acceptable human text, or None when it is. ``multiline``
    allows line feeds and tabs (after CR LF and CR became line feeds)."""
    for char in value:
        if multiline and char in MULTILINE_ALLOWED:
            continue
        category = unicodedata.category(char)
        if category == "Cc":
            return f"must not contain control characters (found U+{ord(char):04X})"
        if category == "Cs":
            return "must not contain unpaired surrogates (it is not valid Unicode text)"
        if char in BIDI_CONTROLS:
            return f"must not contain bidirectional formatting characters (found U+{ord(char):04X})"
        if char in LINE_SEPARATORS:
            return f"must not contain line or paragraph separators (found U+{ord(char):04X})"
    return None


def human_text(value: str, *, multiline: bool = False) -> str:
    """``value`` as stored: line breaks as line feeds when ``multiline``. Raises
    ``ValueError`` saying what is wrong with it."""
    if multiline:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    found = problem(value, multiline=multiline)
    if found is not None:
        raise ValueError(found)
    return value
