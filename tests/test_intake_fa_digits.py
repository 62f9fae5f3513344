"""Persian intake messages: running numbers (counts, rows, scale ends, scores) are Persian digits,
identifiers (item ids such as SAT1, column and file names) keep their Latin spelling (#17).

Two levels: every intake message key of the string table filled the way ``i18n.t`` fills it, and
the messages that intake composes itself (row lists, counts in the cleaning log, column positions,
similarity scores), produced by real calls with ``language="fa"`` while the default stays English.
"""
from __future__ import annotations

import re
import string
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from cem_edu import i18n
from cem_edu.datasets import load_dataset
from cem_edu.errors import DataError
from cem_edu.instrument import load_instrument
from cem_edu.intake import clean, read_data
from cem_edu.intake.clean import as_frame
from cem_edu.intake.validate import check_columns

ROOT = Path(__file__).resolve().parents[1]
LOCALES = ROOT / "cem_edu" / "locales"
LATIN = re.compile(r"[0-9]")
#: Latin digits a Persian template writes on purpose: an encoding's name, the Latin form of a number
LITERALS = ("UTF-8", "1,500")

#: fields that intake fills with numbers (int / float / numpy); i18n.t must write them in Persian digits
NUMBERS = {"n": 12, "k": 34, "line": 56, "lo": 1, "hi": 7, "cells": 13, "kept": 531, "dropped": 69, "n_raw": 600,
           "n_dropped": np.int64(69), "n_clean": 531, "share": 20, "p": 0.001, "fraction": 0.4, "cut": 169.4,
           "digits": 15, "minimum": 250, "expected": 6, "thousands": 1500, "decimal": 1.5}
#: fields that are text: names (left as they are) or text intake writes itself (tested below with real calls)
TEXT = {"action", "available", "candidate", "candidates", "choices", "close", "column", "columns", "encoding",
        "example", "examples", "ext", "first", "fixed", "flag", "group", "hint", "id", "item", "items", "kind", "mappings",
        "more", "names", "package", "path", "positions", "reason", "rows", "score", "shape", "sheet", "sheets",
        "step", "text", "v", "value", "values", "what", "wanted", "given"}
ID = "SAT1"  # the value of every text field in the catalogue test: an identifier that must come out unchanged


def _intake_keys() -> dict:
    table = {}
    for name in ("intake", "own_data", "check"):
        for key, entry in yaml.safe_load((LOCALES / f"{name}.yaml").read_text(encoding="utf-8")).items():
            if key.startswith(("intake.", "headers.", "check.")):
                table[key] = entry
    return table


KEYS = _intake_keys()


def _fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


def latin_outside(text: str, identifiers=()) -> list[str]:
    """The Latin digits of ``text`` that are not part of an identifier or a deliberate literal."""
    for name in sorted({*identifiers, *LITERALS}, key=len, reverse=True):
        text = text.replace(str(name), " ")
    return [m.group(0) for m in re.finditer(r"\S*[0-9]\S*", text)]


@pytest.mark.parametrize("key", sorted(KEYS))
def test_every_intake_message_in_persian_has_persian_numbers_and_latin_ids(key):
    entry = KEYS[key]
    fields = _fields(entry["fa"])
    assert fields <= _fields(entry["en"]), f"{key}: the Persian text has fields the English one lacks"
    assert _fields(entry["en"]) <= NUMBERS.keys() | TEXT, f"{key}: say in NUMBERS or TEXT what the new field holds"
    values = {f: NUMBERS.get(f, ID) for f in _fields(entry["en"])}
    fa = i18n.t(key, "fa", **values)
    assert not latin_outside(fa, [ID]), f"{key}: Latin digits in Persian running text: {fa}"
    for f in fields:
        if f in NUMBERS:
            assert i18n.to_persian_digits(NUMBERS[f]) in fa, f"{key}: {f} not in Persian digits: {fa}"
        else:
            assert ID in fa, f"{key}: the identifier lost its Latin digits: {fa}"
    if fields & set(NUMBERS):  # English keeps Latin digits
        en = i18n.t(key, "en", **values)
        assert any(str(NUMBERS[f]) in en for f in fields if f in NUMBERS)


def test_t_writes_numpy_numbers_in_persian_and_verbatim_names_in_latin():
    assert i18n.t("intake.log.read", "fa", n=np.int64(600), k=np.float64(43)) == "۶۰۰ سطر × ۴۳٫۰ ستون"
    assert i18n.t("intake.log.read", "fa", n=i18n.verbatim(2), k=True) == "2 سطر × True ستون"
    assert i18n.numerals(12, "fa") == "۱۲" and i18n.numerals(12, "en") == "12"


# ---------------------------------------------------------------- messages intake composes itself
@pytest.fixture(scope="module")
def inst():
    return load_instrument()


@pytest.fixture(scope="module")
def survey():
    return load_dataset("cem_survey")


def _names(inst, frame) -> list[str]:
    return [*map(str, frame.columns), *(i.id for i in inst.items)]


def test_cleaning_log_in_persian_when_the_default_is_english(survey, inst):
    raw = survey.copy()
    raw["FUN2"] = raw["FUN2"].astype(object)
    raw.loc[[2, 8, 15], "FUN2"] = 8   # three values off the 1-7 scale, set to missing below
    assert i18n.get_language() == "en"
    cd = clean(raw, inst, out_of_range="missing", language="fa")
    ids = _names(inst, raw)
    for what in cd.log["what"]:
        assert not latin_outside(what, ids), what
    normalise = cd.log.loc[cd.log["step"] == "normalise", "what"].iloc[0]
    assert "spend (۱)" in normalise and "FUN1 (۲)" in normalise          # was "spend (1)", "FUN1 (2)"
    out = cd.log.loc[cd.log["step"] == "out_of_range", "what"].iloc[0]
    assert out == "FUN2: مقادیر بیرون از ۱ تا ۷ گمشده شدند (سطرهای ۴، ۱۰، ۱۷)"


def test_out_of_range_error_in_persian(survey, inst):
    raw = survey.copy()
    raw["FUN2"] = raw["FUN2"].astype(object)
    raw.loc[[2, 8], "FUN2"] = 8
    with pytest.raises(DataError) as e:
        clean(raw, inst, language="fa")
    text = str(e.value)
    assert text.startswith("ستون 'FUN2' در ۲ سطر (۴، ۱۰) مقدار ۸ دارد؛ طیف ۱ تا ۷ است.")
    assert not latin_outside(text, _names(inst, raw)), text


def test_missing_column_in_persian_keeps_both_names(inst):
    df = pd.DataFrame({c: [1] for c in inst.columns if c != "SAT3"}).assign(SAT_3=[1])
    with pytest.raises(DataError) as e:
        check_columns(df, inst, language="fa")
    assert str(e.value) == ("ستون 'SAT3' پرسش‌نامه در داده‌ها نیست (آیا منظور 'SAT_3' است؟)؛ نام ستون را در داده‌ها "
                            "اصلاح کنید یا پرسش‌نامه‌ای بدون این گویه بدهید.")


def _in_persian(fn):
    previous = i18n.get_language()
    i18n.set_language("fa")
    try:
        return fn()
    finally:
        i18n.set_language(previous)


def test_duplicate_column_positions_and_array_shape_in_persian():
    frame = pd.DataFrame([[1, 2, 3]], columns=["Q1", "Q2", "Q1"])
    with pytest.raises(DataError) as e:
        _in_persian(lambda: read_data(frame))
    assert "(ستون‌های ۱ و ۳)" in str(e.value) and "'Q1'" in str(e.value)     # was "(ستون‌های 1 and 3)"
    with pytest.raises(DataError) as e:
        _in_persian(lambda: as_frame(np.zeros((2, 3, 4))))
    assert "(۲, ۳, ۴)" in str(e.value)


def test_unmatched_item_names_the_closest_header_with_a_persian_score(tmp_path):
    inst = load_instrument(ROOT / "datasets" / "cafe_codebook.csv")
    frame = pd.read_csv(ROOT / "datasets" / "cafe_google_forms.csv", dtype=str, keep_default_na=False)
    frame = frame.rename(columns={frame.columns[4]: "فضا؟"})
    path = tmp_path / "d.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(DataError) as e, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _in_persian(lambda: read_data(path, inst))
    text = str(e.value)
    assert "'AMB1'" in text and "'فضا؟'" in text and re.search(r"شباهت [۰-۹]٫[۰-۹]{2}", text), text
    assert not latin_outside(text, _names(inst, frame)), text


def test_clean_data_speaks_the_language_it_was_cleaned_in():
    """CleanData's summary, text and HTML use clean(..., language=), not the global default."""
    import cem_edu as ce

    inst = ce.load_instrument()
    fa = ce.clean(ce.load_dataset("cem_survey"), inst, language="fa")
    assert ce.get_language() == "en"
    assert list(fa.summary().index[[0, -1]]) == ["سطرهای خوانده‌شده", "سطرهای مانده"]
    assert "حذف‌شده: پاسخ‌دهی شتاب‌زده" in fa.summary().index
    assert str(fa).startswith("داده‌های پاک‌شده\n۶۰۰ سطر خوانده شد")
    assert 'dir="rtl"' in fa._repr_html_() and "داده‌های پاک‌شده" in fa._repr_html_()
    en = ce.clean(ce.load_dataset("cem_survey"), inst, language="en")
    assert en.summary()["rows kept"] == 531 and en.summary()["dropped: speeder"] == 18
