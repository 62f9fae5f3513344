"""EFA, KMO, Bartlett and parallel analysis against psych / GPArotation (tests/reference/psychometrics.R)."""
from __future__ import annotations


import numpy as np
import pandas as pd
import pytest

import cem_edu as ce
from _psychometrics_common import REF, require
from _psychometrics_common import load_mobi as _mobi
from conftest import ROOT
from cem_edu.errors import DataError
from cem_edu.psychometrics.factor import bartlett, efa, kmo, parallel_analysis
from cem_edu.psychometrics.factor.rotation import oblimin, varimax





def _set(name):
    return require(SETS, name)
TOL = 1e-4  # psych's optim (L-BFGS-B, factr 1e7) stops about 1e-5 from the optimum

HS = pd.read_csv(ROOT / "datasets" / "holzinger_swineford.csv")[[f"x{i}" for i in range(1, 10)]]
SETS = {"hs": (HS, 3), "mobi": (_mobi(), 4),
        "hs_miss": (pd.read_csv(REF / "hs_missing.csv"), 3), "cem": (pd.read_csv(REF / "cem_clean.csv"), 8)}
LOAD = pd.read_csv(REF / "fa_loadings.csv")
COMM = pd.read_csv(REF / "fa_communalities.csv")
PHI = pd.read_csv(REF / "fa_phi.csv")
VAR = pd.read_csv(REF / "fa_variance.csv")
CASES = [(d, fm, rot) for d in SETS for fm in ("minres", "ml") for rot in ("none", "varimax", "oblimin", "promax")]


@pytest.mark.parametrize(("dataset", "method", "rotation"), CASES)
def test_efa_matches_psych_fa(dataset, method, rotation):
    data, nf = _set(dataset)
    res = efa(data, nf, rotation=rotation, method=method)
    sel = (LOAD["data"] == dataset) & (LOAD["fm"] == method) & (LOAD["rotate"] == rotation)
    ref = LOAD[sel].pivot(index="item", columns="factor", values="loading").loc[res.loadings.index]
    # same order and signs as psych (no alignment needed)
    np.testing.assert_allclose(res.loadings.to_numpy(), ref.to_numpy(), atol=TOL)
    c = COMM[(COMM["data"] == dataset) & (COMM["fm"] == method) & (COMM["rotate"] == rotation)].set_index("item")
    np.testing.assert_allclose(res.communalities, c.loc[res.loadings.index, "h2"], atol=TOL)
    np.testing.assert_allclose(res.uniquenesses, c.loc[res.loadings.index, "u2"], atol=TOL)
    v = VAR[(VAR["data"] == dataset) & (VAR["fm"] == method) & (VAR["rotate"] == rotation)]
    for col in ("ss_loadings", "proportion_var", "cumulative_var", "proportion_explained", "cumulative_proportion"):
        # unrotated ML on the 34-item survey: psych stops slightly short of the optimum (our minimum of the ML
        # criterion is lower by 2e-9), which moves the unrotated SS loadings by up to 4e-4
        np.testing.assert_allclose(res.variance[col], v[col], atol=1e-3, err_msg=col)
    if rotation in ("oblimin", "promax"):
        p = PHI[(PHI["data"] == dataset) & (PHI["fm"] == method) & (PHI["rotate"] == rotation)]
        np.testing.assert_allclose(res.phi.to_numpy(), p.pivot(index="f1", columns="f2", values="phi").to_numpy(),
                                   atol=TOL)
    else:
        np.testing.assert_allclose(res.phi.to_numpy(), np.eye(nf))
    np.testing.assert_allclose(res.structure.to_numpy(), res.loadings.to_numpy() @ res.phi.to_numpy())


KB = pd.read_csv(REF / "kmo_bartlett.csv").set_index("data")
KI = pd.read_csv(REF / "kmo_items.csv")


@pytest.mark.parametrize("dataset", list(SETS))
def test_kmo_and_bartlett_match_psych(dataset):
    data, _ = _set(dataset)
    k = kmo(data)
    assert k.msa == pytest.approx(KB.loc[dataset, "msa"], abs=1e-10)
    ki = KI[KI["data"] == dataset].set_index("item")["msa"]
    np.testing.assert_allclose(k.items.loc[ki.index], ki, atol=1e-10)
    b = bartlett(data)
    assert b.chisq == pytest.approx(KB.loc[dataset, "chisq"], rel=1e-10)
    assert b.df == KB.loc[dataset, "df"]
    assert b.pvalue == pytest.approx(KB.loc[dataset, "p_value"], rel=1e-6, abs=1e-300)
    assert b.n == KB.loc[dataset, "n"]


PA = pd.read_csv(REF / "parallel.csv")
PS = pd.read_csv(REF / "parallel_suggest.csv").set_index("data")


@pytest.mark.parametrize("dataset", ["hs", "mobi"])
def test_parallel_analysis_observed_eigenvalues_and_suggestion(dataset):
    data, _ = _set(dataset)
    res = parallel_analysis(data, n_iter=20, seed=1)
    ref = PA[PA["data"] == dataset]
    np.testing.assert_allclose(res.table["pc"], ref["pc"], atol=1e-8)
    np.testing.assert_allclose(res.table["fa"], ref["fa"], atol=TOL)
    # simulated eigenvalues: same distribution as psych's (different random numbers)
    np.testing.assert_allclose(res.table["sim_pc_mean"], ref["sim_pc"], atol=0.05)
    assert res.n_factors == PS.loc[dataset, "nfact"]
    assert res.n_components == PS.loc[dataset, "ncomp"]


def test_parallel_analysis_is_reproducible_with_seed():
    a = parallel_analysis(HS, n_iter=5, seed=3)
    b = parallel_analysis(HS, n_iter=5, seed=3)
    pd.testing.assert_frame_equal(a.table, b.table)


def test_oblimin_and_varimax_properties():
    L = efa(HS, 3, rotation="none").loadings.to_numpy()
    z, phi, T, ok = oblimin(L)
    assert ok
    np.testing.assert_allclose(np.diag(phi), 1)
    np.testing.assert_allclose(z @ phi @ z.T, L @ L.T, atol=1e-10)  # rotation keeps the fitted correlations
    v, _, T = varimax(L)
    np.testing.assert_allclose(T @ T.T, np.eye(3), atol=1e-12)


def test_efa_errors():
    with pytest.raises(DataError, match="unknown rotation 'quartimax'"):
        efa(HS, 3, rotation="quartimax")
    with pytest.raises(DataError, match="cannot extract 9 factors from 9 items"):
        efa(HS, 9)
    with pytest.raises(DataError, match="at least 3 items"):
        kmo(HS[["x1", "x2"]])


def test_top_level_names_and_printing():
    res = ce.efa(HS, 3)
    assert "3 factors" in str(res) and "oblimin" in str(res)
    assert "MR1" in res._repr_html_()
    assert set(res.to_dict()) >= {"loadings", "phi", "variance"}
    assert "MSA" in str(ce.kmo(HS)) or "KMO" in str(ce.kmo(HS))
    assert "χ²" in str(ce.bartlett(HS))
    ce.set_language("fa")
    try:
        assert "عامل" in str(res)
    finally:
        ce.set_language("en")


def test_meaning_texts():
    from cem_edu.psychometrics.factor import meaning
    assert "Kaiser 1974" in meaning("kmo", "en") and ".60" in meaning("kmo", "en")
    assert "Horn 1965" in meaning("parallel", "en")
    assert "بار عاملی" in meaning("loadings", "fa")


FIT = pd.read_csv(REF / "fa_fit.csv")


@pytest.mark.parametrize(("dataset", "method"), [(d, m) for d in SETS for m in ("minres", "ml")])
def test_efa_fit_statistics_match_psych(dataset, method):
    data, nf = _set(dataset)
    res = efa(data, nf, rotation="oblimin", method=method)
    ref = FIT[(FIT["data"] == dataset) & (FIT["fm"] == method) & (FIT["rotate"] == "oblimin")].iloc[0]
    assert res.fit["dof"] == ref["dof"]
    for col, tol in (("objective", 1e-4), ("chisq", 1e-2), ("tli", 1e-4), ("rmsea", 1e-4), ("bic", 1e-2),
                     ("rms", 1e-5), ("fit_off", 1e-5)):
        assert res.fit[col] == pytest.approx(ref[col], abs=tol), col
    assert res.fit["pvalue"] == pytest.approx(ref["pvalue"], abs=1e-4)


def test_factor_analysis_runs_on_one_blas_thread_of_the_shared_helper(monkeypatch):
    """psychometrics and sem share cem_edu.stats.threads (issue #17): one BLAS thread inside, restored after."""
    threadpoolctl = pytest.importorskip("threadpoolctl")
    from cem_edu.stats import threads

    def blas():
        return [i["num_threads"] for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"]

    seen = []
    orig = np.linalg.slogdet

    def spy(*a, **k):
        seen.append(blas())
        return orig(*a, **k)
    before = blas()
    monkeypatch.setattr(np.linalg, "slogdet", spy)
    x = np.random.default_rng(1).normal(size=(200, 6))
    with threads.single_blas_thread():                  # re-entrant around a decorated call
        res = bartlett(pd.DataFrame(x, columns=[f"x{i}" for i in range(6)]))
    assert res.df == 15
    assert seen and all(n == 1 for s in seen for n in s)
    assert blas() == before
    import cem_edu.stats.moments as moments
    assert not hasattr(moments, "single_thread")         # the second copy is gone


def test_ultra_heywood_warns_as_psych():
    """psych::fa warns "An ultra-Heywood case was detected" when a communality exceeds 1; ce.efa gives
    the same warning (in the user's language) on the same data (the first 30 HS pupils, 4 factors)."""
    import json
    import warnings

    from cem_edu.errors import EstimationWarning

    ref = json.loads((ROOT / "tests" / "reference" / "psychometrics" / "efa_ultra_heywood.json").read_text())
    assert ref["ultra_heywood"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = ce.efa(HS.iloc[:30], 4, rotation="oblimin", method="minres")
    np.testing.assert_allclose(res.communalities.to_numpy(), [ref["communality"][c] for c in HS.columns], atol=1e-3)
    msgs = [str(w.message) for w in caught if issubclass(w.category, EstimationWarning)]
    assert len(msgs) == 1 and "x7 h2 = 1.000" in msgs[0] and "ultra-Heywood" in msgs[0]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ce.efa(HS, 3)
    assert not [w for w in caught if issubclass(w.category, EstimationWarning)]
