"""Constraints (== < >), growth() and := of shared labels against lavaan 0.6
(tests/reference/sem_constraints.R; data: HolzingerSwineford1939, PoliticalDemocracy,
lavaan::Demo.growth and six psychTools::bfi items, exported by that script)."""
from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import cem_edu as ce
from cem_edu.errors import ModelError
from cem_edu.sem import fit

ROOT = Path(__file__).resolve().parents[1]
REF = ROOT / "tests" / "reference" / "sem_constraints"
R_SCRIPT = (ROOT / "tests" / "reference" / "sem_constraints.R").read_text()
HS = pd.read_csv(ROOT / "datasets" / "holzinger_swineford.csv")
PD = pd.read_csv(ROOT / "datasets" / "political_democracy.csv")
GROWTH = pd.read_csv(REF / "demo_growth.csv")
BFI = pd.read_csv(REF / "bfi_eo.csv")
HS_MCAR = pd.read_csv(ROOT / "tests" / "reference" / "sem_extras" / "hs_mcar.csv")
TOL = 1e-3


def model(name: str) -> str:
    """Model syntax exactly as the R script gives it to lavaan."""
    return re.search(name + r' <- "(.*?)"', R_SCRIPT, re.S).group(1)


def ref_est(name):
    r = pd.read_csv(REF / f"{name}_est.csv")
    r["rhs"] = r["rhs"].fillna("")
    return r


def ref_fit(name):
    f = pd.read_csv(REF / f"{name}_fit.csv")
    return pd.Series(f["value"].to_numpy(), index=[m.replace(".", "_") for m in f["measure"]])


# name -> (model, data, options, fitting function)
CASES = {
    "hs_eq": ("hs_eq_model", HS, {}, fit),
    "hs_eq_mlr": ("hs_eq_model", HS, {"estimator": "MLR"}, fit),
    "hs_eq_fiml": ("hs_eq_model", HS, {"missing": "fiml"}, fit),
    "hs_eq_fiml_mcar": ("hs_eq_model", HS_MCAR, {"missing": "fiml"}, fit),
    "hs_eq_fiml_mlr_mcar": ("hs_eq_model", HS_MCAR, {"missing": "fiml", "estimator": "MLR"}, fit),
    "hs_lin": ("hs_lin_model", HS, {}, fit),
    "hs_eq_std": ("hs_eq_std_model", HS, {"std_lv": True}, fit),
    "hs_mg": ("hs_mg_model", HS, {"group": "school"}, fit),
    "hs_redundant": ("hs_redundant_model", HS, {}, fit),
    "hs_gt_inactive": ("hs_gt_model", HS, {}, fit),
    "hs_shared_bound": ("hs_shared_bound_model", HS, {}, fit),
    "hs_mixed": ("hs_mixed_model", HS, {}, fit),
    "hs_lt_active": ("hs_lt_model", HS, {}, fit),
    "hs_ab_active": ("hs_ab_model", HS, {}, fit),
    "hs_ab_active_mlr": ("hs_ab_model", HS, {"estimator": "MLR"}, fit),
    "bfi_heywood_free": ("bfi_free_model", BFI, {}, fit),
    "bfi_heywood_bound": ("bfi_bound_model", BFI, {}, fit),
    "growth_linear": ("growth_model", GROWTH, {}, ce.growth),
    "growth_cov": ("growth_cov_model", GROWTH, {}, ce.growth),
    "growth_cov_fiml": ("growth_cov_model", pd.read_csv(REF / "demo_growth_mcar.csv"), {"missing": "fiml"},
                        ce.growth),
    "pd_shared": ("pd_shared_model", PD, {}, fit),
}
_CACHE: dict = {}


def fitted(name):
    if name not in _CACHE:
        syntax, data, kw, fn = CASES[name]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _CACHE[name] = fn(model(syntax), data, **kw)
    return _CACHE[name]


def merged(name):
    e = fitted(name).estimates.copy()
    e["rhs"] = e["rhs"].fillna("")
    r = ref_est(name)
    key = ["lhs", "op", "rhs"] + (["group"] if "group" in r.columns else [])
    m = e.merge(r, on=key, suffixes=("", "_r"))
    assert len(m) == len(r) == len(e), (len(m), len(r), len(e))
    return m


@pytest.mark.parametrize("name", list(CASES))
def test_estimates_match_lavaan(name):
    m = merged(name)
    for ours, theirs in (("est", "est_r"), ("se", "se_r"), ("std_all", "std.all")):
        a, b = m[ours].to_numpy(float), m[theirs].to_numpy(float)
        both = np.isfinite(a) & np.isfinite(b)
        diff = np.abs(a[both] - b[both])
        assert diff.max() < TOL, f"{name}: {ours} differs from lavaan by {diff.max():.2e}"
        # a missing value only where lavaan has none, or (se of a parameter held at an active
        # bound) where lavaan prints 0 or NA depending on the rounding of its bordered inverse
        nan = ~np.isfinite(a) & np.isfinite(b)
        if ours == "se":
            assert np.all(b[nan] == 0), f"{name}: se missing where lavaan has one"
        else:
            assert not nan.any(), f"{name}: {ours} missing where lavaan has a value"


@pytest.mark.parametrize("name", CASES)  # growth_cov_fiml: FIML + fixed.x covariates, logl conditional on x
def test_fit_measures_match_lavaan(name):
    ours, ref = fitted(name).fit, ref_fit(name)
    common = [k for k in ours.index if k in ref.index and np.isfinite(ref[k])]
    assert {"npar", "df", "chisq", "cfi", "tli", "rmsea", "srmr", "aic", "bic", "logl"} <= set(common)
    for k in common:
        a, b = float(ours[k]), float(ref[k])
        assert abs(a - b) < TOL * max(1.0, abs(b)), f"{name}: {k} = {a} vs lavaan {b}"


def test_equality_constraints_add_df_inequalities_do_not():
    base = fitted("hs_gt_inactive").fit        # unconstrained solution, 21 parameters, df 24
    assert (base["npar"], base["df"]) == (21, 24)
    assert (fitted("hs_eq").fit["npar"], fitted("hs_eq").fit["df"]) == (19, 26)
    for name in ("hs_lt_active", "hs_ab_active"):      # active bounds: lavaan keeps npar and df
        assert (fitted(name).fit["npar"], fitted(name).fit["df"]) == (21, 24)
    e = fitted("hs_eq").estimates.set_index("label")
    assert e.loc["a", "est"] == pytest.approx(e.loc["b", "est"], abs=1e-10)
    assert e.loc["f", "est"] == pytest.approx(e.loc["a", "est"] + e.loc["b", "est"], abs=1e-10)
    lin = fitted("hs_lin").estimates.set_index("label")
    assert lin.loc["a", "est"] + lin.loc["b", "est"] == pytest.approx(1.5, abs=1e-10)
    assert lin.loc["c", "est"] == pytest.approx(2 * lin.loc["e", "est"], abs=1e-10)


def test_inequality_bounds_active_and_inactive():
    inactive = fitted("hs_gt_inactive").estimates.set_index("label")
    assert inactive.loc["a", "est"] > 0.5 and np.isfinite(inactive.loc["a", "se"])
    lt = fitted("hs_lt_active").estimates.set_index("label")
    assert lt.loc["a", "est"] == pytest.approx(0.5, abs=1e-9) and np.isnan(lt.loc["a", "se"])
    ab = fitted("hs_ab_active").estimates.set_index("label")
    assert ab.loc["a", "est"] == pytest.approx(ab.loc["b", "est"], abs=1e-9)
    assert ab.loc["a", "se"] == pytest.approx(0.0882, abs=1e-3)      # as an equality, as lavaan
    # the Heywood case in psychTools::bfi: O3's residual variance is negative unless bounded
    free = fitted("bfi_heywood_free").estimates
    bound = fitted("bfi_heywood_bound").estimates
    var = (free["lhs"] == "O3") & (free["op"] == "~~") & (free["rhs"] == "O3")
    assert free.loc[var, "est"].item() < -0.5
    v = bound.set_index("label").loc["v"]
    assert v["est"] == pytest.approx(0.0, abs=1e-9) and np.isnan(v["se"])


def test_fiml_with_constraints_equals_listwise_on_complete_data():
    a, b = fitted("hs_eq").estimates, fitted("hs_eq_fiml").estimates
    b = b[b["op"] != "~1"].reset_index(drop=True)
    assert np.allclose(a["est"], b["est"], atol=1e-8)      # (se differ: FIML uses observed information)
    assert fitted("hs_eq").fit["chisq"] == pytest.approx(fitted("hs_eq_fiml").fit["chisq"], abs=1e-6)


def test_modindices_with_constraints_match_lavaan():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = fitted("hs_eq").modindices()
    ref = pd.read_csv(REF / "hs_eq_modindices.csv")
    m = ours.merge(ref, on=["lhs", "op", "rhs"], suffixes=("", "_r"))
    # every parameter fixed at zero; lavaan also lists the two marker loadings (x1, x7), which
    # cem-edu's modindices() does not consider (it tests only parameters absent from the model)
    assert len(m) == len(ours) == len(ref) - 2
    assert set(zip(ref["lhs"], ref["rhs"])) - set(zip(m["lhs"], m["rhs"])) == {("visual", "x1"), ("speed", "x7")}
    for a, b in (("mi", "mi_r"), ("epc", "epc_r"), ("sepc_all", "sepc.all")):
        assert np.nanmax(np.abs(m[a] - m[b])) < TOL


def test_bootstrap_with_constraints_near_lavaan():
    res = fit(model("hs_eq_model"), HS, bootstrap=1000, seed=7, progress=False)
    ref = ref_est("hs_eq_boot")
    m = res.estimates.merge(ref, on=["lhs", "op", "rhs"], suffixes=("", "_r"))
    free = m[m["se_r"] > 0]
    ratio = free["se"].to_numpy() / free["se_r"].to_numpy()
    assert np.all(np.abs(ratio - 1) < 0.10), ratio.round(3)
    e = res.estimates.set_index("label")      # draws keep the constraints: a == b, f == a + b
    assert e.loc["a", "se"] == pytest.approx(e.loc["b", "se"], rel=1e-12)
    assert e.loc["f", "se"] == pytest.approx(2 * e.loc["a", "se"], rel=1e-9)


def test_inequalities_refused_where_not_supported():
    with pytest.raises(ModelError, match="missing='fiml'"):
        fit(model("hs_lt_model"), HS, missing="fiml")


def test_bootstrap_with_an_active_bound_near_lavaan():
    res = fit(model("hs_lt_model"), HS, bootstrap=1000, seed=3, progress=False)
    assert res.model.constraints.active == (0,)            # the refits leave the fit's active set
    e = res.estimates.set_index(["lhs", "op", "rhs"])
    ref = ref_est("hs_lt_boot").set_index(["lhs", "op", "rhs"])
    a = ("visual", "=~", "x2")
    assert e.loc[a, "est"] == pytest.approx(0.5, abs=1e-9)
    assert e.loc[a, "ci_upper"] == pytest.approx(0.5, abs=1e-9) == ref.loc[a, "ci.upper"]
    # every draw honours the bound; every bootstrap SE within 10 % of lavaan's
    draws = res.extras["bootstrap"]["result"].draws
    k = int(res.model.partable.set_index(["lhs", "op", "rhs"]).loc[a, "free"]) - 1
    assert draws[:, k].max() <= 0.5 + 1e-7
    free = [i for i in ref.index if ref.loc[i, "se"] > 0]
    assert len(free) == 21
    ratio = np.array([e.loc[i, "se"] / ref.loc[i, "se"] for i in free])
    assert np.all(np.abs(ratio - 1) < 0.10), ratio.round(3)


def test_defined_parameter_std_uses_first_row_of_a_shared_label():
    # a ties dem60 =~ y2 and dem65 =~ y6 (b: y3, y7); lavaan's std.all of ab uses the first rows
    e = fitted("pd_shared").estimates.set_index("lhs")
    ref = ref_est("pd_shared").set_index("lhs")
    assert e.loc["ab", "std_all"] == pytest.approx(ref.loc["ab", "std.all"], abs=1e-4)
    std = fitted("pd_shared").estimates
    first = {lab: v for lab, v in zip(std["label"][::-1], std["std_all"][::-1]) if lab}
    assert e.loc["ab", "std_all"] == pytest.approx(first["a"] * first["b"], rel=1e-9)


def test_growth_defaults():
    res = fitted("growth_linear")
    e = res.estimates
    ints = e[(e["op"] == "~1") & e["lhs"].str.startswith("t")]
    assert len(ints) == 4 and np.all(ints["est"] == 0) and np.all(ints["se"] == 0)
    means = e[(e["op"] == "~1") & e["lhs"].isin(["i", "s"])]
    assert len(means) == 2 and np.all(means["se"] > 0)
    assert res.syntax == model("growth_model") and res.extras["model_type"] == "growth"
    with pytest.raises(ModelError, match="mean structure"):
        ce.growth(model("growth_model"), GROWTH, meanstructure=False)
    assert "growth" in ce.__all__


def test_summary_lists_constraints_with_slack():
    res = fitted("hs_lt_active")
    con = res.constraints()
    assert list(con["constraint"]) == ["a < 0.5"] and con["slack"].item() == pytest.approx(0.0, abs=1e-9)
    text = str(res)
    assert "Constraints:" in text and "a < 0.5" in text
    eq = fitted("hs_eq").constraints()
    assert list(eq["op"]) == ["==", "=="] and np.all(eq["slack"] < 1e-10)
    assert fit("visual =~ x1 + x2 + x3", HS).constraints() is None


def test_power_keeps_equality_constraints_of_the_analysis_model():
    pop = "f =~ 0.7*y1 + 0.7*y2 + 0.6*y3 + 0.6*y4\ng =~ 0.7*y5 + 0.6*y6 + 0.6*y7\ng ~ 0.3*f"
    ana = "f =~ y1 + a*y2 + b*y3 + c*y4\ng =~ y5 + y6 + y7\ng ~ f\nb == c"
    out = ce.power(pop, n=200, reps=40, analysis_model=ana, seed=1, progress=False).set_index("label")
    assert out.loc["b", "mean_est"] == pytest.approx(out.loc["c", "mean_est"], abs=1e-10)
    assert out.loc["b", "pop_value"] == pytest.approx(out.loc["c", "pop_value"], abs=1e-10)
    assert 0.85 <= out.loc["b", "coverage"] <= 1.0 and out.loc["b", "power"] == 1.0
    with pytest.raises(ModelError, match="power"):
        ce.power(pop, n=200, reps=5, analysis_model=ana.replace("b == c", "b > c"), seed=1, progress=False)


def test_partable_lists_constraint_rows_with_their_value_as_lavaan():
    pt = fitted("hs_mixed").partable
    ref = pd.read_csv(REF / "hs_mixed_partable.csv")
    ours, theirs = pt[pt["op"].isin(["==", "<", ">"])], ref[ref["op"].isin(["==", "<", ">"])]
    assert list(ours["op"]) == list(theirs["op"]) == ["<", ">", ">", "=="]
    assert list(ours["rhs"]) == list(theirs["rhs"])
    assert np.allclose(ours["est"], theirs["est"], atol=1e-3)
    assert (ours["group"] == 0).all() and (ours["free"] == 0).all()


def test_constraint_messages_in_persian():
    from cem_edu.i18n import get_language, set_language

    old = get_language()
    set_language("fa")
    try:
        with pytest.raises(ModelError) as err:
            fit("visual =~ x1 + a*x2 + b*x3\na*b == 1", HS)
        assert "خطی نیست" in str(err.value) and "a*b == 1" in str(err.value)
        with pytest.raises(ModelError) as err:
            fit(model("hs_lt_model"), HS, missing="fiml")
        assert "قیدهای نابرابری" in str(err.value)
        assert "قیدها:" in str(fitted("hs_eq"))
    finally:
        set_language(old)


def test_growth_under_fiml_with_covariates_main_fit_measures():
    ours, ref = fitted("growth_cov_fiml").fit, ref_fit("growth_cov_fiml")
    for k in ("npar", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea_ci_lower", "rmsea_ci_upper", "srmr"):
        assert abs(float(ours[k]) - float(ref[k])) < TOL * max(1.0, abs(float(ref[k]))), k
