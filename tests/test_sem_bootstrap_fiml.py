"""Bootstrap with missing="fiml" (case resampling, FIML refit per draw) against lavaan's
se = "bootstrap" with missing = "ml", 1,000 draws on the same data (tests/reference/sem_fiml_real.R)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cem_edu.sem import fit

from _sem_extras_common import HS_MCAR, ROOT, model

REF = ROOT / "tests" / "reference" / "sem_fiml_real"
BOOT_MODEL = model("boot_model", (ROOT / "tests" / "reference" / "sem_fiml_real.R").read_text())


def _merge(res, name):
    r = pd.read_csv(REF / f"{name}.csv")
    r["rhs"] = r["rhs"].fillna("")
    e = res.estimates.copy()
    e["rhs"] = e["rhs"].fillna("")
    m = e.merge(r, on=["lhs", "op", "rhs"], suffixes=("", "_r"))
    assert len(m) == len(r)
    return m[m["se_r"] > 0]


@pytest.fixture(scope="module")
def boot():
    return fit(BOOT_MODEL, HS_MCAR, missing="fiml", bootstrap=1000, seed=16, progress=False)


def test_fiml_bootstrap_se_within_10_percent_of_lavaan(boot):
    m = _merge(boot, "hs_boot_fiml_perc")
    assert {"indirect", "total"} <= set(m["lhs"])                    # := effects bootstrapped too
    assert np.allclose(m["est"], m["est_r"], atol=1e-5)                # est stays the FIML estimate
    ratio = m["se"] / m["se_r"]
    assert ratio.between(0.9, 1.1).all(), m.loc[~ratio.between(0.9, 1.1), ["lhs", "op", "rhs", "se", "se_r"]]
    # percentile limits agree within Monte-Carlo error (half an SE)
    assert (np.abs(m["ci_lower"] - m["ci.lower"]) < 0.5 * m["se_r"]).all()
    assert (np.abs(m["ci_upper"] - m["ci.upper"]) < 0.5 * m["se_r"]).all()
    info = boot.extras["bootstrap"]
    assert info["missing"] == "ml" and info["n_ok"] + info["n_failed"] == 1000
    assert info["ci"] == "percentile" and info["boot_ci_type"] == "perc"
    assert boot.se_type == "bootstrap"


def test_fiml_bootstrap_bca_simple_and_jobs():
    """bca.simple (lavaan's name) under FIML; the draws do not depend on n_jobs."""
    a = fit(BOOT_MODEL, HS_MCAR, missing="fiml", bootstrap=20, seed=3, progress=False, ci="bca.simple")
    b = fit(BOOT_MODEL, HS_MCAR, missing="fiml", bootstrap=20, seed=3, progress=False, ci="bca.simple", n_jobs=2)
    assert a.extras["bootstrap"]["boot_ci_type"] == "bca.simple"
    assert np.allclose(a.estimates["se"], b.estimates["se"], atol=1e-10, equal_nan=True)
    assert np.allclose(a.estimates["ci_lower"], b.estimates["ci_lower"], atol=1e-10, equal_nan=True)


def test_batched_fiml_gradient_and_refit_equal_the_casewise_objective():
    """BatchFIML (all draws at once) has the gradient of the casewise objective (F = -2ℓ/N) and
    reaches the same per-draw solution as fit_casewise."""
    from cem_edu.sem.batch import BatchFIML, pattern_moments
    from cem_edu.sem.fiml import fit_casewise
    from cem_edu.sem.missing import CasewiseObjective, missing_patterns

    res = fit(BOOT_MODEL, HS_MCAR, missing="fiml")
    Y = res.stats.fiml.Y[0]
    idx = np.random.default_rng(5).integers(0, len(Y), size=(4, len(Y)))
    freq = np.apply_along_axis(np.bincount, 1, idx, minlength=len(Y))
    blocks, N = pattern_moments(Y, freq)
    bf = BatchFIML(res.model)
    _, G = bf.fgrad(np.tile(res.x, (4, 1)), [blocks], [N], [np.zeros(4)], np.array([1.0]))
    X, ok = bf.fit(res.x, 2 * res.information, [blocks], [N], np.array([1.0]), tol=1e-9)
    assert ok.all()
    for r in range(4):
        obj = CasewiseObjective(res.model, [missing_patterns(Y[idx[r]])])
        assert np.abs(G[r] - 2 * obj.grad(res.x)).max() < 1e-12
        xs, conv, _ = fit_casewise(obj, res.x)
        assert conv and np.abs(X[r] - xs).max() < 1e-6


def test_fiml_bootstrap_with_a_fixed_covariate():
    """fixed-x models are refitted draw by draw (the covariates' moments refilled per draw)."""
    m = BOOT_MODEL.replace("textual ~ a*visual", "textual ~ a*visual + ageyr")
    res = fit(m, HS_MCAR, missing="fiml", bootstrap=15, seed=2, progress=False)
    e = res.estimates
    se = e.loc[(e["lhs"] == "textual") & (e["rhs"] == "ageyr"), "se"].iloc[0]
    assert res.extras["bootstrap"]["n_ok"] >= 14 and 0.01 < se < 1.0


def test_fiml_bootstrap_bca_simple_intervals_near_lavaan():
    res = fit(BOOT_MODEL, HS_MCAR, missing="fiml", bootstrap=1000, seed=16, progress=False, ci="bca.simple")
    m = _merge(res, "hs_boot_fiml_bca")
    assert (np.abs(m["ci_lower"] - m["ci.lower"]) < 0.5 * m["se_r"]).all()
    assert (np.abs(m["ci_upper"] - m["ci.upper"]) < 0.5 * m["se_r"]).all()
    assert res.extras["bootstrap"]["boot_ci_type"] == "bca.simple"
