"""Common-method bias against psych::principal / fa, lm-based VIFs, statsmodels' VIF and lavaan (thesis.R)."""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import cem_edu as ce
from _thesis_common import KEYED, REF
from cem_edu.errors import DataError, ModelError
from cem_edu.psychometrics.common_method import full_collinearity_vif, harman, ulmc
from cem_edu.psychometrics.constructs import construct_scores

HARMAN = pd.read_csv(REF / "harman.csv").set_index("data")
VIF = pd.read_csv(REF / "full_collinearity_vif.csv")
ULFIT = pd.read_csv(REF / "ulmc_fit.csv")
ULLOAD = pd.read_csv(REF / "ulmc_loadings.csv")


@pytest.mark.parametrize("dataset", list(KEYED))
def test_harman_matches_psych(dataset):
    h = harman(*KEYED[dataset])
    assert h["harman_pct"] == pytest.approx(HARMAN.loc[dataset, "harman_pct"], abs=1e-8)
    assert h["harman_efa_pct"] == pytest.approx(HARMAN.loc[dataset, "harman_efa_pct"], abs=1e-3)


@pytest.mark.parametrize("dataset", list(KEYED))
def test_full_collinearity_vif_matches_r_and_statsmodels(dataset):
    from statsmodels.stats.outliers_influence import variance_inflation_factor

    data, spec = KEYED[dataset]
    scores = construct_scores(data, spec)
    vif = full_collinearity_vif(scores)
    ref = VIF[VIF["data"] == dataset].set_index("construct")["vif"]
    np.testing.assert_allclose(vif.loc[ref.index], ref, rtol=1e-9)
    exog = np.column_stack([np.ones(len(scores.dropna())), scores.dropna().to_numpy()])
    sm = [variance_inflation_factor(exog, j + 1) for j in range(scores.shape[1])]
    np.testing.assert_allclose(vif.to_numpy(), sm, rtol=1e-9)


CASES = sorted({(r.data, r.method_loadings) for r in ULFIT.itertuples()})


@pytest.mark.parametrize(("dataset", "method_loadings"), CASES)
def test_ulmc_matches_lavaan(dataset, method_loadings):
    u = ulmc(*KEYED[dataset], method_loadings=method_loadings)
    ref = ULFIT[(ULFIT["data"] == dataset) & (ULFIT["method_loadings"] == method_loadings)].set_index("model")
    for model in ("without", "with"):
        for key in ("chisq", "cfi", "tli", "rmsea", "srmr"):
            assert u["fit"][model][key] == pytest.approx(ref.loc[model, key], abs=1e-3), (model, key)
        assert u["fit"][model]["df"] == ref.loc[model, "df"]
    assert u["delta_chisq"] == pytest.approx(ref.loc["without", "chisq"] - ref.loc["with", "chisq"], abs=1e-3)
    lr = ULLOAD[(ULLOAD["data"] == dataset) & (ULLOAD["method_loadings"] == method_loadings)].copy()
    # a unit-variance factor is identified up to its sign: both sides use "loadings sum to a positive number"
    lr["std_all"] *= np.sign(lr.groupby("lhs")["std_all"].transform("sum"))
    meth = lr[lr["lhs"] == "method"].set_index("rhs")["std_all"]
    np.testing.assert_allclose(u["loadings"].loc[meth.index, "method"], meth, atol=2e-3)
    trait = lr[lr["lhs"] != "method"].set_index("rhs")["std_all"]
    np.testing.assert_allclose(u["loadings"].loc[trait.index, "trait_with"], trait, atol=2e-3)


def test_unidentified_free_method_factor_stops_with_advice():
    """lavaan only warns ("could not compute standard errors") and prints estimates; we stop and say why."""
    with pytest.raises(ModelError, match="method_loadings='equal'"):
        ulmc(*KEYED["cem"], method_loadings="free")


def test_common_method_result_json_and_text():
    res = ce.common_method(*KEYED["hs"])
    j = res.to_dict()
    assert j["harman_pct"] == pytest.approx(HARMAN.loc["hs", "harman_pct"], abs=1e-8)
    assert set(j["full_collinearity_vif"]) == {"visual", "textual", "speed"}
    assert j["ulmc"]["delta_df"] == 1
    text = str(res)
    assert "35.7%" in text and "Podsakoff et al. 2003, 2012" in text
    assert "پادساکف" in str(ce.common_method(*KEYED["hs"], ulmc_model=False, language="fa"))


def test_vif_needs_two_constructs_and_bad_option_is_named():
    with pytest.raises(DataError, match="at least two constructs"):
        full_collinearity_vif(pd.DataFrame({"a": [1.0, 2, 3]}))
    with pytest.raises(DataError, match="method_loadings must be 'equal' or 'free'"):
        ulmc(*KEYED["hs"], method_loadings="tau")


def test_cli_common_method_json(tmp_path):
    data, spec = KEYED["hs"]
    data.to_csv(tmp_path / "hs.csv", index=False)
    (tmp_path / "m.lav").write_text("\n".join(f"{k} =~ {' + '.join(v)}" for k, v in spec.items()))
    out = tmp_path / "c.json"
    p = subprocess.run([sys.executable, "-m", "cem_edu.cli", "common-method", str(tmp_path / "hs.csv"), "--model",
                        str(tmp_path / "m.lav"), "--json", str(out)], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    j = json.loads(out.read_text())
    assert j["harman_pct"] == pytest.approx(HARMAN.loc["hs", "harman_pct"], abs=1e-8)
    ref = VIF[VIF["data"] == "hs"].set_index("construct")["vif"]
    assert j["full_collinearity_vif"]["speed"] == pytest.approx(ref["speed"], rel=1e-9)
