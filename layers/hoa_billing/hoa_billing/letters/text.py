"""Resident-supplied text, made safe to print with the letter font.

Names and addresses come from people: they may carry control characters, bidirectional
overrides, zero-width characters, line breaks, or letters from scripts the font does not
have. The letter prints one line per fact, in Fira Sans (Latin, Greek, Cyrillic and
Vietnamese). A character the font lacks prints as ``PLACEHOLDER`` rather than failing the
whole batch; ``unprintable_characters`` tells the caller which facts are affected so a
person can check those letters before mailing them.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from importlib.resources import files
from pathlib import Path

# The font package ships the static Fira Sans faces from Google Fonts (SIL OFL 1.1). The
# layer's Makefile keeps only these two files of the family.
FONT_PACKAGE = "fontpkg_fira_sans"
REGULAR_FONT = "FiraSans-Regular.ttf"
BOLD_FONT = "FiraSans-Bold.ttf"

# WHITE VERTICAL RECTANGLE, drawn by Fira Sans: reads as "a letter was here".
PLACEHOLDER = "\u25af"

# Unicode general categories. Format characters (bidi overrides, zero-width spaces, soft
# hyphens) are dropped; controls and separators become a space; surrogates, private-use and
# unassigned code points cannot be printed by any font we ship.
_DROPPED = frozenset({"Cf"})
_SPACES = frozenset({"Cc", "Zl", "Zp", "Zs"})
_NEVER_PRINTABLE = frozenset({"Cs", "Co", "Cn"})


def font_path(name: str) -> Path:
    return Path(str(files(FONT_PACKAGE).joinpath("files", name)))


@cache
def covered_code_points() -> frozenset[int]:
    """Code points both faces draw. Read once per process from the fonts' cmap tables."""
    from fontTools.ttLib import TTFont

    covered: frozenset[int] | None = None
    for name in (REGULAR_FONT, BOLD_FONT):
        with TTFont(font_path(name), lazy=True) as font:
            cmap = frozenset(font.getBestCmap())
        covered = cmap if covered is None else covered & cmap
    assert covered is not None
    return covered


def _normalized(text: str) -> list[str]:
    kept: list[str] = []
    for char in unicodedata.normalize("NFC", text):
        category = unicodedata.category(char)
        if category in _DROPPED:
            continue
        kept.append(" " if category in _SPACES else char)
    return "".join(kept).split()


def printable(text: str) -> str:
    """One line of text the font can draw: normalized (NFC), whitespace and control
    characters collapsed to single spaces, missing characters replaced by ``PLACEHOLDER``."""
    covered = covered_code_points()
    words = _normalized(text)
    return " ".join(
        "".join(
            char if unicodedata.category(char) not in _NEVER_PRINTABLE and ord(char) in covered else PLACEHOLDER
            for char in word
        )
        for word in words
    )


def unprintable_characters(text: str) -> frozenset[str]:
    """The characters of ``text`` that a letter would print as ``PLACEHOLDER``."""
    covered = covered_code_points()
    return frozenset(
        char
        for word in _normalized(text)
        for char in word
        if unicodedata.category(char) in _NEVER_PRINTABLE or ord(char) not in covered
    )
