"""estimator="MLR" (Huber–White SEs, Yuan–Bentler scaled test, robust CFI/TLI/RMSEA) against lavaan 0.6."""
from __future__ import annotations

import numpy as np
import pytest

from cem_edu.sem import fit

from _sem_extras_common import HS, HS_MCAR, assert_estimates, assert_fit, model

HS_MODEL = model("hs_model")
ROBUST = ["chisq", "df", "chisq_scaled", "chisq_scaling_factor", "pvalue_scaled", "baseline_chisq_scaled",
          "baseline_chisq_scaling_factor", "cfi_scaled", "tli_scaled", "cfi_robust", "tli_robust",
          "rmsea_scaled", "rmsea_ci_lower_scaled", "rmsea_ci_upper_scaled", "rmsea_robust",
          "rmsea_ci_lower_robust", "rmsea_ci_upper_robust", "rmsea_pvalue_robust", "srmr", "cfi", "rmsea",
          "aic", "bic", "logl"]


@pytest.fixture(scope="module")
def mlr():
    return fit(HS_MODEL, HS, estimator="MLR")


def test_mlr_estimates_and_sandwich_se(mlr):
    assert_estimates(mlr, "hs_mlr", cols=("est", "se", "std_all"), tol=1e-5)
    assert mlr.estimator == "MLR" and mlr.se_type == "robust.huber.white"


def test_mlr_scaled_and_robust_fit(mlr):
    assert_fit(mlr, "hs_mlr", ROBUST, tol=1e-5)


def test_mlr_se_differ_from_ml(mlr):
    ml = fit(HS_MODEL, HS)
    # same point estimates, different (robust) standard errors
    assert np.allclose(ml.estimates["est"], mlr.estimates["est"], atol=1e-7)
    assert np.max(np.abs(ml.estimates["se"] - mlr.estimates["se"])) > 0.01


def test_mlr_multigroup_metric():
    res = fit(HS_MODEL, HS, estimator="MLR", group="school", group_equal=["loadings"])
    assert_estimates(res, "hs_inv_metric_mlr", cols=("est", "se"), tol=1e-4)
    assert_fit(res, "hs_inv_metric_mlr", ["chisq", "chisq_scaled", "chisq_scaling_factor", "cfi_robust",
                                          "tli_robust", "rmsea_robust", "baseline_chisq_scaling_factor"], tol=1e-4)


def test_mlr_with_fiml_se_and_scaled_test():
    res = fit(HS_MODEL, HS_MCAR, estimator="MLR", missing="fiml")
    assert_estimates(res, "hs_fiml_mlr", cols=("est", "se"), tol=1e-4)
    assert_fit(res, "hs_fiml_mlr", ["chisq", "chisq_scaled", "chisq_scaling_factor", "logl", "cfi_robust",
                                    "tli_robust", "rmsea_robust", "rmsea_ci_lower_robust", "rmsea_ci_upper_robust",
                                    "cfi_scaled", "rmsea_scaled"], tol=1e-4)


@pytest.mark.parametrize("name,mdl,data", [("pd_mlr", "pd_model", "PD"), ("hs_cov_mlr", "cov_model", "HS")])
def test_mlr_sem_with_labels_and_fixed_x_covariates(name, mdl, data):
    """Equality labels + residual covariances (PoliticalDemocracy) and fixed.x covariates (the
    exogenous block is left out of the saturated-model trace, as lavaan does)."""
    import _sem_extras_common as c

    res = fit(model(mdl), getattr(c, data), estimator="MLR")
    assert_estimates(res, name, cols=("est", "se", "std_all"), tol=5e-4)
    assert_fit(res, name, ["chisq", "chisq_scaled", "chisq_scaling_factor", "baseline_chisq_scaling_factor",
                           "cfi_robust", "tli_robust", "rmsea_robust", "rmsea_ci_upper_robust"], tol=1e-5)


def test_fiml_corrected_block_traces_equal_dense_formula():
    """fiml_corrected evaluates the FIML-C traces group by group; the numbers are those of the
    dense G(p+p*)-dimensional formula (previous implementation), to rounding."""
    from cem_edu.sem.missing import CasewiseObjective
    from cem_edu.sem.robust import fiml_corrected

    res = fit(HS_MODEL, HS_MCAR, missing="fiml", group="school", group_equal=["loadings"])
    obj = CasewiseObjective(res.model, res.extras["fiml"]["patterns"])
    dense = {"V3": (1.275451400782022, 1.2558315569507799), "V6": (1.2641285155504283, 1.2391755257240105)}
    for v, (c3, cb) in dense.items():
        out = fiml_corrected(obj, res.x, res.stats, v)
        assert abs(out["c_hat3"] - c3) < 1e-9 and abs(out["c_hat3_null"] - cb) < 1e-9
