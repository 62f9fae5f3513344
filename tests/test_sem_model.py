"""Analytic derivatives of the model (Jacobian, gradient, exact Hessian) against finite differences,
and the ML estimator's interface used by the bootstrap/power code."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cem_edu.sem import ml, prepare

ROOT = Path(__file__).resolve().parents[1]
R_SCRIPT = (ROOT / "tests" / "reference" / "sem_core.R").read_text()
HS = pd.read_csv(ROOT / "datasets" / "holzinger_swineford.csv")
PD = pd.read_csv(ROOT / "datasets" / "political_democracy.csv")


def _model(name):
    return re.search(name + r' <- "(.*?)"', R_SCRIPT, re.S).group(1)


CASES = {
    "pd": ("pd_model", PD, {}),                     # regressions among latents, equality labels
    "scalar": ("hs_model", HS, dict(group="school", group_equal=["loadings", "intercepts"])),
    "mimic": ("mimic_model", HS, {}),               # phantom observed variables, fixed.x
    "second": ("second_model", HS, {}),             # second-order factor
    "path": ("path_model", HS, dict(meanstructure=True)),
    # == constraints (theta = K x + c) with regressions, two groups and means
    "constrained": ("visual =~ x1 + c(a1, a2)*x2 + b*x3\ntextual =~ x4 + c*x5 + d*x6\n"
                    "speed =~ x7 + e*x8 + f*x9\nspeed ~ g*visual\na1 == a2\nf == b + c\ng + d == 1",
                    HS, dict(group="school", meanstructure=True)),
}


@pytest.fixture(scope="module", params=list(CASES))
def case(request):
    model, data, kw = CASES[request.param]
    mod, stats, _ = prepare(model if "=~" in model else _model(model), data, **kw)
    x = ml.start_values(mod, stats) * 1.05 + 0.02      # away from the optimum: residuals matter
    return mod, stats, x


def test_jacobian_matches_finite_differences(case):
    mod, _, x = case
    J = mod.jacobian(x)
    h = 1e-6
    for k in range(mod.npar):
        xp, xm = x.copy(), x.copy()
        xp[k] += h
        xm[k] -= h
        for g, ((Sp, mp), (Sm, mm)) in enumerate(zip(mod.implied(xp), mod.implied(xm))):
            d = (Sp - Sm)[mod.vech_rows, mod.vech_cols] / (2 * h)
            assert np.allclose(J[g][0][:, k], d, atol=1e-6)
            if mp is not None:
                assert np.allclose(J[g][1][:, k], (mp - mm) / (2 * h), atol=1e-6)
    assert J[0][0].shape == (mod.p * (mod.p + 1) // 2, mod.npar)


def test_gradient_and_exact_hessian_match_finite_differences(case):
    mod, stats, x = case
    F, g, H = ml.objective(mod, stats, x, need=3)
    h = 1e-6
    gn = np.zeros_like(x)
    Hn = np.zeros_like(H)
    for k in range(len(x)):
        xp, xm = x.copy(), x.copy()
        xp[k] += h
        xm[k] -= h
        gn[k] = (ml.objective(mod, stats, xp)[0] - ml.objective(mod, stats, xm)[0]) / (2 * h)
        Hn[:, k] = (ml.objective(mod, stats, xp, 1)[1] - ml.objective(mod, stats, xm, 1)[1]) / (2 * h)
    assert np.allclose(g, gn, atol=1e-6)
    assert np.allclose(H, Hn, atol=1e-6)
    # expected Hessian = 2 x unit information, symmetric positive definite
    H2 = ml.objective(mod, stats, x, need=2)[2]
    assert np.allclose(H2, H2.T) and np.all(np.linalg.eigvalsh(H2) > 0)


def test_warm_start_refit_from_moments():
    """estimate(model, stats_from_moments(...), start=x_hat): the bootstrap's inner loop."""
    mod, stats, _ = prepare(_model("hs_model"), HS)
    x_hat = ml.estimate(mod, stats)
    rng = np.random.default_rng(7)
    X = stats.data[0][rng.integers(0, stats.n[0], stats.n[0])]
    m = X.mean(axis=0)
    S = (X - m).T @ (X - m) / len(X)
    st = ml.stats_from_moments(stats.ov, [S], [m], [len(X)])
    x_warm, info = ml.estimate(mod, st, start=x_hat, return_info=True)
    x_cold = ml.estimate(mod, st)
    assert info.converged and info.iterations <= 6
    assert np.allclose(x_warm, x_cold, atol=1e-7)
    assert not np.allclose(x_warm, x_hat, atol=1e-3)


def test_fit_result_pickles_for_parallel_workers():
    import pickle

    from cem_edu.sem import fit

    res = fit(_model("pd_model"), PD)
    back = pickle.loads(pickle.dumps(res))
    assert np.allclose(back.defined.values(back.x), res.defined.values(res.x))
    assert back.fit["chisq"] == res.fit["chisq"]


def test_constrained_model_is_the_unconstrained_one_on_the_constraint_surface():
    syntax = CASES["constrained"][0]
    mod, stats, _ = prepare(syntax, HS, group="school", meanstructure=True)
    free = mod.unconstrained()
    assert (mod.ntheta, mod.npar) == (free.npar, free.npar - 3)
    x = ml.start_values(mod, stats) * 1.05 + 0.02
    theta = mod.theta(x)
    lab = {r["label"]: theta[r["free"] - 1] for r in mod.rows if r["label"] and r["free"] > 0}
    assert lab["a1"] == pytest.approx(lab["a2"]) and lab["f"] == pytest.approx(lab["b"] + lab["c"])
    assert lab["g"] + lab["d"] == pytest.approx(1.0)
    assert np.allclose(mod.z_of(theta), x)
    K = mod._K
    for (S1, m1), (S2, m2) in zip(mod.implied(x), free.implied(theta)):
        assert np.allclose(S1, S2) and np.allclose(m1, m2)
    # information on x is K' I(theta) K, so vcov(theta) = K (K' I K)^-1 K' (lavaan's bordered inverse)
    info_x, info_t = ml.information(mod, stats, x), ml.information(free, stats, theta)
    assert np.allclose(info_x, K.T @ info_t @ K, atol=1e-10)
    A = mod.constraints.A_eq
    border = np.block([[info_t, A.T], [A, np.zeros((len(A), len(A)))]])
    bordered = np.linalg.inv(border)[:mod.ntheta, :mod.ntheta]
    assert np.allclose(mod.theta_vcov(np.linalg.inv(info_x)), bordered, atol=1e-9)
