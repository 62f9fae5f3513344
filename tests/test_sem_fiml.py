"""missing="fiml" (casewise likelihood, EM H1, observed information) against lavaan missing="ml"."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cem_edu.sem import fit
from cem_edu.sem.missing import em_h1, independence_loglik, loglik, missing_patterns

from _sem_extras_common import HS_MCAR, PD, assert_estimates, assert_fit, model, ref_fit

HS_MODEL = model("hs_model")
XS = [f"x{i}" for i in range(1, 10)]
FIT = ["npar", "chisq", "df", "pvalue", "baseline_chisq", "baseline_df", "cfi", "tli", "nfi", "rfi", "ifi", "rni",
       "logl", "unrestricted_logl", "aic", "bic", "bic2", "ntotal", "rmsea", "rmsea_ci_lower", "rmsea_ci_upper",
       "rmsea_pvalue", "srmr", "cfi_robust", "tli_robust", "rni_robust", "rmsea_robust", "rmsea_ci_lower_robust",
       "rmsea_ci_upper_robust", "rmsea_pvalue_robust", "rmsea_notclose_pvalue_robust"]


@pytest.fixture(scope="module")
def fiml():
    return fit(HS_MODEL, HS_MCAR, missing="fiml")


def test_the_data_has_mcar_holes():
    y = HS_MCAR[XS]
    assert 0.08 < y.isna().mean().mean() < 0.12
    assert y.dropna().shape[0] == 117


def test_em_h1_loglik_and_baseline():
    pats = missing_patterns(HS_MCAR[XS].to_numpy())
    mu, S, ll = em_h1(pats, 9)
    f = ref_fit("hs_fiml")
    assert abs(ll - f["unrestricted_logl"]) < 1e-6
    _, _, llb = independence_loglik(pats, 9)
    assert abs(2 * (ll - llb) - f["baseline_chisq"]) < 1e-6


def test_fiml_estimates_se(fiml):
    assert_estimates(fiml, "hs_fiml", cols=("est", "se", "std_all"), tol=1e-5)


def test_fiml_fit_measures(fiml):
    assert_fit(fiml, "hs_fiml", FIT, tol=1e-5)
    assert fiml.n_used == 301 and fiml.missing == "ml"


def test_fiml_differs_from_listwise(fiml):
    lw = fit(HS_MODEL, HS_MCAR)
    assert lw.n_used == 117 and lw.n_dropped == 184
    assert_estimates(lw, "hs_listwise", cols=("est", "se"), tol=1e-5)
    assert_fit(lw, "hs_listwise", ["chisq", "cfi", "rmsea"], tol=1e-5)
    assert abs(fiml.fit["chisq"] - lw.fit["chisq"]) > 10


def test_fiml_on_complete_data_is_ml_with_means():
    res = fit(model("pd_model"), PD, missing="fiml")
    assert_estimates(res, "pd_fiml_complete", cols=("est", "se"), tol=1e-4)
    assert_fit(res, "pd_fiml_complete", ["chisq", "df", "logl", "cfi", "rmsea"], tol=1e-4)


def test_fiml_correct_on_uncentred_data(fiml):
    """semopy's FIML defect: results must not depend on a shift of the data (means absorb it)."""
    shifted = HS_MCAR.copy()
    shifted[XS] = shifted[XS] + 100.0
    res = fit(HS_MODEL, shifted, missing="fiml")
    a = fiml.estimates.set_index(["lhs", "op", "rhs"])
    b = res.estimates.set_index(["lhs", "op", "rhs"])
    slopes = a.index.get_level_values("op") != "~1"
    assert np.allclose(a.loc[slopes, "est"], b.loc[slopes, "est"], atol=1e-5)
    assert np.allclose(a.loc[slopes, "se"], b.loc[slopes, "se"], atol=1e-5)
    assert abs(res.fit["chisq"] - fiml.fit["chisq"]) < 1e-5


def test_loglik_of_single_pattern_equals_complete_data_formula():
    rng = np.random.default_rng(1)
    Y = rng.normal(size=(50, 3)) + 5
    S = np.cov(Y.T, bias=True)
    m = Y.mean(0)
    ll = loglik(missing_patterns(Y), S, m)
    expect = -50 / 2 * (3 * np.log(2 * np.pi) + np.linalg.slogdet(S)[1] + 3)
    assert abs(ll - expect) < 1e-9


def test_fiml_multigroup_on_complete_data_matches_ml_estimates():
    from _sem_extras_common import HS

    res = fit(HS_MODEL, HS, missing="fiml", group="school", group_equal=["loadings"])
    assert_estimates(res, "hs_inv_metric", cols=("est", "std_all"), tol=1e-4)
    assert_fit(res, "hs_inv_metric", ["chisq", "df", "logl", "unrestricted_logl", "cfi", "tli", "rmsea", "srmr",
                                      "aic", "bic"], tol=1e-5)


def test_semopy_fiml_defect_on_uncentred_data(fiml):
    """semopy 2.3's FIML (stored output, tests/reference/sem_extras_semopy.py) ignores the mean
    structure on uncentred data: factor variances of 10-25 instead of lavaan's 0.4-0.9. Ours matches
    lavaan (test_fiml_estimates_se); here the stored semopy numbers show the difference."""
    from _sem_extras_common import REF, ref_est

    semo = pd.read_csv(REF / "semopy_fiml_hs_mcar.csv")
    lav = ref_est("hs_fiml")
    m = semo.merge(lav, on=["lhs", "op", "rhs"], suffixes=("_semopy", "_lavaan"))
    ours = fiml.estimates.merge(lav, on=["lhs", "op", "rhs"], suffixes=("", "_lavaan"))
    assert np.abs(m["est_semopy"] - m["est_lavaan"]).max() > 5          # semopy: far off
    assert np.abs(ours["est"] - ours["est_lavaan"]).max() < 1e-4         # ours: lavaan's


def test_analytic_observed_information_equals_numeric_hessian(fiml):
    """The FIML Hessian (Δ' A1 Δ + second-order term) against central differences of the
    analytic gradient (fiml.numeric_hessian, the oracle), one group and multigroup."""
    from cem_edu.sem.missing import CasewiseObjective, numeric_hessian

    obj = CasewiseObjective(fiml.model, fiml.extras["fiml"]["patterns"])
    Ha, Hn = obj.hessian(fiml.x), numeric_hessian(obj.grad, fiml.x)
    assert np.abs(Ha - Hn).max() / np.abs(Hn).max() < 1e-8
    mg = fit(HS_MODEL, HS_MCAR, missing="fiml", group="school", group_equal=["loadings"])
    obj = CasewiseObjective(mg.model, mg.extras["fiml"]["patterns"])
    Ha, Hn = obj.hessian(mg.x), numeric_hessian(obj.grad, mg.x)
    assert np.abs(Ha - Hn).max() / np.abs(Hn).max() < 1e-8


def test_h1_information_and_loglik_grad_against_per_pattern_formulas(fiml):
    from cem_edu.sem.missing import (_h1_observed_information_blocked, h1_observed_information,
                                  h1_observed_information_kron, loglik_grad, vech_rows_cols)

    pats = fiml.extras["fiml"]["patterns"][0]
    (S, mu), = fiml.model.implied(fiml.x)
    rc = vech_rows_cols(9)
    ref = h1_observed_information_kron(pats, S, mu, rc)
    for f in (h1_observed_information, _h1_observed_information_blocked):
        assert np.abs(f(pats, S, mu, rc) - ref).max() < 1e-12 * np.abs(ref).max()
        assert np.abs(f(list(pats), S, mu, rc, False) - ref[9:, 9:]).max() < 1e-12 * np.abs(ref).max()
    ll, G, g = loglik_grad(pats, S, mu)
    ll0, G0, g0 = 0.0, np.zeros((9, 9)), np.zeros(9)
    for pt in pats:          # inv + slogdet per pattern, the module docstring's formulas
        W = np.linalg.inv(S[pt.ix])
        d = pt.mean - mu[pt.idx]
        C = pt.cov + np.outer(d, d)
        ll0 -= 0.5 * pt.n * (len(pt.idx) * np.log(2 * np.pi) + np.linalg.slogdet(S[pt.ix])[1] + np.sum(W * C))
        G0[pt.ix] += 0.5 * pt.n * (W @ C @ W - W)
        g0[pt.idx] += pt.n * (W @ d)
    assert abs(ll - ll0) < 1e-9 and np.abs(G - G0).max() < 1e-10 and np.abs(g - g0).max() < 1e-10
    bad = S.copy()
    bad[0, 1] = bad[1, 0] = 2 * np.sqrt(S[0, 0] * S[1, 1])
    assert loglik(pats, bad, mu) == -np.inf


def test_every_option_reaches_the_fiml_path(fiml):
    """meanstructure, start and a categorical group column reach FIML as they reach listwise
    (issue #16: they were dropped silently)."""
    from cem_edu.errors import ModelError

    with pytest.raises(ModelError, match="mean structure"):
        fit(HS_MODEL, HS_MCAR, missing="fiml", meanstructure=False)
    warm = fit(HS_MODEL, HS_MCAR, missing="fiml", start=fiml.x)
    assert np.max(np.abs(warm.x - fiml.x)) < 1e-8 and warm.opt.iterations <= 1
    with pytest.raises(ModelError, match="one finite value per free parameter"):
        fit(HS_MODEL, HS_MCAR, missing="fiml", start=fiml.x[:-1])
    with pytest.raises(ModelError, match="one finite value per free parameter"):
        fit(HS_MODEL, HS_MCAR, start=fiml.x[:5])
    d = HS_MCAR.copy()
    d["school"] = pd.Categorical(d["school"], categories=["Pasteur", "Grant-White"][::-1])
    lw = fit(HS_MODEL, d, group="school", _warn_listwise=False)
    fm = fit(HS_MODEL, d, group="school", missing="fiml")
    assert lw.group_labels == fm.group_labels == ["Grant-White", "Pasteur"]


def test_robust_and_missing_modules_do_not_import_fiml():
    """The shared missing-data code lives in sem/missing.py; robust.py no longer imports fiml."""
    import inspect

    from cem_edu.sem import missing, robust

    for mod in (robust, missing):
        src = inspect.getsource(mod)
        assert "from .fiml import" not in src and "from . import fiml" not in src


def test_printed_summary_names_the_robust_indices_in_both_languages(fiml):
    from cem_edu.i18n import get_language, set_language

    out = str(fiml)
    assert "Robust Comparative Fit Index (CFI)" in out and "cfi_robust" not in out
    old = get_language()
    try:
        set_language("fa")
        assert "شاخص برازش تطبیقی استوار" in str(fiml)
    finally:
        set_language(old)
