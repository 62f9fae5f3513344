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


# ---------------------------------------------------------------- Chen (2007): N-aware cut-offs
# Chen, F. F. (2007), Structural Equation Modeling 14(3), p. 501; the abstract: "Unequal sample sizes
# affect changes across all 3 levels of invariance: Changes are bigger when sample sizes are equal
# rather than when they are unequal." Hence two sets of cut-offs:
CHEN_TABLE = {  # rule: (ΔCFI drop, ΔRMSEA rise, ΔSRMR rise for loadings, ΔSRMR rise for intercepts)
    "large": (0.010, 0.015, 0.030, 0.010),     # total N > 300 and equal group sizes
    "small": (0.005, 0.010, 0.025, 0.005),     # total N <= 300 or unequal group sizes
}


@pytest.mark.parametrize("sizes,expected", [
    ((150, 151), "large"),        # N = 301, equal
    ((150, 150), "small"),        # N = 300 is not > 300
    ((103, 148), "small"),        # the cem_survey branch/app split: N = 251, unequal
    ((200, 400), "small"),        # N > 300 but unequal (ratio 0.5)
    ((156, 145), "large"),        # Holzinger-Swineford schools
    ((100, 100, 100, 100), "large"),
    ((500, 100), "small"),
])
def test_chen_rule_by_n_and_balance(sizes, expected):
    from cem_edu.sem.invariance import chen_rule

    r = chen_rule(sizes)
    assert r["rule"] == expected and r["n"] == sum(sizes)
    assert (r["cfi"], r["rmsea"], r["srmr_loadings"], r["srmr_intercepts"]) == CHEN_TABLE[expected]


@pytest.mark.parametrize("rule,level,d,expected", [
    # just past Chen's large-sample cut-offs: CFI + RMSEA -> not invariant
    ("large", "metric", (-0.010, 0.015, 0.0), "not"),
    ("large", "metric", (-0.009, 0.015, 0.0), "questionable"),   # RMSEA alone
    ("large", "metric", (-0.012, 0.000, 0.030), "not"),          # CFI supplemented by SRMR (loadings)
    ("large", "scalar", (-0.012, 0.000, 0.010), "not"),          # SRMR cut for intercepts is .010
    ("large", "scalar", (-0.012, 0.000, 0.009), "questionable"),
    ("large", "metric", (-0.008, 0.012, 0.020), "ok"),           # passes the large-sample rule ...
    ("small", "metric", (-0.008, 0.012, 0.020), "not"),          # ... fails the small-sample rule
    ("small", "metric", (-0.004, 0.009, 0.024), "ok"),
    ("small", "scalar", (-0.005, 0.000, 0.005), "not"),
    ("small", "metric", (-0.005, 0.000, 0.024), "questionable"),
])
def test_chen_decision_table(rule, level, d, expected):
    from cem_edu.sem.invariance import chen_rule, decide

    decision, flags = decide(level, *d, chen_rule([100, 100], rule=rule))
    assert decision == expected
    assert len(flags) == sum([d[0] <= -CHEN_TABLE[rule][0], d[1] >= CHEN_TABLE[rule][1],
                              d[2] >= CHEN_TABLE[rule][2 if level == "metric" else 3]])


def test_invariance_reports_rule_applied(inv):
    # Holzinger-Swineford: N = 301, schools 156 / 145 -> Chen's large-sample rule
    assert inv.rule["rule"] == "large" and inv.rule["n"] == 301 and sorted(inv.rule["group_sizes"]) == [145, 156]
    assert "N > 300 with equal groups" in str(inv) and "N = 301" in inv.rule_text
    assert inv.to_dict()["scalar"]["cutoffs"]["cfi"] == 0.010
    assert "0.025" not in str(inv)


def test_invariance_small_sample_uses_stricter_rule():
    sub = pd.concat([HS[HS.school == "Pasteur"].head(110), HS[HS.school == "Grant-White"].head(60)])
    res = invariance(HS_MODEL, sub, group="school", levels=("configural", "metric"))
    assert res.rule["rule"] == "small" and res.rule["n"] == 170 and not res.rule["balanced"]
    assert "N ≤ 300 or unequal groups" in res.rule_text and "-0.005" in res.rule_text
    forced = invariance(HS_MODEL, sub, group="school", levels=("configural", "metric"), rule="large")
    assert forced.rule["rule"] == "large" and "rule='large'" in forced.rule_text
    from cem_edu.errors import ModelError
    with pytest.raises(ModelError, match="rule='auto', 'large' or 'small'"):
        invariance(HS_MODEL, sub, group="school", rule="medium")


def test_invariance_rule_in_persian(inv):
    from cem_edu.i18n import get_language, set_language

    old = get_language()
    set_language("fa")
    try:
        assert "گروه‌های هم‌اندازه" in inv.rule_text and "چن (۲۰۰۷)" in inv.rule_text
        assert "N = ۳۰۱" in inv.rule_text and "۰٫۰۱۰" in inv.rule_text
    finally:
        set_language(old)


def test_modindices_is_a_real_method_of_fitresult():
    """Issue #17: defined in FitResult's class body, not patched on by cem_edu.sem's import."""
    from cem_edu.sem.result import FitResult
    assert "modindices" in vars(FitResult)
    assert FitResult.modindices.__module__ == "cem_edu.sem.result"
    import cem_edu.sem as sem
    assert not hasattr(sem, "_modindices")
