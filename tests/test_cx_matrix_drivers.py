"""Customer rating matrix (quadrants, ties, missing), relative weights (vs rwa/R), IPMA, action plan."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import cem_edu as ce
from cem_edu.cx import (action_plan, export_action_plan, hitouch_example, ipma, ipma_table, key_drivers,
                        performance, quadrant_summary, rating_matrix, relative_weights)
from cem_edu.errors import DataError, ModelError

REF = Path(__file__).parent / "reference" / "cx"


# ---------------------------------------------------------------- rating matrix
def test_quadrants_with_explicit_thresholds_and_ties_go_high():
    rev = [12, 12, 4, 4, 10, 10, 9.99]
    sat = [80, 20, 80, 20, 50, 49.9, 50]
    m = rating_matrix(rev, sat, revenue_threshold=10, satisfaction_threshold=50, labels=list("ABCDEFG"))
    assert list(m["quadrant"]) == ["Model", "At risk", "Growth", "Dangling", "Model", "At risk", "Growth"]
    assert list(m["quadrant_fa"][:4]) == ["الگو", "در معرض خطر", "رشد", "معلق"]
    assert m.attrs["revenue_threshold"] == 10 and m.attrs["satisfaction_threshold"] == 50


def test_default_thresholds_are_medians_and_ties_at_median_are_high():
    m = rating_matrix([1, 2, 3], [10, 20, 30])
    assert m.attrs["revenue_threshold"] == 2 and m.attrs["satisfaction_threshold"] == 20
    assert list(m["quadrant"]) == ["Dangling", "Model", "Model"]


def test_missing_values_are_excluded_and_reported():
    m = rating_matrix(pd.Series([5, np.nan, 7, 8], index=list("wxyz")), pd.Series([1, 2, None, 4], index=list("wxyz")),
                      forecast=[1, 2, 3, np.nan])
    assert list(m.index) == ["w", "z"]
    assert m.attrs["n_excluded"] == 2 and m.attrs["excluded"] == ["x", "y"]
    assert np.isnan(m.loc["z", "forecast"])  # a missing forecast keeps the customer


def test_rating_matrix_from_dataframe_columns_and_errors():
    d = pd.DataFrame({"name": ["a", "b"], "rev": [1, 2], "sat": ["۳", "4"], "fc": [1, 1]})
    m = rating_matrix("rev", "sat", forecast="fc", labels="name", data=d)
    assert m.loc["a", "satisfaction"] == 3.0
    with pytest.raises(DataError, match="'revenue_x' not found"):
        rating_matrix("revenue_x", "sat", data=d)
    with pytest.raises(DataError, match="negative"):
        rating_matrix([1, 2], [1, 2], forecast=[-1, 2])
    with pytest.raises(DataError, match="same length"):
        rating_matrix([1, 2], [1])


def test_hitouch_example_matches_the_article_story():
    h = hitouch_example()
    m = rating_matrix(h["revenue"], h["satisfaction"], h["forecast"], revenue_threshold=10, satisfaction_threshold=50)
    assert m.loc["A", "quadrant"] == "At risk" and m.loc["B", "quadrant"] == "Growth"
    assert h["revenue"].rank(ascending=False)["A"] == 2 and h["forecast"].rank(ascending=False)["A"] == 2
    s = quadrant_summary(m)
    assert s["customers"].sum() == 12
    assert s.loc["At risk", "revenue"] == pytest.approx(m.loc[m["quadrant"] == "At risk", "revenue"].sum())


# ---------------------------------------------------------------- relative weights
def test_relative_weights_match_rwa_readme_and_r():
    d = pd.read_csv(REF / "mtcars.csv")
    published = json.loads((REF / "rwa_readme_mtcars.json").read_text())
    r_ref = pd.read_csv(REF / "relweights_mtcars.csv").set_index("predictor")
    kd = key_drivers(d, "mpg", ["cyl", "disp", "hp", "gear"]).set_index("predictor")
    assert kd.attrs["r2"] == pytest.approx(published["rsquare"], abs=1e-7)
    for p in ["cyl", "disp", "hp", "gear"]:
        assert kd.loc[p, "raw_weight"] == pytest.approx(published["raw_weight"][p], abs=1e-7)
        assert kd.loc[p, "rescaled"] == pytest.approx(published["rescaled"][p], abs=1e-5)
        assert kd.loc[p, "raw_weight"] == pytest.approx(r_ref.loc[p, "raw_weight"], abs=1e-12)
    assert kd["raw_weight"].sum() == pytest.approx(kd.attrs["r2"], abs=1e-12)
    assert list(kd.index[:2]) == ["hp", "cyl"] and kd.loc["hp", "rank"] == 1


def test_relative_weights_orthogonal_and_two_predictor_closed_form():
    # orthogonal predictors: weights are the squared validities
    eps, beta, r2 = relative_weights(np.eye(2), np.array([0.3, 0.4]))
    assert eps == pytest.approx([0.09, 0.16]) and r2 == pytest.approx(0.25)
    # two predictors with correlation rho: Lambda = [[a, b], [b, a]], a,b = (sqrt(1+rho) ± sqrt(1-rho)) / 2
    rho, r1, r2_ = 0.5, 0.6, 0.3
    a, b = (np.sqrt(1 + rho) + np.sqrt(1 - rho)) / 2, (np.sqrt(1 + rho) - np.sqrt(1 - rho)) / 2
    lam = np.array([[a, b], [b, a]])
    bz = np.linalg.solve(lam, [r1, r2_])
    expected = [a * a * bz[0] ** 2 + b * b * bz[1] ** 2, b * b * bz[0] ** 2 + a * a * bz[1] ** 2]
    eps, _, r2 = relative_weights(np.array([[1, rho], [rho, 1]]), np.array([r1, r2_]))
    assert eps == pytest.approx(expected)
    assert r2 == pytest.approx((r1 ** 2 + r2_ ** 2 - 2 * rho * r1 * r2_) / (1 - rho ** 2))


def test_key_drivers_errors():
    d = pd.DataFrame({"y": [1, 2, 3, 4, 5], "x": [1, 1, 1, 1, 1], "z": [2, 1, 4, 3, 5]})
    with pytest.raises(DataError, match="'x' have no variance"):
        key_drivers(d, "y", ["x", "z"])
    with pytest.raises(DataError, match="also listed"):
        key_drivers(d, "y", ["y", "z"])


# ---------------------------------------------------------------- IPMA
class _FakeFit:
    """A fitted-model stand-in: total effects [effect, cause] and lavaan-style estimates."""

    def __init__(self, te: pd.DataFrame, est: pd.DataFrame):
        self._te, self.estimates = te, est

    def total_effects(self):
        return self._te


def _ipma_data():
    rng = np.random.default_rng(11)
    n = 200
    x1 = rng.integers(1, 8, (n, 2)).astype(float)
    x2 = rng.integers(3, 8, (n, 2)).astype(float)
    y = rng.integers(1, 8, (n, 2)).astype(float)
    d = pd.DataFrame(np.hstack([x1, x2, y]), columns=["A1", "A2", "B1", "B2", "Y1", "Y2"])
    names = ["a", "b", "m", "y"]
    te = pd.DataFrame(0.0, index=names, columns=names)
    te.loc["m", "a"], te.loc["m", "b"] = 0.5, 0.2
    te.loc["y", "m"] = 0.8
    te.loc["y", "a"], te.loc["y", "b"] = 0.5 * 0.8, 0.2 * 0.8 + 0.1
    est = pd.DataFrame({"lhs": ["a", "a", "b", "b", "y", "y", "A1", "A2", "B1", "B2", "Y1", "Y2"],
                        "op": ["=~"] * 6 + ["~~"] * 6,
                        "rhs": ["A1", "A2", "B1", "B2", "Y1", "Y2", "A1", "A2", "B1", "B2", "Y1", "Y2"],
                        "est": [1.0, 0.8, 1.0, 1.2, 1.0, 0.9, 0.5, 1.0, 0.6, 0.3, 1.0, 1.0]})
    return d, _FakeFit(te, est)


def test_ipma_importance_is_the_total_effect_and_performance_is_rescaled_mean():
    d, fit = _ipma_data()
    out = ipma(fit, d, target="y", constructs=["a", "b"], scale=(1, 7)).set_index("construct")
    assert out.loc["a", "importance"] == pytest.approx(0.4)
    assert out.loc["b", "importance"] == pytest.approx(0.26)
    expected_a = ((d[["A1", "A2"]] - 1) / 6 * 100).mean(axis=1).mean()
    assert out.loc["a", "performance"] == pytest.approx(expected_a)
    assert out.attrs["target_performance"] == pytest.approx(((d[["Y1", "Y2"]] - 1) / 6 * 100).mean(axis=1).mean())
    # factor-score weights w ∝ λ/θ: A1 1/0.5 = 2, A2 0.8/1 = 0.8
    fs = ipma(fit, d, target="y", constructs=["a"], scale=(1, 7), weights="factor_score").set_index("construct")
    w = np.array([2.0, 0.8]) / 2.8
    assert fs.loc["a", "performance"] == pytest.approx((((d[["A1", "A2"]] - 1) / 6 * 100) @ w).mean())


def test_ipma_all_upstream_constructs_and_quadrants():
    d, fit = _ipma_data()
    with pytest.raises(DataError, match="no indicators known for m"):
        ipma(fit, d, target="y", scale=(1, 7))
    tab = ipma_table({"a": 0.4, "b": 0.1, "c": 0.3}, {"a": 30, "b": 80, "c": 70})
    q = tab.set_index("construct")["quadrant"]
    assert q["a"] == "Concentrate here" and q["b"] == "Possible overkill" and q["c"] == "Keep up the good work"
    assert tab["construct"].iloc[0] == "a"  # highest importance x (100 - performance)
    with pytest.raises(ModelError, match="not a variable"):
        ipma(fit, d, target="loyalty")


def test_ipma_rescales_importance_when_marker_scales_differ():
    d, fit = _ipma_data()
    out = ipma(fit, d, target="y", constructs=["a"], scale={"A1": (1, 7), "A2": (1, 7), "Y1": (0, 10),
                                                            "Y2": (0, 10)}).set_index("construct")
    assert out.loc["a", "importance"] == pytest.approx(0.4 * 6 / 10)


def test_performance_reverse_keys_with_instrument():
    inst = ce.load_instrument()
    d = pd.DataFrame({"FUN1": [7.0, 1.0], "FUN4": [1.0, 7.0]})  # FUN4 is reverse-keyed
    p = performance(d, {"functional": ["FUN1", "FUN4"]}, inst=inst)
    assert p.loc[0, "performance"] == pytest.approx(50.0)
    assert p.attrs["scores"]["functional"].tolist() == [100.0, 0.0]


def test_ipma_on_a_real_fit_equals_its_total_effects():
    sem = pytest.importorskip("cem_edu.sem")
    if not hasattr(sem, "fit"):
        pytest.skip("cem_edu.sem.fit not available yet")
    inst = ce.load_instrument()
    data = ce.clean(ce.load_dataset("cem_survey"), inst)
    res = sem.fit(inst.model(), data)
    te = res.total_effects()
    out = ipma(res, data, target="loyalty", inst=inst).set_index("construct")
    scores = inst.score(data)
    for c in ("functional", "mechanic", "humanic", "satisfaction"):
        assert out.loc[c, "importance"] == pytest.approx(float(te.loc["loyalty", c]), abs=1e-12)
        # equal weights: performance = mean construct score on 0-100 (all items on the 1-7 scale)
        assert out.loc[c, "performance"] == pytest.approx(((scores[c] - 1) / 6 * 100).mean(), abs=1e-10)
    assert out.attrs["target_performance"] == pytest.approx(((scores["loyalty"] - 1) / 6 * 100).mean(), abs=1e-10)


# ---------------------------------------------------------------- action plan
def test_action_plan_ranks_and_exports(tmp_path):
    ip = ipma_table({"functional": 0.4, "humanic": 0.2}, {"functional": 40, "humanic": 80})
    ip.attrs["target"] = "loyalty"
    gaps = pd.DataFrame({"group": ["FUN1", "MEC1"], "n": [50, 50], "gap": [-0.8, -0.1], "ci_lower": [-1.1, -0.3],
                         "ci_upper": [-0.5, 0.1], "dz": [-0.9, -0.1]})
    jm_table = pd.DataFrame({"stage": ["purchase", "decision"], "channel": ["app", "branch"], "n": [40, 3],
                             "experience": [4.0, 3.0], "desired": [6.0, 6.0], "gap": [-2.0, -3.0],
                             "unit": ["Mobile team", ""], "action": ["Fix login", ""], "impact": ["", ""]})
    plan = action_plan(ipma=ip, gaps=gaps, journey=jm_table, owners={"functional": "Operations"})
    assert list(plan["priority"]) == list(range(1, len(plan) + 1))
    assert len(plan) == 4  # 2 IPMA, 1 journey cell (n >= 5), 1 confirmed gap (CI < 0)
    top = plan.iloc[0]
    assert top["source"] == "ipma" and top["owner"] == "Operations" and top["score"] == 1.0
    assert top["level"] == "high"
    assert "+4.0 points" in top["expected_impact"]
    row = plan[plan["source"] == "journey"].iloc[0]
    assert row["what"] == "Fix login" and row["owner"] == "Mobile team"
    assert set(plan["owner"]) >= {"to assign"}
    x = plan.to_excel(tmp_path / "plan.xlsx", index=False)
    assert pd.read_excel(tmp_path / "plan.xlsx").shape == plan.shape and x is None
    ce.set_language("fa")
    p = export_action_plan(plan, tmp_path / "plan_fa.xlsx")
    assert "اولویت" in pd.read_excel(p).columns
    with pytest.raises(DataError, match="دست‌کم به یکی از ipma="):   # the message follows the language
        action_plan()
    ce.set_language("en")
    with pytest.raises(DataError, match="at least one"):
        action_plan()
    more = action_plan(ipma=ip, extra=["Write an experience standard"], top=1)
    assert list(more["what"])[-1] == "Write an experience standard"
    assert list(more["level"]) == ["high", "review"] and list(more["priority"]) == [1, 2]
    assert np.isnan(more["score"].iloc[-1]) and more["owner"].iloc[-1] == "to assign"
