"""Normality screening against psych::mardia, shapiro.test and nortest's Lilliefors algorithm (thesis.R)."""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import cem_edu as ce
from _thesis_common import REF, SETS
from cem_edu.errors import DataError

MARDIA = pd.read_csv(REF / "mardia.csv").set_index("data")
ITEMS = pd.read_csv(REF / "normality_items.csv")


@pytest.mark.parametrize("dataset", list(SETS))
def test_mardia_matches_psych(dataset):
    data, spec = SETS[dataset]
    m = ce.normality(data, spec).mardia
    ref = MARDIA.loc[dataset]
    assert m["n"] == ref["n"] and m["p"] == ref["p"]
    for key in ("b1p", "b2p", "skew", "small_skew", "kurtosis"):
        assert m[key] == pytest.approx(ref[key], rel=1e-9), key
    for key in ("p_skew", "p_small", "p_kurt"):
        assert m[key] == pytest.approx(ref[key], rel=1e-6, abs=1e-12), key


@pytest.mark.parametrize("dataset", list(SETS))
def test_item_tests_match_r(dataset):
    data, spec = SETS[dataset]
    got = ce.normality(data, spec).items
    ref = ITEMS[ITEMS["data"] == dataset].set_index("item")
    got = got.loc[ref.index]
    assert (got["n"].to_numpy() == ref["n"].to_numpy()).all()
    for col in ("skew", "kurtosis", "ks_d", "ks_p"):
        np.testing.assert_allclose(got[col], ref[col], rtol=1e-9, atol=1e-12, err_msg=col)
    # scipy's Shapiro-Wilk is Royston's (1995) swilk, as R's; tiny float differences in the p approximation
    np.testing.assert_allclose(got["sw_w"], ref["sw_w"], atol=1e-6)
    np.testing.assert_allclose(got["sw_p"], ref["sw_p"], rtol=1e-4, atol=1e-10)


def test_lilliefors_statistic_equals_statsmodels():
    """Same D as statsmodels' lilliefors; the p-values differ by design (statsmodels interpolates tables,
    we follow nortest::lillie.test, which the R reference reproduces)."""
    from statsmodels.stats.diagnostic import lilliefors as sm_lilliefors

    from cem_edu.psychometrics.normality import lilliefors

    for col in ("x1", "x5", "x9"):
        x = SETS["hs"][0][col].to_numpy()
        assert lilliefors(x)[0] == pytest.approx(sm_lilliefors(x, dist="norm", pvalmethod="approx")[0], abs=1e-12)


def test_advice_follows_mardia():
    res = ce.normality(*SETS["bfi"])
    assert res.advice == "MLR" and "MLR" in res.advice_text()
    rng = np.random.default_rng(3)
    normal = pd.DataFrame(rng.normal(size=(400, 4)), columns=list("abcd"))
    ok = ce.normality(normal)
    assert ok.advice == "ML" and ok.mardia["p_kurt"] > 0.05


def test_large_n_sentence_and_persian():
    res = ce.normality(*SETS["hs"], language="fa")
    text = str(res)
    assert "ماردیا" in text and "وست، فینچ و کوران" in text
    assert "with hundreds of respondents" in str(ce.normality(*SETS["hs"], language="en"))


def test_too_few_complete_rows_is_a_clear_error():
    df = pd.DataFrame({"a": [1, 2, 3, 4.0], "b": [2, 1, 4, 3.0], "c": [1, 3, 2, 5.0], "d": [5, 1, 2, 2.0]})
    with pytest.raises(DataError, match="Mardia's test needs more complete rows than items; got 4 complete rows "
                                        "for 4 items"):
        ce.normality(df)


def test_cli_normality_json(tmp_path):
    data, spec = SETS["hs"]
    data.to_csv(tmp_path / "hs.csv", index=False)
    (tmp_path / "m.lav").write_text("\n".join(f"{k} =~ {' + '.join(v)}" for k, v in spec.items()))
    out = tmp_path / "n.json"
    p = subprocess.run([sys.executable, "-m", "cem_edu.cli", "normality", str(tmp_path / "hs.csv"), "--model",
                        str(tmp_path / "m.lav"), "--json", str(out)], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    j = json.loads(out.read_text())
    assert set(j["mardia"]) >= {"b1p", "b2p", "skew", "p_skew", "small_skew", "p_small", "kurtosis", "p_kurt"}
    assert j["mardia"]["b2p"] == pytest.approx(MARDIA.loc["hs", "b2p"], rel=1e-9)
    assert set(j["items"]["x1"]) >= {"skew", "kurtosis", "sw_w", "sw_p", "ks_d", "ks_p"}


def test_shapiro_wilk_left_empty_above_5000_answers_with_a_note():
    rng = np.random.default_rng(7)
    big = pd.DataFrame(rng.normal(size=(5001, 3)), columns=["a", "b", "c"])
    res = ce.normality(big)
    assert res.items["sw_w"].isna().all() and res.items["ks_d"].notna().all()
    assert "R's shapiro.test stops there" in str(res)


def test_advice_names_the_evidence_that_triggered_it():
    """The advice quotes Mardia's skewness test as well as the kurtosis test, and names items whose
    univariate skew/kurtosis passed Kline's limits, so the sentence never cites only a test that did not reject."""
    rng = np.random.default_rng(1)
    d = pd.DataFrame(rng.normal(size=(300, 4)), columns=list("abcd"))
    d["e"] = rng.exponential(size=300) ** 3
    res = ce.normality(d)
    assert res.advice == "MLR"
    text = res.advice_text()
    assert "skewness p" in text and "kurtosis z" in text and text.startswith("Item(s) e have")
    fa = ce.normality(d, language="fa").advice_text()
    assert "چولگی ماردیا" in fa and "گویه(های) e" in fa
    calm = ce.normality(pd.DataFrame(rng.normal(size=(300, 4)), columns=list("abcd"))).advice_text()
    assert not calm.startswith("Item(s)")
