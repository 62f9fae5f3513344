"""PLSpredict (Shmueli et al. 2019) and multigroup analysis of ce.pls results.

PLSpredict: (1) an independent per-fold loop with ``ce.pls`` on each training set gives the same
RMSE, MAE and Q²_predict to 1e-10 (same folds); (2) the PLS out-of-sample RMSEs printed for the
extended corporate-reputation model in Hair et al. (2021, ch. 6; DA, 10 folds, 10 repetitions;
tests/reference/pls/hair2021_printed.txt) are met within 1.5 % — the folds are random, so only the
Monte Carlo agreement can be checked.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

seminr = pytest.importorskip("seminr")

import cem_edu as ce  # noqa: E402
from cem_edu.pls.predict import folds  # noqa: E402
from test_pls_published import EXTENDED, SIMPLE, block  # noqa: E402


@pytest.fixture(scope="module")
def corp_rep():
    return ce.load_dataset("corp_rep")


@pytest.mark.parametrize("technique", ["EA", "DA"])
def test_pls_predict_equals_an_independent_fold_loop(corp_rep, technique):
    res = ce.pls(SIMPLE, corp_rep)
    out = res.predict(corp_rep, k=5, reps=1, technique=technique, seed=11).set_index("item")
    spec = res.spec
    X = corp_rep[spec.indicators].apply(lambda c: c.fillna(c.mean()))
    fold_of = folds(len(X), 5, 1, 11)[0]
    items = [i for c in spec.endogenous for i in spec.blocks[c]]
    err, naive = [], []
    for f in range(5):
        train, hold = X[fold_of != f], X[fold_of == f]
        fit = ce.pls(SIMPLE, train)
        mu, sd = train.mean(), train.std(ddof=1)
        Z = (hold - mu) / sd
        W = fit.weights.set_index("item")["est"]
        Y = pd.DataFrame({c: Z[spec.blocks[c]] @ W[spec.blocks[c]] for c in spec.constructs})
        B = fit.path_matrix()
        if technique == "DA":
            Yhat = Y @ B
        else:
            T = fit.total_effects.pivot(index="rhs", columns="lhs", values="est").fillna(0.0)
            Yhat = Y[["COMP", "LIKE"]] @ T.loc[["COMP", "LIKE"], ["CUSA", "CUSL"]]
        L = fit.loadings.set_index("item")
        pred = pd.DataFrame({i: mu[i] + sd[i] * L.loc[i, "est"] * Yhat[L.loc[i, "construct"]] for i in items})
        err.append(hold[items] - pred)
        naive.append(hold[items] - mu[items])
    err, naive = pd.concat(err), pd.concat(naive)
    for i in items:
        assert out.loc[i, "rmse"] == pytest.approx(np.sqrt((err[i] ** 2).mean()), abs=1e-10)
        assert out.loc[i, "mae"] == pytest.approx(err[i].abs().mean(), abs=1e-10)
        assert out.loc[i, "q2_predict"] == pytest.approx(1 - (err[i] ** 2).sum() / (naive[i] ** 2).sum(), abs=1e-10)


def test_pls_predict_meets_the_printed_out_of_sample_rmse(corp_rep):
    lines = block("sum_predict_corp_rep_ext")
    start = lines.index("PLS out-of-sample metrics:")
    names = lines[start + 1].split()
    printed = dict(zip(names, map(float, lines[start + 2].split()[1:])))
    res = ce.pls(EXTENDED, corp_rep)
    out = res.predict(corp_rep, k=10, reps=10, technique="DA", seed=2).set_index("item")
    assert set(out.index) == set(printed)
    for item, v in printed.items():
        assert abs(out.loc[item, "rmse"] / v - 1) < 0.015, (item, out.loc[item, "rmse"], v)
    assert out.attrs["predictive_power"] in {"high", "medium", "low", "none"}


def test_pls_predict_messages(corp_rep):
    res = ce.pls(SIMPLE, corp_rep)
    with pytest.raises(ce.ModelError, match="technique"):
        res.predict(corp_rep, technique="XX")
    with pytest.raises(ce.ModelError, match="folds"):
        res.predict(corp_rep, k=1)


# ------------------------------------------------------------------------ multigroup analysis
@pytest.fixture(scope="module")
def mga(corp_rep):
    return ce.pls_mga(SIMPLE, corp_rep, group="servicetype", permutations=300, bootstrap=300, seed=5)


def test_mga_group_estimates_are_the_single_group_fits(corp_rep, mga):
    """Each group's paths are ce.pls on its rows (missing answers replaced by the pooled means)."""
    X = corp_rep.copy()
    cols = [c for c in X.columns if c not in ("servicetype", "serviceprovider")]
    X[cols] = X[cols].fillna(X[cols].mean())
    for label, col in zip(mga.groups, ("est_1", "est_2")):
        fit = ce.pls(SIMPLE, X[X["servicetype"] == label])
        got = mga.paths.set_index(["lhs", "rhs"])[col]
        for r in fit.paths.itertuples():
            assert got[(r.lhs, r.rhs)] == pytest.approx(r.est, abs=1e-10)
    assert mga.n == (int((corp_rep["servicetype"] == mga.groups[0]).sum()),
                     int((corp_rep["servicetype"] == mga.groups[1]).sum()))


def test_micom_step2_c_is_the_correlation_of_the_two_groups_composites(corp_rep, mga):
    X = corp_rep.copy()
    cols = [c for c in X.columns if c not in ("servicetype", "serviceprovider")]
    X[cols] = X[cols].fillna(X[cols].mean())
    fits = [ce.pls(SIMPLE, X[X["servicetype"] == g]) for g in mga.groups]
    comp = ["comp_1", "comp_2", "comp_3"]
    Z = (X[comp] - X[comp].mean()) / X[comp].std(ddof=1)
    s = [Z @ f.weights.set_index("item").loc[comp, "est"] for f in fits]
    c = np.corrcoef(s[0], s[1])[0, 1]
    row = mga.micom.set_index("construct").loc["COMP"]
    assert row["c"] == pytest.approx(c, abs=1e-10)
    assert 0 <= row["p_c"] <= 1 and row["c_q05"] <= 1
    assert set(mga.micom.columns) >= {"compositional", "equal_mean", "equal_var"}


def test_henseler_p_equals_the_double_sum():
    from cem_edu.pls.mga import _henseler_p

    rng = np.random.default_rng(0)
    b1, b2 = rng.normal(0.3, 0.1, 60), rng.normal(0.2, 0.1, 50)
    grid = 2 * b1.mean() - b1[:, None] - 2 * b2.mean() + b2[None, :]
    assert _henseler_p(b1, b2) == pytest.approx(1 - (grid > 0).sum() / (60 * 50), abs=1e-15)


def test_mga_messages(corp_rep):
    with pytest.raises(ce.DataError, match="two groups"):
        ce.pls_mga(SIMPLE, corp_rep, group="serviceprovider")
    with pytest.raises(ce.DataError, match="servicetyp"):
        ce.pls_mga(SIMPLE, corp_rep, group="servicetyp")
    out = ce.pls_mga(SIMPLE, corp_rep, group="serviceprovider", groups=(1, 2), permutations=50, bootstrap=0,
                     seed=1)
    assert "p_mga" not in out.paths.columns and out.settings["permutations_ok"] == 50


def test_mga_and_fit_results_share_one_json_writer(mga, tmp_path):
    """Issue #17: FitResult, PLSResult and MGAResult take ``to_json`` from the one base class (cem_edu.results)."""
    import json

    from cem_edu.pls.mga import MGAResult
    from cem_edu.pls.result import PLSResult
    from cem_edu.results import Result
    from cem_edu.sem.result import FitResult
    for cls in (FitResult, PLSResult, MGAResult):
        assert "to_json" not in vars(cls) and cls.to_json is Result.to_json
    path = tmp_path / "mga.json"
    text = mga.to_json(path, indent=1)
    assert path.read_text(encoding="utf-8") == text
    back = json.loads(text)
    assert back["groups"] == [str(g) for g in mga.groups] and back["n"] == list(mga.n)
    assert len(back["paths"]) == len(mga.paths)
