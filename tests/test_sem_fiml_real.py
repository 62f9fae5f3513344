"""FIML on real survey data (issue #16) against lavaan 0.6: psych::bfi five-factor CFA (ML, MLR),
a bfi MIMIC with covariates (fixed.x TRUE/FALSE, complete and missing covariates), and a
four-factor mood model on psychTools::msq. Reference: tests/reference/sem_fiml_real.R."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from cem_edu.errors import EstimationWarning
from cem_edu.sem import fit

from _sem_extras_common import ROOT, assert_estimates, assert_fit, model

REF = ROOT / "tests" / "reference" / "sem_fiml_real"
SCRIPT = (ROOT / "tests" / "reference" / "sem_fiml_real.R").read_text()
BFI = pd.read_csv(REF / "bfi.csv")
FIT = ["npar", "chisq", "df", "pvalue", "baseline_chisq", "baseline_df", "cfi", "tli", "logl",
       "unrestricted_logl", "aic", "bic", "bic2", "ntotal", "rmsea", "rmsea_ci_lower", "rmsea_ci_upper", "srmr"]
ROBUST = ["chisq_scaled", "chisq_scaling_factor", "baseline_chisq_scaled", "cfi_scaled", "tli_scaled",
          "rmsea_scaled", "cfi_robust", "tli_robust", "rmsea_robust"]


def _fit(*args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EstimationWarning)
        return fit(*args, **kw)


@pytest.fixture(scope="module")
def bfi_ml():
    return _fit(model("bfi_model", SCRIPT), BFI, missing="fiml")


@pytest.fixture(scope="module")
def bfi_mlr():
    return _fit(model("bfi_model", SCRIPT), BFI, missing="fiml", estimator="MLR")


def test_bfi_has_real_missing_data():
    items = BFI[[f"{a}{i}" for a in "ACENO" for i in range(1, 6)]]
    obs = ~items.isna()
    assert len(BFI) == 2800 and obs.drop_duplicates().shape[0] == 87


def test_bfi_fiml_ml(bfi_ml):
    """SEs from the observed information at the final estimates (was: at the L-BFGS-B point,
    SE of AF =~ A3 0.13340 vs lavaan 0.13213)."""
    assert bfi_ml.converged
    assert_estimates(bfi_ml, "bfi_fiml", cols=("est", "se", "std_all"), tol=1e-4, ref=REF)
    assert_fit(bfi_ml, "bfi_fiml", FIT, tol=1e-5, ref=REF)


def test_bfi_fiml_mlr(bfi_mlr):
    assert_estimates(bfi_mlr, "bfi_fiml_mlr", cols=("est", "se", "std_all"), tol=1e-4, ref=REF)
    assert_fit(bfi_mlr, "bfi_fiml_mlr", FIT + ROBUST, tol=1e-4, ref=REF)


CC = BFI[BFI["education"].notna()]
MIMIC_FIT = FIT + ["baseline_pvalue", "rmsea_pvalue", "nfi", "ifi", "rni", "cfi_robust", "tli_robust",
                   "rmsea_robust"]


@pytest.mark.parametrize("name,data,fixed_x,estimator", [
    ("mimic_cc_fx", CC, True, "ML"), ("mimic_cc_nofx", CC, False, "ML"),
    ("mimic_na_fx", BFI, True, "ML"), ("mimic_na_nofx", BFI, False, "ML"),
    ("mimic_na_fx_mlr", BFI, True, "MLR")])
def test_mimic_covariates_under_fiml(name, data, fixed_x, estimator):
    """fixed.x as lavaan: logl and baseline conditional on x (baseline df 25, not 28), npar 18 / 27,
    rows with a missing covariate dropped under fixed_x=True (223 of 2,800), kept under False."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = fit(model("mimic_model", SCRIPT), data, missing="fiml", fixed_x=fixed_x, estimator=estimator)
    msgs = [str(w.message) for w in caught if issubclass(w.category, EstimationWarning)]
    dropped = fixed_x and data is BFI
    assert res.n_used == (2577 if data is CC or fixed_x else 2800)
    assert res.n_dropped == (223 if dropped else 0)
    if dropped:
        assert any("223 of 2800" in m and "education (223)" in m for m in msgs), msgs
    else:
        assert not any("exogenous" in m for m in msgs), msgs
    assert_estimates(res, name, cols=("est", "se", "std_all"), tol=1e-4, ref=REF)
    extra = ROBUST if estimator == "MLR" else []
    assert_fit(res, name, MIMIC_FIT + extra, tol=1e-5 if fixed_x else 1e-4, ref=REF)
    # fixed_x=False: FIML-C robust CFI/RMSEA agree to 6e-5 only (lavaan zeroes the x elements of the
    # saturated information even when the covariates are modelled; not reproduced)


def test_fixed_x_false_frees_covariate_covariances_listwise():
    """fixed_x=False: variances, covariances and means of the covariates are free (lavaan npar 27
    under FIML); the baseline keeps the covariates' block (df 25) on the listwise path as well."""
    res = _fit(model("mimic_model", SCRIPT), CC, fixed_x=False)
    e = res.estimates
    cov = e[(e["op"] == "~~") & (e["lhs"] == "age") & (e["rhs"] == "gender")]
    assert len(cov) == 1 and cov["se"].iloc[0] > 0
    # lavaan: sem(mimic_model, bfi, fixed.x = FALSE): npar 19, baseline.chisq 2975.802, baseline.df 25
    assert res.fit["npar"] == 19 and res.fit["baseline_df"] == 25
    assert abs(res.fit["baseline_chisq"] - 2975.802) < 1e-3
    fx = _fit(model("mimic_model", SCRIPT), CC)
    assert abs(res.fit["chisq"] - fx.fit["chisq"]) < 1e-6
    assert abs(res.fit["cfi"] - fx.fit["cfi"]) < 1e-9


MSQ = pd.read_csv(REF / "msq_mood.csv")


@pytest.fixture(scope="module")
def msq():
    return _fit(model("msq_model", SCRIPT), MSQ, missing="fiml")


def test_mood_survey_fiml_converges_as_lavaan(msq):
    """psychTools::msq, 16 mood items in four factors, 262 missing answers, 3 empty rows (3,893 used)."""
    assert msq.converged and msq.opt.grad_max < 1e-6
    assert msq.n_used == 3893 and msq.n_dropped == 3
    assert_estimates(msq, "msq_fiml", cols=("est", "se", "std_all"), tol=1e-4, ref=REF)
    assert_fit(msq, "msq_fiml", FIT, tol=1e-5, ref=REF)


def test_newton_finishes_when_quasi_newton_stops_early(msq):
    """When L-BFGS-B gives up early (here: after 2 iterations from a start 30% off), the damped
    Newton phase must carry on until the gradient vanishes (it stopped after 3 steps before)."""
    from cem_edu.sem.fiml import fit_casewise
    from cem_edu.sem.missing import CasewiseObjective

    obj = CasewiseObjective(msq.model, msq.extras["fiml"]["patterns"])
    x0 = msq.x.copy()
    x0[: len(x0) // 2] *= 0.7
    x, converged, H = fit_casewise(obj, x0, max_iter=2)
    assert converged
    assert np.max(np.abs(x - msq.x)) < 1e-6
    Hx = obj.hessian(x)
    assert np.abs(H - Hx).max() <= 1e-5 * np.abs(Hx).max()      # reused only after a step < 1e-6


def test_listwise_mlr_with_free_covariates():
    """fixed_x=False, listwise MLR: the baseline's scaling keeps the covariates' block free
    (baseline.chisq.scaled 2559.61; it was 2570.34 with the block dropped)."""
    res = _fit(model("mimic_model", SCRIPT), BFI, fixed_x=False, estimator="MLR")
    assert_estimates(res, "mimic_lw_nofx_mlr", cols=("est", "se", "std_all"), tol=1e-4, ref=REF)
    assert_fit(res, "mimic_lw_nofx_mlr", FIT + ROBUST + ["baseline_chisq_scaling_factor"], tol=1e-5, ref=REF)
