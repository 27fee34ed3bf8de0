"""The one number parser: what people type, in every place a number is typed, read the same way."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workbench import numbers, schema
from workbench.numbers import PERCENT, PERCENT_ENTRY, NumberError, Unit, parse_number_text, value_for_column

RATE = schema.SCENARIO_FIELDS.by_name["Discount rate"]
REQUESTED = schema.PROJECTS.by_name["Requested (USD m)"]
SIZE = schema.SCENARIO_FIELDS.by_name["Programme size (USD bn)"]
SCORE = schema.PROJECTS.by_name["Strategic score"]


@pytest.mark.parametrize(("text", "value", "unit"), [
    ("$1.2bn", 1.2, Unit("USD", 1e9)),
    ("8.5 %", 8.5, PERCENT),
    ("(1,200)", -1200.0, Unit()),
    ("¥3 trillion", 3.0, Unit("JPY", 1e12)),
    ("3兆円", 3.0, Unit("JPY", 1e12)),
    ("\u22121,354", -1354.0, Unit()),
    ("USD 250m", 250.0, Unit("USD", 1e6)),
    ("1.5e3", 1500.0, Unit()),
    ("12\u00a0%", 12.0, PERCENT),
])
def test_texts_people_type(text, value, unit):
    assert parse_number_text(text) == (value, unit)


@pytest.mark.parametrize("text", ["abc", "1 2", "$5%", "12 apples", "(-5)", "1,2,3.4.5"])
def test_what_is_not_a_number_says_so(text):
    assert isinstance(parse_number_text(text), str)


@pytest.mark.parametrize("word", ["", "  ", "n/a", "N/A", "-", "—", "none", "NULL", "missing"])
def test_one_list_of_missing_words(word):
    assert numbers.is_missing(word)
    assert value_for_column(RATE, word, bare=PERCENT_ENTRY) is None


def test_nan_and_none_are_missing_and_zero_is_not():
    assert numbers.is_missing(None) and numbers.is_missing(math.nan)
    assert not numbers.is_missing(0.0) and not numbers.is_missing("0")


@pytest.mark.parametrize(("text", "value"), [("6", 0.06), ("6 %", 0.06), ("0.06", 0.06), ("8.5", 0.085),
                                             ("0.5 %", 0.005), ("1", 0.01), ("-2", -0.02), ("-0.5", -0.5)])
def test_a_percent_cell_reads_plain_numbers_as_excel_does(text, value):
    assert value_for_column(RATE, text, bare=PERCENT_ENTRY) == pytest.approx(value)


def test_a_workbook_cell_reads_plain_fractions_unless_the_header_says_percent():
    assert value_for_column(RATE, "0.06") == pytest.approx(0.06)
    assert value_for_column(RATE, "6", bare=PERCENT) == pytest.approx(0.06)
    assert value_for_column(RATE, "6%") == pytest.approx(0.06)


@pytest.mark.parametrize(("text", "value"), [("$1.2bn", 1200.0), ("1,200", 1200.0), ("(150)", -150.0),
                                             ("¥3 trillion", 20_000.0), ("USD 250m", 250.0), ("$1,200", 1200.0)])
def test_money_is_converted_to_the_columns_unit(text, value):
    assert value_for_column(REQUESTED, text, jpy_per_usd=150.0) == pytest.approx(value)


def test_money_in_a_usd_bn_field_and_header_units():
    assert value_for_column(SIZE, "$550bn") == pytest.approx(550.0)
    assert value_for_column(SIZE, "82.5 trillion yen", jpy_per_usd=150.0) == pytest.approx(550.0)
    assert value_for_column(REQUESTED, "1.2", bare=Unit("USD", 1e9)) == pytest.approx(1200.0)


@pytest.mark.parametrize(("col", "text", "words"), [
    (SCORE, "5 %", "not a percentage"),
    (RATE, "$5m", "not an amount of money"),
    (REQUESTED, "¥500", "currency but no scale"),
    (REQUESTED, "lots", 'must be a number, not "lots"'),
])
def test_refusals_say_why_and_how(col, text, words):
    with pytest.raises(NumberError) as info:
        value_for_column(col, text, bare=PERCENT_ENTRY if col.kind == "fraction" else None)
    assert words in info.value.message
    assert info.value.hint


def test_the_hint_speaks_the_cells_units():
    with pytest.raises(NumberError) as info:
        value_for_column(RATE, "six", bare=PERCENT_ENTRY)
    assert "8.5 %" in info.value.hint and "0.0" not in info.value.hint


@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False).map(lambda x: round(x, 2)))
def test_formatted_money_reads_back(x):
    text = f"{x:,.2f}"
    if x < 0:
        text = f"({abs(x):,.2f})"
    assert value_for_column(REQUESTED, text) == pytest.approx(x)


@given(st.floats(min_value=-0.99, max_value=1.0, allow_nan=False))
def test_a_shown_percentage_reads_back_as_the_same_fraction(x):
    assert value_for_column(RATE, numbers.percent_text(x, 12), bare=PERCENT_ENTRY) == pytest.approx(x, abs=1e-12)


def test_validation_messages_speak_percent_for_rates():
    from workbench.validation import check_value

    message, _hint = check_value(RATE, 0.6)
    assert "from 0 % to 50 %" in message and "60 %" in message and "0.6" not in message
    assert schema.SECTORS.by_name["Expected return"].range_text() == "above -100 % and at most 100 %"
