"""parse_number: one number parser for the web form, intake and the command line (issue #15 §3)."""
import math

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cem_edu import DataError
from cem_edu.intake import normalize_text, parse_number

PERSIAN = str.maketrans("0123456789.,", "۰۱۲۳۴۵۶۷۸۹٫٬")
ARABIC = str.maketrans("0123456789.,", "٠١٢٣٤٥٦٧٨٩٫٬")


@pytest.mark.parametrize("text, decimal, expected", [
    ("1,5", "auto", 1.5),            # issue #15: the form stored 15
    ("1,5", ",", 1.5),
    ("12,25", "auto", 12.25),
    ("0,250", "auto", 0.25),          # a group cannot start with 0: decimal comma
    ("1234,567", "auto", 1234.567),   # four digits before the comma: not a thousands group
    (",5", "auto", 0.5),
    ("1.500", "auto", 1.5),           # a single point is a decimal point
    ("1.5", ".", 1.5),
    ("1,234.5", "auto", 1234.5),
    ("1,234.5", ".", 1234.5),
    ("1.234,5", "auto", 1234.5),
    ("1.234,5", ",", 1234.5),
    ("1,234,567", "auto", 1234567.0),
    ("1.234.567", "auto", 1234567.0),
    ("1,500", ".", 1500.0),
    ("1,500", ",", 1.5),
    ("۱٬۲۵۰٫۵", "auto", 1250.5),      # Arabic separators are never ambiguous
    ("۱٬۲۵۰٫۵", ",", 1250.5),
    ("۱٬۲۵۰٫۵", ".", 1250.5),
    ("۱٬۵۰۰", "auto", 1500.0),
    ("١٢٣", "auto", 123.0),
    ("۳,۵", "auto", 3.5),
    ("-۳٫۵", "auto", -3.5),
    ("\u22122", "auto", -2.0),        # the minus sign
    ("+7", "auto", 7.0),
    ("  42 ", "auto", 42.0),
    ("\u200f۴۲\u200e", "auto", 42.0),  # directional marks around a Persian number
    ("007", "auto", 7.0),
    (5, "auto", 5.0),
    (2.5, "auto", 2.5),
])
def test_cases(text, decimal, expected):
    assert parse_number(text, decimal=decimal) == expected


@pytest.mark.parametrize("text, decimal, fragment", [
    ("1_000", "auto", "contains '_'"),                  # issue #15: stored as 1000
    ("1_000", ".", "without underscores: 1000"),
    ("1e308", "auto", "scientific notation"),           # issue #15: accepted
    ("2E3", "auto", "scientific notation"),
    ("1.5e-3", "auto", "scientific notation"),
    ("inf", "auto", "not a finite number"),
    ("-Infinity", "auto", "not a finite number"),
    ("nan", "auto", "not a finite number"),
    (float("nan"), "auto", "not a finite number"),
    (float("inf"), "auto", "not a finite number"),
    ("1,500", "auto", "ambiguous: 1500 (comma between thousands) or 1.5 (decimal comma)"),
    ("12,345", "auto", "ambiguous: 12345"),
    ("1,5", ".", "groups of exactly three digits"),
    ("1.5", ",", "(3,5)"),
    ("1٬1٬111", "auto", "write it without separators (11111)"),  # issue #15 §1's irregular grouping
    ("12,34,567", "auto", "(1234567)"),
    ("1,234٬567", ".", "groups of exactly three digits"),        # two different separators
    ("1.234٬567", "auto", "groups of exactly three digits"),     # a separator in the fraction
    ("1.2.3", ".", "more than one decimal mark"),
    ("1٫2٫3", "auto", "more than one decimal mark"),
    ("1.5٫2", "auto", "groups of exactly three digits"),  # with ٫ the decimal mark, "." can only group
    ("1 000", "auto", "without spaces: 1000"),
    ("5.", "auto", "is not a number"),
    ("abc", "auto", "is not a number"),
    ("", "auto", "empty"),
    ("   ", "auto", "empty"),
    (None, "auto", "is not a number"),
    (True, "auto", "is not a number"),
    ("1234567890123456", "auto", "too large"),
    (1e308, "auto", "too large"),
])
def test_rejected_with_a_fix(text, decimal, fragment):
    with pytest.raises(DataError) as err:
        parse_number(text, decimal=decimal)
    assert isinstance(err.value, ValueError)
    assert fragment in str(err.value)


def test_messages_in_persian():
    with pytest.raises(ValueError, match="دوپهلو است: ۱۵۰۰ .* یا ۱٫۵"):
        parse_number("1,500", language="fa")
    with pytest.raises(ValueError, match="نماد علمی"):
        parse_number("1e308", language="fa")
    with pytest.raises(ValueError, match="decimal must be"):
        parse_number("1", decimal="comma")


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=-(10**15) + 1, max_value=10**15 - 1))
@example(1500)
@example(-1234567)
def test_integers_with_and_without_grouping(n):
    assert parse_number(str(n)) == n
    grouped = f"{n:,}"
    assert parse_number(grouped, decimal=".") == n
    assert parse_number(grouped.replace(",", "."), decimal=",") == n
    assert parse_number(grouped.translate(PERSIAN)) == n           # ٬ groups in every mode
    assert parse_number(grouped.translate(ARABIC), decimal=",") == n
    if grouped.count(",") != 1:
        assert parse_number(grouped) == n                          # auto: repeated or no separator
    else:
        with pytest.raises(ValueError, match="ambiguous"):
            parse_number(grouped)


@settings(max_examples=300, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e14, max_value=1e14))
def test_decimals_read_back_exactly(x):
    for text in (f"{x:.6f}", repr(x) if "e" not in repr(x) else f"{x:.3f}"):
        value = float(text)
        assert parse_number(text) == value
        assert parse_number(text, decimal=".") == value
        assert parse_number(text.replace(".", ","), decimal=",") == value
        assert parse_number(text.translate(PERSIAN)) == value


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0123456789۱۲٣.,٫٬-+_eE ainf\u200f")), max_size=14),
       st.sampled_from([".", ",", "auto"]))
@example("1e308", "auto")
@example("1٬1٬111", "auto")
def test_any_text_gives_a_finite_number_or_a_data_error(text, decimal):
    try:
        value = parse_number(text, decimal=decimal)
    except DataError as err:
        assert str(err) and "Traceback" not in str(err)
    else:
        assert math.isfinite(value)
        if decimal != ",":  # normalize_text reads ٫ as "." — the same number as the parser's reading
            assert parse_number(normalize_text(text), decimal=decimal) == value


def test_clean_reads_item_cells_with_the_same_parser():
    import pandas as pd

    from cem_edu import clean, load_dataset, load_instrument

    inst = load_instrument()
    raw = load_dataset("cem_survey").head(40).copy()
    raw["FUN1"] = raw["FUN1"].astype(object)
    raw.loc[raw.index[3], "FUN1"] = "۴"
    cd = clean(raw, inst, drop=())
    assert cd.data["FUN1"].iloc[3] == 4.0
    raw.loc[raw.index[5], "FUN1"] = "4e0"   # pandas.to_numeric read this as 4
    with pytest.raises(DataError, match=r"column 'FUN1' has text that is not a number .* \(rows 7: '4e0'\)"):
        clean(raw, inst, drop=())
    out = clean(raw, inst, drop=(), out_of_range="missing")
    assert pd.isna(out.data["FUN1"].iloc[5])
