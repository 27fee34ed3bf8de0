"""The grammar helper: ordinals, plurals, articles and ranges read as English."""

from __future__ import annotations

import pytest

from workbench.text import article, count, ordinal, plural, range_phrase, with_article


@pytest.mark.parametrize(("n", "text"), [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (5, "5th"), (11, "11th"),
                                         (12, "12th"), (13, "13th"), (21, "21st"), (22, "22nd"), (50, "50th"),
                                         (95, "95th"), (99, "99th"), (101, "101st"), (111, "111th"), (0, "0th")])
def test_ordinals(n, text):
    assert ordinal(n) == text


def test_plurals_and_counts():
    assert count(1, "row", "removed") == "1 row removed"
    assert count(18, "row", "removed") == "18 rows removed"
    assert count(0, "change") == "0 changes"
    assert count(1200, "trial") == "1,200 trials"
    assert plural("policy") == "policies" and plural("day") == "days" and plural("box") == "boxes"
    assert plural("Analysis") == "Analyses" and plural("sector", 1) == "sector"


@pytest.mark.parametrize(("word", "art"), [("instrument", "an"), ("sector", "a"), ("financier", "a"),
                                           ("expected return", "an"), ("US state", "a"), ("NPV", "an"),
                                           ("hour", "an"), ("unit", "a"), ("owner", "an"), ("8 % rate", "an"),
                                           ("SEC filing", "an"), ("JBIC loan", "a")])
def test_articles(word, art):
    assert article(word) == art
    assert with_article(word) == f"{art} {word}"


def test_ranges_with_open_ends_read_as_english():
    assert range_phrase(-1, 1, lo_open=True) == "above -1 and at most 1"
    assert range_phrase(0, 1) == "from 0 to 1"
    assert range_phrase(0, 1, hi_open=True) == "at least 0 and below 1"
    assert range_phrase(0, None, lo_open=True) == "above 0"
    assert range_phrase(None, 5) == "at most 5"
    assert range_phrase(None, None) == "any number"
    assert "to" not in range_phrase(-1, 1, lo_open=True)
