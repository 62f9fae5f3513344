"""Bootstrap SEs and percentile/BCa intervals: formulas against lavaan on lavaan's own draws, and
our draws against lavaan's se="bootstrap" within Monte-Carlo error."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cem_edu.sem import fit
from cem_edu.sem.bootstrap import acceleration, ci_bca, intervals, norm_inter

from _sem_extras_common import HS, PD, REF, model


def _lavaan_boot(name):
    draws = pd.read_csv(REF / f"{name}_boot_draws.csv").to_numpy()
    pt = pd.read_csv(REF / f"{name}_boot_partable.csv")
    free = pt[pt["free"] > 0]
    return draws, free


def _ref_rows(kind, name, free):
    r = pd.read_csv(REF / f"{name}_boot_{kind}.csv")
    return r.set_index(["lhs", "op", "rhs"]).loc[list(zip(free["lhs"], free["op"], free["rhs"]))]


@pytest.mark.parametrize("name", ["hs", "pd"])
@pytest.mark.parametrize("kind,ci", [("perc", "percentile"), ("bca", "bca.simple")])
def test_intervals_on_lavaan_draws(name, kind, ci):
    draws, free = _lavaan_boot(name)
    est = free["est"].to_numpy()
    out = intervals(draws, est, 0.95, ci)
    ref = _ref_rows(kind, name, free)
    assert np.allclose(out[:, 0], ref["ci.lower"], atol=1e-8)
    assert np.allclose(out[:, 1], ref["ci.upper"], atol=1e-8)
    # lavaan's bootstrap SE: SD of the draws with divisor R
    assert np.allclose(draws.std(axis=0), ref["se"], atol=1e-8)


def test_bca_with_acceleration_matches_lavaan():
    draws, free = _lavaan_boot("hs")
    acc = pd.read_csv(REF / "hs_boot_acceleration.csv")["acceleration"].to_numpy()
    ref = _ref_rows("bcaacc", "hs", free)
    est = free["est"].to_numpy()
    out = np.array([ci_bca(draws[:, j], est[j], 0.95, a=acc[j]) for j in range(draws.shape[1])])
    assert np.allclose(out, ref[["ci.lower", "ci.upper"]].to_numpy(), atol=1e-8)


def test_defined_parameter_intervals_on_lavaan_draws():
    draws, free = _lavaan_boot("pd")
    lab = dict(zip(free["label"].fillna(""), range(len(free))))
    ind = draws[:, lab["p1"]] * draws[:, lab["p3"]]
    r = pd.read_csv(REF / "pd_boot_perc.csv").set_index("lhs").loc["indirect"]
    lo, up = norm_inter(ind, [0.025, 0.975])
    assert abs(lo - r["ci.lower"]) < 1e-8 and abs(up - r["ci.upper"]) < 1e-8


def test_acceleration_formula_jackknife_like_case():
    # one observation repeated: regression recovers the influence values exactly
    rng = np.random.default_rng(0)
    freq = rng.multinomial(20, np.ones(20) / 20, size=400).astype(float)
    L = rng.normal(size=20)
    vals = (freq @ L)[:, None] / 20
    a = acceleration(vals, freq, [0])
    Lc = L - L[0]
    Lc = np.r_[0, Lc[1:]] - np.mean(np.r_[0, Lc[1:]])
    assert abs(a[0] - (Lc ** 3).sum() / (6 * (Lc ** 2).sum() ** 1.5)) < 1e-10


@pytest.fixture(scope="module")
def boot_pd():
    return fit(model("pd_model"), PD, bootstrap=500, seed=11, progress=False)


def test_bootstrap_se_agree_with_lavaan_within_mc_error(boot_pd):
    ref = pd.read_csv(REF / "pd_boot_perc.csv")
    ref["rhs"] = ref["rhs"].fillna("")
    m = boot_pd.estimates.merge(ref, on=["lhs", "op", "rhs"], suffixes=("", "_r"))
    m = m[m["se_r"] > 0]
    ratio = (m["se"] / m["se_r"]).to_numpy()
    # two independent 500-draw SDs: relative SD of the ratio ≈ sqrt(2/(2·500)) ≈ 0.045 (more for skewed
    # parameters); all within 5 of those SDs, and on average within 2 %
    assert np.all(np.abs(ratio - 1) < 0.2)
    assert abs(np.mean(ratio) - 1) < 0.02
    ind = m[m["lhs"] == "indirect"].iloc[0]
    assert abs(ind["ci_lower"] - ind["ci.lower"]) < 0.15 and abs(ind["ci_upper"] - ind["ci.upper"]) < 0.15


def test_bootstrap_point_estimates_unchanged_and_reproducible(boot_pd):
    ml = fit(model("pd_model"), PD)
    assert np.allclose(boot_pd.estimates["est"], ml.estimates["est"], atol=1e-8)
    again = fit(model("pd_model"), PD, bootstrap=500, seed=11, progress=False)
    assert np.array_equal(again.estimates["se"].to_numpy(), boot_pd.estimates["se"].to_numpy())
    assert boot_pd.se_type == "bootstrap"
    assert boot_pd.extras["bootstrap"]["n_ok"] + boot_pd.extras["bootstrap"]["n_failed"] == 500


def test_bootstrap_draws_are_exact_ml_fits():
    """The batched estimator returns the same solution as ml.estimate on each draw."""
    from cem_edu.sem import prepare
    from cem_edu.sem.batch import BatchML
    from cem_edu.sem.bootstrap import _moments
    from cem_edu.sem.ml import estimate, objective, stats_from_moments

    mod, st, _ = prepare(model("hs_model"), HS)
    x = estimate(mod, st)
    idx = np.random.default_rng(3).integers(0, st.n[0], size=(20, st.n[0]))
    mm, cc = _moments(st.data[0], idx)
    X, ok = BatchML(mod).fit(x, objective(mod, st, x, need=2)[2], [cc], [mm], np.array([1.0]))
    assert ok.all()
    for i in range(5):
        xi = estimate(mod, stats_from_moments(mod.ov, [cc[i]], [mm[i]], [st.n[0]]), start=x)
        assert np.max(np.abs(xi - X[i])) < 1e-6


def test_bca_interval_option_and_bad_ci():
    from cem_edu.errors import ModelError

    res = fit(model("hs_model"), HS, bootstrap=400, seed=1, ci="bca", progress=False)
    e = res.estimates
    free = e[e["se"] > 0]
    assert (free["ci_lower"] < free["est"]).all() and (free["ci_upper"] > free["est"]).all()
    with pytest.raises(ModelError, match="percentile"):
        fit(model("hs_model"), HS, bootstrap=10, ci="student", progress=False)


def test_bootstrap_n_jobs_same_draws():
    from cem_edu.sem import prepare
    from cem_edu.sem.bootstrap import bootstrap_draws
    from cem_edu.sem.ml import estimate

    mod, st, _ = prepare(model("hs_model"), HS)
    x = estimate(mod, st)
    a = bootstrap_draws(mod, st.data, mod.ov, x, 60, seed=5, progress=False, chunk_size=30)
    b = bootstrap_draws(mod, st.data, mod.ov, x, 60, seed=5, progress=False, chunk_size=30, n_jobs=2,
                        backend="threading")
    assert np.allclose(a.draws, b.draws, atol=1e-12)


def test_bootstrap_and_power_on_local_dask_cluster():
    """Scale-out: the same call runs on a dask.distributed cluster through joblib's dask backend."""
    distributed = pytest.importorskip("distributed")
    from cem_edu.sem import power, prepare
    from cem_edu.sem.bootstrap import bootstrap_draws
    from cem_edu.sem.ml import estimate

    mod, st, _ = prepare(model("hs_model"), HS)
    x = estimate(mod, st)
    local = bootstrap_draws(mod, st.data, mod.ov, x, 40, seed=9, progress=False, chunk_size=20)
    pop = "f =~ .7*y1 + .7*y2 + .7*y3\ng =~ .7*y4 + .7*y5 + .7*y6\ng ~ .3*f"
    p_local = power(pop, n=[60, 120], reps=30, seed=2, progress=False)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster):
        remote = bootstrap_draws(mod, st.data, mod.ov, x, 40, seed=9, progress=False, chunk_size=20,
                                 backend="dask")
        p_remote = power(pop, n=[60, 120], reps=30, seed=2, progress=False, backend="dask")
    assert np.allclose(local.draws, remote.draws, atol=1e-12)
    pd.testing.assert_frame_equal(p_local, p_remote)
