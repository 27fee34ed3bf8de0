"""Small pieces of English used in labels and messages: ordinals, plurals, articles, ranges.

Messages are assembled from names the user chose ("instrument", "row removed") and from
numbers, so the grammar is done here once: ``ordinal(1)`` is ``1st``, ``count(18, "row",
"removed")`` is ``18 rows removed``, ``with_article("instrument")`` is ``an instrument``,
and ``range_phrase`` writes a range whose ends may be excluded without "above -1 to 1".
"""

from __future__ import annotations

import re
from collections.abc import Callable

_IRREGULAR = {"child": "children", "person": "people", "analysis": "analyses", "index": "indices",
              "matrix": "matrices", "criterion": "criteria"}
#: Words starting with a vowel letter but a consonant sound, and the reverse.
_CONSONANT_SOUND = ("uni", "use", "usu", "user", "one", "once", "eur", "ewe", "ubi", "ura", "uti")
_VOWEL_SOUND = ("hour", "honest", "honour", "honor", "heir")
#: Letters of initialisms read with a vowel sound ("an NPV", "an SEC filing", "a US state").
_VOWEL_LETTERS = set("AEFHILMNORSX")


def ordinal(n: int) -> str:
    """``1st``, ``2nd``, ``3rd``, ``4th``, ``11th``, ``12th``, ``13th``, ``21st``, ``101st``."""
    n = int(n)
    if 10 <= abs(n) % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(abs(n) % 10, "th")
    return f"{n}{suffix}"


def plural(word: str, n: float = 2) -> str:
    """``word`` in the plural unless ``n`` is exactly 1: ``sector``/``sectors``, ``policy``/``policies``."""
    if n == 1 or not word:
        return word
    lower = word.lower()
    if lower in _IRREGULAR:
        out = _IRREGULAR[lower]
        return out.capitalize() if word[0].isupper() else out
    if lower.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    if lower.endswith("y") and len(lower) > 1 and lower[-2] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def count(n: int, noun: str, after: str = "") -> str:
    """``1 row``, ``18 rows``, ``18 rows removed`` (the noun is pluralised, never the word after it),
    with thousands separators."""
    text = f"{n:,} {plural(noun, n)}"
    return f"{text} {after}" if after else text


def article(word: str) -> str:
    """``a`` or ``an`` before ``word`` (by sound for the usual exceptions and for initialisms)."""
    w = word.strip()
    if not w:
        return "a"
    first = w.split()[0]
    if first.isupper() and len(first) > 1 and first.isalpha():   # an initialism: NPV, US, SEC
        return "an" if first[0] in _VOWEL_LETTERS else "a"
    lower = first.lower()
    if lower.startswith(_VOWEL_SOUND):
        return "an"
    if lower.startswith(_CONSONANT_SOUND):
        return "a"
    if lower[0].isdigit():
        match = re.match(r"\d+", lower)
        digits = match.group(0) if match else lower[0]   # no match: a digit \d does not cover, such as "²"
        return "an" if digits.startswith("8") or digits in ("11", "18") else "a"
    return "an" if lower[0] in "aeiou" else "a"


def with_article(word: str) -> str:
    """``an instrument``, ``a sector``, ``a US state``."""
    return f"{article(word)} {word}"


def range_phrase(lo: float | None, hi: float | None, *, lo_open: bool = False, hi_open: bool = False,
                 fmt: Callable[[float], str] = lambda x: f"{x:g}") -> str:
    """The allowed range as a reader says it: ``from 0 to 1``, ``above -1 and at most 1``,
    ``at least 0 and below 1``, ``above 0``, ``at most 5``, or ``any number``."""
    if lo is not None and hi is not None:
        if not lo_open and not hi_open:
            return f"from {fmt(lo)} to {fmt(hi)}"
        if lo_open and hi_open:
            return f"between {fmt(lo)} and {fmt(hi)} (both excluded)"
        left = f"above {fmt(lo)}" if lo_open else f"at least {fmt(lo)}"
        right = f"below {fmt(hi)}" if hi_open else f"at most {fmt(hi)}"
        return f"{left} and {right}"
    if lo is not None:
        return f"above {fmt(lo)}" if lo_open else f"at least {fmt(lo)}"
    if hi is not None:
        return f"below {fmt(hi)}" if hi_open else f"at most {fmt(hi)}"
    return "any number"
