"""cem-edu's IPMA reproduces the PLS importance–performance map analysis on the real mobi data.

Reference: Ringle, C. M., & Sarstedt, M. (2016). Gain more insight from your PLS-SEM results:
the importance-performance map analysis. Industrial Management & Data Systems 116(9),
1865–1886 (the procedure SmartPLS and seminrExtras' ``assess_ipma`` implement).

The PLS reference is computed here by hand from the PLS estimates of the Python port
``seminr`` (``estimate_pls``, its default path weighting, all blocks mode A) for the ECSI
model with Loyalty as the target, following the steps of Ringle & Sarstedt (2016):

1. Rescale every indicator to 0–100 on its theoretical range (the ECSI items are 1–10):
   x̃ = (x − 1) / (10 − 1) · 100.
2. Unstandardise the outer weights: PLS weights wᵢ refer to standardised indicators, so on the
   rescaled metric they are wᵢ / sd(x̃ᵢ).
3. Rescale the unstandardised weights to sum to 1 within each construct.
4. Rescaled construct scores Ỹⱼ = Σᵢ w̃ᵢ x̃ᵢ per respondent (0–100); the construct's
   **performance** is the mean of Ỹⱼ over respondents.
5. Unstandardised path coefficients: OLS (with intercept) of every endogenous Ỹ on the Ỹ of its
   antecedents in the structural model.
6. Unstandardised total effects T = (I − B)⁻¹ − I from the matrix B of step 5; the
   **importance** of construct j is T[j, target].

cem-edu then gets only the PLS ingredients — the total effects on the rescaled scores (step 6)
and the unstandardised outer weights (step 2) — and must give the same map:
``ce.cx.performance(..., weights=...)``, ``ce.cx.ipma_table(...)`` and
``ce.cx.ipma(total_effects, data, target, indicators=..., scale=(1, 10), weights=...)``.
Tolerance 1e-6.

Where the definitions coincide: only with PLS weights and PLS total effects. ``ce.ipma`` on a
CB-SEM fit (``ce.fit``) uses item means or factor-score weights and the CB-SEM total effects,
which are a different estimator, so those are not compared with the PLS map.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

seminr = pytest.importorskip("seminr")

import cem_edu as ce  # noqa: E402
from cem_edu.cx.ipma import IPMA_QUADRANTS, ipma, ipma_table, performance  # noqa: E402
from cem_edu.errors import DataError  # noqa: E402

TOL = 1e-6
TARGET = "Loyalty"
LO, HI = 1, 10
BLOCKS = {
    "Image": [f"IMAG{i}" for i in range(1, 6)],
    "Expectation": [f"CUEX{i}" for i in range(1, 4)],
    "Quality": [f"PERQ{i}" for i in range(1, 8)],
    "Value": [f"PERV{i}" for i in range(1, 3)],
    "Satisfaction": [f"CUSA{i}" for i in range(1, 4)],
    "Complaints": ["CUSCO"],
    "Loyalty": [f"CUSL{i}" for i in range(1, 4)],
}
PATHS = [("Image", "Expectation"), ("Image", "Satisfaction"), ("Image", "Loyalty"),
         ("Expectation", "Quality"), ("Expectation", "Value"), ("Expectation", "Satisfaction"),
         ("Quality", "Value"), ("Quality", "Satisfaction"), ("Value", "Satisfaction"),
         ("Satisfaction", "Complaints"), ("Satisfaction", "Loyalty"), ("Complaints", "Loyalty")]
NAMES = list(BLOCKS)


def _fit_pls(data):
    mm = seminr.constructs(*[seminr.composite(c, items) for c, items in BLOCKS.items()])
    sm = seminr.relationships(*[seminr.paths(a, b) for a, b in PATHS])
    return seminr.estimate_pls(data, mm, sm)


def _named(matrix) -> pd.DataFrame:
    return pd.DataFrame(matrix.values, index=list(matrix.rows), columns=list(matrix.cols))


@pytest.fixture(scope="module")
def mobi():
    return ce.load_dataset("mobi")


@pytest.fixture(scope="module")
def reference(mobi):
    """The PLS IPMA of Ringle & Sarstedt (2016), step by step (see the module docstring)."""
    pls = _fit_pls(mobi)
    w_std = _named(pls.outer_weights)
    # step 1: indicators on 0–100
    resc = (mobi.astype(float) - LO) / (HI - LO) * 100
    # step 2: unstandardised weights on the rescaled metric
    w_unstd = {c: {it: float(w_std.loc[it, c]) / float(resc[it].std(ddof=1)) for it in items}
               for c, items in BLOCKS.items()}
    # step 3: rescaled weights, summing to 1 per construct
    w_resc = {c: {it: v / sum(ws.values()) for it, v in ws.items()} for c, ws in w_unstd.items()}
    # step 4: rescaled construct scores and performance
    scores = pd.DataFrame({c: sum(w_resc[c][it] * resc[it] for it in items) for c, items in BLOCKS.items()})
    perf = scores.mean()
    # step 5: unstandardised path coefficients by OLS on the rescaled scores
    b = pd.DataFrame(0.0, index=NAMES, columns=NAMES)  # b.loc[cause, effect]
    for dv in NAMES:
        ivs = [a for a, d in PATHS if d == dv]
        if not ivs:
            continue
        x = np.column_stack([np.ones(len(scores))] + [scores[iv].to_numpy() for iv in ivs])
        coef, *_ = np.linalg.lstsq(x, scores[dv].to_numpy(), rcond=None)
        b.loc[ivs, dv] = coef[1:]
    # step 6: total effects and importance
    total = np.linalg.inv(np.eye(len(NAMES)) - b.to_numpy()) - np.eye(len(NAMES))
    total = pd.DataFrame(total, index=NAMES, columns=NAMES)
    importance = total[TARGET].drop(TARGET)
    return {"pls": pls, "w_std": w_std, "w_unstd": w_unstd, "w_resc": w_resc, "scores": scores,
            "performance": perf, "b": b, "total": total, "importance": importance}


# --- the hand computation is internally consistent with seminr's standardised solution -------

def test_rescaled_scores_are_affine_in_the_pls_scores(reference):
    """Ỹⱼ = a + Yⱼ / Kⱼ with Kⱼ = Σ wᵢ / sd(x̃ᵢ): a perfect correlation with seminr's scores."""
    scores = reference["pls"].construct_scores
    std = pd.DataFrame(scores.values, columns=list(scores.cols))
    for c in NAMES:
        r = np.corrcoef(std[c], reference["scores"][c])[0, 1]
        assert r == pytest.approx(1.0, abs=1e-10), c


def test_unstandardised_paths_are_the_rescaled_pls_paths(reference):
    """b_ij = β_ij · sd(Ỹ_j) / sd(Ỹ_i): OLS on the rescaled scores = rescaled PLS coefficients."""
    beta = _named(reference["pls"].path_coef)
    sd = reference["scores"].std(ddof=1)
    for cause, effect in PATHS:
        expected = beta.loc[cause, effect] * sd[effect] / sd[cause]
        assert reference["b"].loc[cause, effect] == pytest.approx(expected, abs=1e-9)


def test_total_effects_are_the_rescaled_pls_total_effects(reference):
    te = _named(seminr.total_effects(reference["pls"].path_coef))
    sd = reference["scores"].std(ddof=1)
    for c in reference["importance"].index:
        assert reference["importance"][c] == pytest.approx(te.loc[c, TARGET] * sd[TARGET] / sd[c], abs=1e-9)


def test_reference_values(reference):
    """Pin the reference itself (seminr 0.2.1, path weighting), so a change in it is seen."""
    imp, perf = reference["importance"], reference["performance"]
    assert list(imp.index) == ["Image", "Expectation", "Quality", "Value", "Satisfaction", "Complaints"]
    assert (imp > 0).all() and imp.idxmax() == "Satisfaction"
    pinned_importance = {"Image": 0.643221, "Expectation": 0.341350, "Quality": 0.505220, "Value": 0.109201,
                         "Satisfaction": 0.789659, "Complaints": 0.057876}
    pinned_performance = {"Image": 73.527982, "Expectation": 72.473818, "Quality": 74.976567,
                          "Value": 62.346757, "Satisfaction": 72.454118, "Complaints": 67.422222,
                          "Loyalty": 70.913854}
    for c, v in pinned_importance.items():
        assert abs(imp[c] - v) < 1e-6, c
    for c, v in pinned_performance.items():
        assert abs(perf[c] - v) < 1e-6, c
    assert perf.between(0, 100).all()
    # performance = weighted mean of the item means on 0–100, by step 3's weights
    for c, items in BLOCKS.items():
        item_means = [(mobi_mean - LO) / (HI - LO) * 100 for mobi_mean in
                      [reference["pls"].mean_data[it] for it in items]]
        assert perf[c] == pytest.approx(sum(reference["w_resc"][c][it] * m for it, m in zip(items, item_means)),
                                        abs=1e-9)


# --- cem-edu reproduces it ------------------------------------------------------------------

def test_performance_with_pls_weights_reproduces_the_pls_performance(mobi, reference):
    out = performance(mobi, BLOCKS, scale=(LO, HI), weights=reference["w_unstd"]).set_index("construct")
    for c in NAMES:
        assert abs(out.loc[c, "performance"] - reference["performance"][c]) < TOL, c
        assert out.loc[c, "n"] == 250
    person = out.attrs["scores"]
    assert np.max(np.abs(person.to_numpy() - reference["scores"][NAMES].to_numpy())) < TOL


def test_ipma_table_reproduces_the_pls_map(reference):
    perf = reference["performance"].drop(TARGET)
    table = ipma_table(reference["importance"], perf).set_index("construct")
    mi, mp = reference["importance"].mean(), perf.mean()
    for c in reference["importance"].index:
        assert abs(table.loc[c, "importance"] - reference["importance"][c]) < TOL
        assert abs(table.loc[c, "performance"] - perf[c]) < TOL
        hi_i, hi_p = reference["importance"][c] >= mi, perf[c] >= mp
        expected = IPMA_QUADRANTS[0] if hi_i and not hi_p else IPMA_QUADRANTS[1] if hi_i else \
            IPMA_QUADRANTS[2] if not hi_p else IPMA_QUADRANTS[3]
        assert table.loc[c, "quadrant"] == expected, c
        assert abs(table.loc[c, "potential"] - reference["importance"][c] * (100 - perf[c])) < TOL
    assert abs(table.attrs["mean_importance"] - mi) < TOL
    assert abs(table.attrs["mean_performance"] - mp) < TOL


def test_ipma_with_pls_total_effects_and_weights_reproduces_the_pls_map(mobi, reference):
    out = ipma(reference["importance"], mobi, target=TARGET, indicators=BLOCKS, scale=(LO, HI),
               weights=reference["w_unstd"]).set_index("construct")
    assert sorted(out.index) == sorted(reference["importance"].index)
    for c in out.index:
        assert abs(out.loc[c, "importance"] - reference["importance"][c]) < TOL, c
        assert abs(out.loc[c, "performance"] - reference["performance"][c]) < TOL, c
    assert abs(out.attrs["target_performance"] - reference["performance"][TARGET]) < TOL
    assert out.attrs["weights"] == "custom"
    # the standardised PLS weights give the same map: the rescaling of step 3 is done inside
    rescaled = ipma(reference["importance"], mobi, target=TARGET, indicators=BLOCKS, scale=(LO, HI),
                    weights=reference["w_resc"]).set_index("construct")
    assert np.max(np.abs(rescaled["performance"] - out["performance"])) < 1e-12


def test_equal_weights_are_not_the_pls_map(mobi, reference):
    """The CB-SEM default (item means) differs from PLS performance: the definitions differ."""
    out = ipma(reference["importance"], mobi, target=TARGET, indicators=BLOCKS, scale=(LO, HI)).set_index("construct")
    assert abs(out.loc["Quality", "performance"] - reference["performance"]["Quality"]) > 1e-3


def test_custom_weights_must_cover_every_item(mobi, reference):
    w = {c: dict(v) for c, v in reference["w_unstd"].items()}
    del w["Loyalty"]["CUSL2"]
    with pytest.raises(DataError, match="no weight for CUSL2 of 'Loyalty'"):
        ipma(reference["importance"], mobi, target=TARGET, indicators=BLOCKS, scale=(LO, HI), weights=w)


def test_ce_ipma_on_a_pls_result_reproduces_the_pls_map(mobi, reference):
    """ce.ipma accepts the kit's own PLS result (ce.pls, path weighting) and gives the same map."""
    model = "\n".join(f"{c} =~ {' + '.join(items)}" for c, items in BLOCKS.items())
    model += "\n" + "\n".join(f"{e} ~ {a}" for a, e in PATHS)
    res = ce.pls(model, mobi)
    out = ce.ipma(res, mobi, target=TARGET, scale=(LO, HI)).set_index("construct")
    assert sorted(out.index) == sorted(reference["importance"].index)
    for c in out.index:
        assert abs(out.loc[c, "importance"] - reference["importance"][c]) < TOL, c
        assert abs(out.loc[c, "performance"] - reference["performance"][c]) < TOL, c
    assert abs(out.attrs["target_performance"] - reference["performance"][TARGET]) < TOL
    assert out.attrs["weights"] == "pls"
    with pytest.raises(DataError, match="PLS outer weights"):
        ce.ipma(res, mobi, target=TARGET, scale=(LO, HI), weights="factor_score")
