"""Construct tests against R's t.test, friedman.test, wilcox.test and cor.test (tests/reference/thesis.R)."""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import cem_edu as ce
from _thesis_common import KEYED, REF
from cem_edu.errors import DataError

TT = pd.read_csv(REF / "t_test.csv")
FR = pd.read_csv(REF / "friedman.csv").set_index("data")
PW = pd.read_csv(REF / "wilcoxon_pairs.csv")
CR = pd.read_csv(REF / "cor_test.csv")
MIDS = {"bfi": 3.5, "cem": 4.0}
FRIED = {"bfi": list("ACENO"), "cem": ["functional", "mechanic", "humanic"]}


@pytest.mark.parametrize("dataset", ["bfi", "cem"])
def test_one_sample_t_matches_t_test(dataset):
    res = ce.one_sample_t(*KEYED[dataset], midpoint=MIDS[dataset])
    ref = TT[TT["data"] == dataset].set_index("construct")
    got = res.table.loc[ref.index]
    assert (got["n"].to_numpy() == ref["n"].to_numpy()).all() and (got["df"] == ref["df"]).all()
    for col in ("mean", "sd", "t", "ci_lower", "ci_upper", "cohen_d"):
        np.testing.assert_allclose(got[col], ref[col], rtol=1e-9, err_msg=col)
    np.testing.assert_allclose(got["p"], ref["p"], rtol=1e-6, atol=1e-300)


def test_midpoint_from_the_instrument_scale():
    inst = ce.load_instrument()
    data = ce.clean(ce.load_dataset("cem_survey"), inst)
    res = ce.one_sample_t(data, inst)
    scale = inst.item("FUN1").scale
    assert res.table.loc["functional", "midpoint"] == (scale.min + scale.max) / 2
    with pytest.raises(DataError, match="say which value is the midpoint"):
        ce.one_sample_t(*KEYED["bfi"])


@pytest.mark.parametrize("dataset", ["bfi", "cem"])
def test_friedman_matches_friedman_test(dataset):
    data, spec = KEYED[dataset]
    res = ce.friedman(data, {k: spec[k] for k in FRIED[dataset]})
    ref = FR.loc[dataset]
    assert res.n == ref["n"] and res.df == ref["df"]
    assert res.chisq == pytest.approx(ref["chisq"], rel=1e-9)
    assert res.p == pytest.approx(ref["p"], rel=1e-6)
    assert res.kendall_w == pytest.approx(ref["kendall_w"], rel=1e-9)
    pw = PW[PW["data"] == dataset].reset_index(drop=True)
    post = res.posthoc
    assert list(zip(post["a"], post["b"])) == list(zip(pw["a"], pw["b"]))
    np.testing.assert_allclose(post["V"], pw["V"], rtol=1e-12)
    np.testing.assert_allclose(post["p"], pw["p"], rtol=1e-6)
    np.testing.assert_allclose(post["p_holm"], pw["p_holm"], rtol=1e-6)


@pytest.mark.parametrize("dataset", ["bfi", "cem"])
def test_correlations_match_cor_test(dataset):
    res = ce.correlation_table(*KEYED[dataset])
    for row in CR[CR["data"] == dataset].itertuples():
        assert res.r.loc[row.a, row.b] == pytest.approx(row.r, abs=1e-12)
        assert res.p.loc[row.a, row.b] == pytest.approx(row.p, rel=1e-6, abs=1e-300)


def test_apa_table_text():
    res = ce.correlation_table(*KEYED["bfi"])
    tab = res.table
    assert list(tab.columns[:2]) == ["M", "SD"] and tab.loc["2. C", "1"] == ".31***"
    assert tab.loc["5. O", "4"] == "-.08" and tab.loc["1. A", "1"] == "—"
    fa = ce.correlation_table(*KEYED["bfi"], language="fa").table
    assert "میانگین" in fa.columns and fa.iloc[0, 0] == "۴٫۷۰"


def test_cli_construct_tests(tmp_path):
    data, spec = KEYED["bfi"]
    data.to_csv(tmp_path / "b.csv", index=False)
    (tmp_path / "m.lav").write_text("\n".join(f"{k} =~ {' + '.join(v)}" for k, v in spec.items()))
    out = tmp_path / "ct.json"
    p = subprocess.run([sys.executable, "-m", "cem_edu.cli", "construct-tests", str(tmp_path / "b.csv"), "--model",
                        str(tmp_path / "m.lav"), "--midpoint", "3.5", "--json", str(out)], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    j = json.loads(out.read_text())
    ref = TT[TT["data"] == "bfi"].set_index("construct")
    assert j["one_sample_t"]["constructs"]["N"]["t"] == pytest.approx(ref.loc["N", "t"], rel=1e-9)
    assert j["friedman"]["kendall_w"] == pytest.approx(FR.loc["bfi", "kendall_w"], rel=1e-9)
    p = subprocess.run([sys.executable, "-m", "cem_edu.cli", "construct-tests", str(tmp_path / "b.csv"), "--model",
                        str(tmp_path / "m.lav"), "--friedman", "A,Z"], capture_output=True, text=True)
    assert p.returncode == 2 and "--friedman: unknown construct(s) Z" in p.stderr
