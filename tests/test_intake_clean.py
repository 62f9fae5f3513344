"""Quality flags (pure functions), clean() with its log, reversibility, pseudonymisation."""
import numpy as np
import pandas as pd
import pytest

from cem_edu.errors import DataError
from cem_edu.instrument import load_instrument
from cem_edu.intake import (CleanData, as_frame, attention_failed, clean, detect_identifiers, duplicate,
                            is_iranian_mobile, is_national_code, longstring, mahalanobis_distance, pseudonymize,
                            read_data, speeder, straightliner, too_many_missing)
from cem_edu.intake.validate import check_columns


@pytest.fixture(scope="module")
def inst():
    return load_instrument()


@pytest.fixture(scope="module")
def survey():
    from cem_edu.datasets import load_dataset

    return load_dataset("cem_survey")


@pytest.fixture(scope="module")
def cleaned(survey, inst):
    return clean(survey, inst)


# ---------------------------------------------------------------- flags as pure functions
def test_longstring_and_straightliner():
    df = pd.DataFrame({"a": [1, 5, 3], "b": [1, 5, 3], "c": [2, np.nan, 3], "d": [2, 5, 4]})
    assert longstring(df, list("abcd")).tolist() == [2, 3, 3]   # missing answers are skipped
    assert straightliner(df, list("abcd")).tolist() == [True, True, True]   # default run: half of 4 = 2
    assert straightliner(df, list("abcd"), min_run=3).tolist() == [False, True, True]


def test_speeder_uses_fraction_of_median():
    df = pd.DataFrame({"duration_sec": [100, 400, 420, 500, 161, 159, np.nan]})
    # median 290 -> cut 116
    assert speeder(df).tolist() == [True, False, False, False, False, False, False]
    assert speeder(df, fraction=0.6).tolist() == [True, False, False, False, True, True, False]


def test_attention_duplicate_missing():
    df = pd.DataFrame({"ATT1": [6, 2, np.nan], "x": [1, 1, 1], "y": [2, 2, np.nan]})
    assert attention_failed(df, "ATT1", 6).tolist() == [False, True, True]
    assert duplicate(df, ["x", "y"]).tolist() == [False, True, False]
    assert too_many_missing(df, ["x", "y"], max_share=0.2).tolist() == [False, False, True]
    assert too_many_missing(df, ["x", "y"], max_share=0.5).tolist() == [False, False, False]


def test_mahalanobis_matches_textbook_formula():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(200, 3)) @ np.array([[1, .5, .2], [0, 1, .3], [0, 0, 1]])
    df = pd.DataFrame(X, columns=list("abc"))
    res = mahalanobis_distance(df, list("abc"))
    d = X - X.mean(axis=0)
    expected = np.einsum("ij,jk,ik->i", d, np.linalg.inv(np.cov(X, rowvar=False)), d)
    np.testing.assert_allclose(res["d2"], expected, rtol=1e-10)
    assert (res["df"] == 3).all()
    df.loc[0, "b"] = np.nan                        # one answer missing: 2 degrees of freedom
    assert mahalanobis_distance(df, list("abc"))["df"].iloc[0] == 2


# ---------------------------------------------------------------- clean()
def test_raw_frame_is_never_mutated(survey, inst):
    frozen = survey.copy(deep=True)
    cd = clean(survey, inst)
    pd.testing.assert_frame_equal(survey, frozen)
    pd.testing.assert_frame_equal(cd.raw, frozen)


def test_every_planted_flaw_is_found(cleaned):
    from cem_edu.datasets import simulate

    planted = simulate().attrs["planted"]
    flagged = {k: sorted((cleaned.flags.index[cleaned.flags[k]] + 2).tolist()) for k in cleaned.flags}
    assert flagged["straightliner"] == planted["straightliner"]
    assert flagged["speeder"] == planted["speeder"]
    assert flagged["duplicate"] == planted["duplicate"]
    assert flagged["too_many_missing"] == planted["breakoff"]
    assert set(planted["attention_failed"]) <= set(flagged["attention_failed"])
    normalised = cleaned.log[cleaned.log["step"] == "normalise"]["rows_affected"].iloc[0]
    assert normalised == len({r for r, _ in planted["persian_digits"]})


def test_log_accounts_for_every_dropped_row(cleaned):
    log = cleaned.log
    drops = log[log["step"].str.startswith("drop:")]
    assert drops["rows_affected"].sum() == len(cleaned.dropped) == cleaned.n_raw - len(cleaned.data)
    assert (drops["n_before"] - drops["n_after"] == drops["rows_affected"]).all()
    assert list(log.columns) == ["step", "what", "why", "rows_affected", "n_before", "n_after"]
    assert set(cleaned.dropped["reason"]) == {"straightliner", "speeder", "attention_failed", "duplicate",
                                              "too_many_missing"}
    assert cleaned.dropped["row"].tolist() == (cleaned.dropped.index + 2).tolist()
    assert cleaned.flags.index.equals(cleaned.raw.index)
    assert not set(cleaned.data.index) & set(cleaned.dropped.index)


def test_reverse_items_recoded_once(cleaned, survey, inst):
    kept = cleaned.data.index
    raw = read_data(survey)
    for item in ("FUN4", "HUM3", "LOY4"):
        np.testing.assert_array_equal(cleaned.data[item].to_numpy(), 8 - raw.loc[kept, item].to_numpy(dtype=float))
    assert cleaned.reverse_recoded and cleaned.data.attrs["reverse_recoded"]
    again = clean(cleaned, inst, drop=())
    pd.testing.assert_series_equal(again.data["FUN4"], cleaned.data["FUN4"])
    assert "already recoded" in again.log[again.log["step"] == "reverse"]["what"].iloc[0]
    # the instrument's scoring does not recode a second time either
    scores = inst.score(cleaned)
    np.testing.assert_allclose(scores["functional"], cleaned.data[["FUN1", "FUN2", "FUN3", "FUN4"]].mean(axis=1))


def test_undo_and_replay(cleaned):
    no_speed = cleaned.undo("speeder")
    assert len(no_speed.data) == len(cleaned.data) + (cleaned.dropped["reason"] == "speeder").sum() - \
        (no_speed.dropped["reason"] == "attention_failed").sum() + (cleaned.dropped["reason"] == "attention_failed").sum()
    assert "speeder" not in set(no_speed.dropped["reason"])
    unrev = cleaned.undo("reverse")
    assert not unrev.reverse_recoded
    np.testing.assert_array_equal(unrev.data["FUN4"], 8 - cleaned.data["FUN4"])
    pd.testing.assert_frame_equal(cleaned.replay().data, cleaned.data)
    with pytest.raises(DataError, match="step 'nonsense' cannot be undone; choose one of straightliner, speeder"):
        cleaned.undo("nonsense")


def test_flag_only_keeps_every_row(survey, inst):
    cd = clean(survey, inst, drop=())
    assert len(cd.data) == len(survey) and cd.dropped.empty
    assert cd.log[cd.log["step"] == "flag:speeder"]["rows_affected"].iloc[0] == 18


def test_bad_options(survey, inst):
    with pytest.raises(DataError, match="unknown quality flag 'lazy' in drop="):
        clean(survey, inst, drop=("lazy",))
    with pytest.raises(DataError, match='out_of_range must be "error" or "missing", not \'drop\''):
        clean(survey, inst, out_of_range="drop")


def test_missing_columns_suggest_the_closest_name(inst):
    df = pd.DataFrame({c: [1] for c in inst.columns if c != "FUN2"}).rename(columns={"FUN1": "fun_1"})
    with pytest.raises(DataError) as e:
        check_columns(df, inst)
    assert str(e.value) == ("2 columns of the instrument are missing from the data (FUN1, FUN2) (did you mean "
                            "'FUN1' → 'fun_1'?); check that the data belongs to this instrument.")


def test_as_frame_and_display(cleaned):
    assert as_frame(cleaned) is cleaned.data
    df = pd.DataFrame({"a": [1]})
    assert as_frame(df) is df
    with pytest.raises(DataError, match=r"expected a pandas DataFrame or CleanData \(or a mapping of columns, "
                                        r"or a 2-D array of rows × items\), got str"):
        as_frame("responses.csv")
    with pytest.raises(DataError, match=r"must be a table \(rows × items\); got an array of shape \(1,\)"):
        as_frame([1])
    text = str(cleaned)
    assert text.splitlines()[1] == f"600 rows read, {len(cleaned.dropped)} dropped, {len(cleaned.data)} kept"
    assert "<table" in cleaned._repr_html_()
    d = cleaned.to_dict()
    assert d["n_raw"] == 600 and len(d["dropped"]) == len(cleaned.dropped)
    assert isinstance(cleaned, CleanData)


def test_clean_without_instrument_uses_numeric_columns():
    df = pd.DataFrame({"q1": [1, 2, 3, 3], "q2": [1, 3, 2, 2], "q3": [1, 2, 2, 2], "who": list("abcc")})
    cd = clean(df, drop=("duplicate",))
    assert cd.dropped["row"].tolist() == [5]
    assert not cd.reverse_recoded


# ---------------------------------------------------------------- privacy
@pytest.mark.parametrize("code, ok", [("0499370899", True), ("0084575948", True), ("۰۴۹۹۳۷۰۸۹۹", True),
                                      ("0499370898", False), ("1111111111", False), ("123", False)])
def test_national_code_check_digit(code, ok):
    assert is_national_code(code) is ok


@pytest.mark.parametrize("number, ok", [("09123456789", True), ("+98 912 345 6789", True), ("0098-912-345-6789", True),
                                        ("۰۹۱۲۳۴۵۶۷۸۹", True), ("9123456789", True), ("02112345678", False),
                                        ("0912345678", False)])
def test_iranian_mobile_formats(number, ok):
    assert is_iranian_mobile(number) is ok


def test_pseudonymize_detects_and_hashes_identifiers():
    df = pd.DataFrame({"نام": ["علی رضایی", "Sara"], "contact": ["۰۹۱۲۳۴۵۶۷۸۹", "+989123456789"],
                       "mail": ["a@b.ir", "c@d.com"], "code": ["0499370899", "0084575948"], "FUN1": [5, 6]})
    frozen = df.copy()
    report = detect_identifiers(df)
    assert dict(zip(report["column"], report["kind"])) == {"نام": "name", "contact": "phone", "mail": "email",
                                                           "code": "national_code"}
    out = pseudonymize(df, salt="class-2026")
    pd.testing.assert_frame_equal(df, frozen)
    assert out["contact"].iloc[0] == out["contact"].iloc[1]      # the same phone in two spellings links
    assert out["FUN1"].tolist() == [5, 6]
    assert all(len(v) == 16 for v in out["code"])
    assert pseudonymize(df, salt="class-2026")["code"].tolist() == out["code"].tolist()
    assert pseudonymize(df, salt="other")["code"].tolist() != out["code"].tolist()
    dropped = pseudonymize(df, method="drop")
    assert list(dropped.columns) == ["FUN1"]
    assert [r["action"] for r in dropped.attrs["privacy"]] == ["dropped"] * 4


def test_persian_messages_keep_column_names(inst):
    from pathlib import Path

    ce_lang = __import__("cem_edu").set_language
    ce_lang("fa")
    bad = Path(__file__).parent / "data" / "bad" / "out_of_range.csv"
    with pytest.raises(DataError) as e:
        clean(read_data(bad), inst)
    assert str(e.value) == ("ستون 'FUN2' در ۳ سطر (۴، ۱۰، ۱۷) مقدار ۸ دارد؛ طیف ۱ تا ۷ است. "
                            "برای حذف این مقادیر out_of_range=\"missing\" بگذارید (در خط فرمان: \u2066--out-of-range missing\u2069).")
    cd = clean(read_data(bad), inst, out_of_range="missing")
    assert cd.log["what"].iloc[-1] == "۲۰ سطر ماند، ۰ سطر حذف شد"
    assert "FUN4, HUM3, LOY4" in str(cd)


def test_no_mahalanobis_flags_with_fewer_rows_than_items():
    df = pd.DataFrame(np.random.default_rng(1).normal(size=(5, 8)))
    assert mahalanobis_distance(df, list(df.columns))["d2"].isna().all()


def test_as_frame_is_the_one_coercion_helper():
    """Arrays, lists of rows, mappings and objects with ``.data`` all become the same frame (issue #17)."""
    arr = as_frame(np.array([[1, 2], [3, 4], [5, 6]]))
    assert list(arr.columns) == ["item1", "item2"] and arr.to_numpy().tolist() == [[1, 2], [3, 4], [5, 6]]
    assert as_frame([[1, 2], [3, 4]]).equals(pd.DataFrame([[1.0, 2.0], [3.0, 4.0]], columns=["item1", "item2"]))
    assert as_frame({"a": [1, 2]})["a"].tolist() == [1, 2]

    class Holder:
        data = pd.DataFrame({"x": [1.0]})

    assert as_frame(Holder()) is Holder.data
    from cem_edu.psychometrics.describe import describe_items
    from cem_edu.sem import fit
    with pytest.raises(DataError, match="expected a pandas DataFrame or CleanData .* got int"):
        describe_items(3)
    with pytest.raises(DataError, match="expected a pandas DataFrame or CleanData .* got int"):
        fit("f =~ a + b + c", 3)
