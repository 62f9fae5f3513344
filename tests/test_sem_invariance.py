"""Measurement invariance (HS by school) against lavaan cfa(group.equal=...) and lavTestLRT."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from cem_edu.sem import fit, invariance

from _sem_extras_common import HS, REF, assert_estimates, assert_fit, model

HS_MODEL = model("hs_model")
FIT = ["npar", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea_ci_lower", "rmsea_ci_upper", "srmr", "aic",
       "bic", "logl", "baseline_chisq"]


@pytest.fixture(scope="module")
def inv():
    return invariance(HS_MODEL, HS, group="school")


@pytest.mark.parametrize("level", ["configural", "metric", "scalar", "strict"])
def test_levels_match_lavaan(inv, level):
    res = inv.fits[level]
    assert_estimates(res, f"hs_inv_{level}", cols=("est", "se", "std_all"), tol=1e-4)
    assert_fit(res, f"hs_inv_{level}", FIT, tol=1e-5)
    row = inv.table.loc[level]
    for c in ("chisq", "df", "cfi", "rmsea", "srmr", "aic", "bic"):
        assert row[c] == pytest.approx(res.fit[c])


def test_lrt_matches_lavtestlrt(inv):
    lrt = pd.read_csv(REF / "hs_inv_lrt.csv")
    t = inv.table
    assert np.allclose(t["delta_chisq"].to_numpy()[1:], lrt["Chisq diff"].to_numpy()[1:], atol=1e-4)
    assert np.allclose(t["delta_df"].to_numpy()[1:], lrt["Df diff"].to_numpy()[1:])
    assert np.allclose(t["delta_pvalue"].to_numpy()[1:], lrt["Pr(>Chisq)"].to_numpy()[1:], atol=1e-6)
    assert t.loc["scalar", "delta_cfi"] == pytest.approx(t.loc["scalar", "cfi"] - t.loc["metric", "cfi"])


def test_guidance_and_dict(inv):
    assert "not supported" in inv.guidance["scalar"]          # ΔCFI = -0.038
    assert "supported" in inv.guidance["metric"] and "not" not in inv.guidance["metric"].split(".")[0]
    d = inv.to_dict()
    assert list(d) == ["configural", "metric", "scalar", "strict"]
    assert d["metric"]["delta_df"] == 6
    json.dumps(d)
    text = str(inv)
    assert "Chen (2007)" in text and "strict" in text


def test_partial_scalar_invariance():
    res = fit(HS_MODEL, HS, group="school", group_equal=["loadings", "intercepts"],
              group_partial=["x3 ~ 1", "x7 ~ 1"])
    assert_fit(res, "hs_inv_scalar_partial", ["chisq", "df", "cfi", "rmsea"], tol=1e-5)
    inv = invariance(HS_MODEL, HS, group="school", group_partial=["x3 ~ 1", "x7 ~ 1"],
                     levels=("configural", "metric", "scalar"))
    assert inv.table.loc["scalar", "chisq"] == pytest.approx(res.fit["chisq"])


def test_mlr_invariance_scaled_difference():
    inv = invariance(HS_MODEL, HS, group="school", estimator="MLR", levels=("configural", "metric"))
    f0, f1 = inv.fits["configural"].fit, inv.fits["metric"].fit
    cd = (f1["df"] * f1["chisq_scaling_factor"] - f0["df"] * f0["chisq_scaling_factor"]) / 6
    assert inv.table.loc["metric", "delta_chisq"] == pytest.approx((f1["chisq"] - f0["chisq"]) / cd)
    assert_fit(inv.fits["metric"], "hs_inv_metric_mlr", ["chisq_scaled", "cfi_robust"], tol=1e-4)


@pytest.mark.parametrize("name,mdl,data", [("hs", "hs_model", HS), ("pd", "pd_model", None)])
def test_modindices_match_lavaan(name, mdl, data):
    from _sem_extras_common import PD

    res = fit(model(mdl), PD if data is None else data)
    with pytest.warns(UserWarning, match="capitalises on chance"):
        mi = res.modindices()
    ref = pd.read_csv(REF / f"{name}_modindices.csv")
    m = mi.merge(ref, on=["lhs", "op", "rhs"], suffixes=("", "_r"))
    assert len(m) >= len(ref) - 2 and len(m) == len(mi)
    assert np.abs(m["mi"] - m["mi_r"]).max() < 1e-3
    assert np.abs(m["epc"] - m["epc_r"]).max() < 1e-3
    assert np.abs(m["sepc_all"] - m["sepc.all"]).max() < 1e-3
    top = res.modindices(sort=True).iloc[0] if name == "hs" else None
    if top is not None:
        assert (top["lhs"], top["op"], top["rhs"]) == ("visual", "=~", "x9")


def test_listwise_invariance_warns_once():
    import warnings

    from _sem_extras_common import HS_MCAR

    from cem_edu.errors import EstimationWarning

    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        invariance(HS_MODEL, HS_MCAR, group="school")
    listwise = [w for w in rec if issubclass(w.category, EstimationWarning) and "184 of 301" in str(w.message)]
    assert len(listwise) == 1
