"""Expectation–experience gaps (vs R's t.test and scipy), the journey map and the funnel."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import cem_edu as ce
from cem_edu.cx import delivery_gap, funnel_table, journey_map, journey_template, read_actions
from cem_edu.errors import DataError

REF = Path(__file__).parent / "reference" / "cx"


def test_gap_matches_r_paired_t_test():
    d = pd.read_csv(REF / "gap_small.csv")
    ref = pd.read_csv(REF / "gap_small_ttest.csv")
    g = ce.gap(d, {"EXP1": "FUN1", "EXP2": "MEC1"})
    assert list(g["n_missing"]) == [2, 1]
    for (_, mine), (_, r) in zip(g.iterrows(), ref.iterrows()):
        assert mine["n"] == r["n"]
        for col in ("gap", "t", "df", "pvalue", "ci_lower", "ci_upper", "dz"):
            assert mine[col] == pytest.approx(r[col], abs=1e-10), col


def test_gap_matches_scipy_paired_t():
    rng = np.random.default_rng(3)
    e = rng.integers(3, 8, 30).astype(float)
    p = np.clip(e + rng.integers(-2, 2, 30), 1, 7)
    g = ce.gap(pd.DataFrame({"E": e, "P": p}), {"E": "P"}, ci=0.90).iloc[0]
    res = stats.ttest_rel(p, e)
    lo, hi = res.confidence_interval(0.90)
    assert g["t"] == pytest.approx(res.statistic)
    assert g["pvalue"] == pytest.approx(res.pvalue)
    assert (g["ci_lower"], g["ci_upper"]) == (pytest.approx(lo), pytest.approx(hi))
    assert g["gap"] == pytest.approx(np.mean(p - e))
    assert g["mean_expectation"] == pytest.approx(e.mean())


def test_gap_pooled_by_construct_and_by_segment():
    d = pd.DataFrame({"E1": [5, 6, 7, 4], "P1": [4, 6, 5, 4], "E2": [6, 6, 6, 6], "P2": [5, 7, 6, 4],
                      "seg": ["a", "a", "b", "b"]})
    g = ce.gap(d, {"E1": "P1", "E2": "P2"}, level="construct", groups={"P1": "functional", "P2": "functional"})
    # respondent gaps: ((4+5)-(5+6))/2=-1, 0.5, -1, -1 -> mean -0.625
    assert g.loc[0, "gap"] == pytest.approx(-0.625)
    assert g.loc[0, "n"] == 4
    gs = ce.gap(d, {"E1": "P1"}, by="seg")
    assert list(gs["seg"]) == ["a", "b"]
    assert list(gs["gap"]) == [pytest.approx(-0.5), pytest.approx(-1.0)]


def test_gap_with_instrument_uses_pairs_and_touchpoints():
    inst = ce.load_instrument()
    rng = np.random.default_rng(0)
    cols = list(inst.expectation_pairs) + list(inst.expectation_pairs.values())
    d = pd.DataFrame(rng.integers(1, 8, size=(50, len(cols))), columns=cols).astype(float)
    g = ce.gap(d, inst)
    assert list(g["expectation"]) == list(inst.expectation_pairs)
    by_c = ce.gap(d, inst, level="construct")
    assert list(by_c["group"]) == ["functional", "mechanic", "humanic"]
    assert by_c.loc[0, "expectation"] == "EXP1, EXP2" and by_c.loc[0, "experience"] == "FUN1, FUN3"
    by_tp = ce.gap(d, inst, level="touchpoint")
    assert set(by_tp["group"]) == {inst.item(p).touchpoint for p in inst.expectation_pairs.values()}


def test_gap_errors_name_the_problem():
    with pytest.raises(DataError, match="'P9'"):
        ce.gap(pd.DataFrame({"E1": [1]}), {"E1": "P9"})
    with pytest.raises(DataError, match="needs the instrument or groups"):
        ce.gap(pd.DataFrame({"E1": [1, 2], "P1": [2, 2]}), {"E1": "P1"}, level="construct")


def test_delivery_gap_bain_numbers_and_wilson_interval():
    from cem_edu.cx import BAIN_2005
    assert (BAIN_2005["firms"], BAIN_2005["firms_believe_superior"], BAIN_2005["customers_agree"]) == (362, 0.80, 0.08)
    assert "Meyer & Schwager (2007)" in BAIN_2005["source"]
    # issue #17: the data are required; without them a clear error points to the published numbers
    with pytest.raises(TypeError):
        delivery_gap()
    with pytest.raises(DataError, match=r"delivery_gap needs the customers' scores .* cem_edu\.cx\.BAIN_2005"):
        delivery_gap(None)
    s = pd.Series([7, 7, 6, 5, 7, 3, 4, 7, 2, 1])  # top box 7: 4 of 10
    d = delivery_gap(s)
    assert d.loc[1, "share"] == pytest.approx(0.4) and d.loc[0, "share"] == 0.80
    assert d.attrs["gap_points"] == pytest.approx(40.0) and "362" in d.attrs["source"]
    from statsmodels.stats.proportion import proportion_confint
    lo, hi = proportion_confint(4, 10, method="wilson")
    assert (d.loc[1, "ci_lower"], d.loc[1, "ci_upper"]) == (pytest.approx(lo), pytest.approx(hi))


def _journey_data():
    return pd.DataFrame({
        "stage": ["purchase", "purchase", "purchase", "decision", "decision", None, "repurchase"],
        "channel": ["app", "app", "branch", "app", "app", "web", "phone"],
        "score": [4.0, 6.0, 5.0, 3.0, np.nan, 7.0, 2.0],
        "expect": [6.0, 6.0, 5.0, 5.0, 5.0, 7.0, 6.0],
    })


def test_journey_map_cells_by_hand():
    jm = journey_map(_journey_data(), experience="score", expectation="expect",
                     stages=["decision", "purchase", "repurchase"], channels=["app", "branch", "phone"])
    cell = jm.table.set_index(["stage", "channel"])
    assert cell.loc[("purchase", "app"), "n"] == 2
    assert cell.loc[("purchase", "app"), "experience"] == pytest.approx(5.0)
    assert cell.loc[("purchase", "app"), "desired"] == pytest.approx(6.0)
    assert cell.loc[("purchase", "app"), "gap"] == pytest.approx(-1.0)
    half = stats.t.ppf(0.975, 1) * np.std([4, 6], ddof=1) / np.sqrt(2)
    assert cell.loc[("purchase", "app"), "ci_upper"] == pytest.approx(5 + half)
    assert cell.loc[("decision", "app"), "n"] == 1  # the NaN score is excluded
    assert cell.loc[("decision", "branch"), "n"] == 0 and np.isnan(cell.loc[("decision", "branch"), "gap"])
    assert jm.n_excluded == 2  # missing stage, missing score
    grid = jm.pivot("gap")
    assert list(grid.columns) == ["decision", "purchase", "repurchase"]
    assert grid.loc["phone", "repurchase"] == pytest.approx(-4.0)
    assert jm.worst(1).iloc[0]["channel"] == "phone"


def test_journey_map_target_and_actions(tmp_path):
    acts = pd.DataFrame({"stage": ["purchase"], "channel": ["app"], "unit": ["Mobile team"],
                         "action": ["Fix login"]})
    jm = journey_map(_journey_data(), experience="score", target=6, actions=acts,
                     stages=["decision", "purchase", "repurchase"], channels=["app", "branch", "phone"])
    cell = jm.table.set_index(["stage", "channel"])
    assert cell.loc[("purchase", "branch"), "gap"] == pytest.approx(-1.0)
    assert cell.loc[("purchase", "app"), "unit"] == "Mobile team"
    assert cell.loc[("decision", "app"), "action"] == ""
    out = jm.to_excel(tmp_path / "map.xlsx")
    assert pd.read_excel(out, sheet_name="cells").shape[0] == 9


def test_journey_map_unknown_stage_and_bad_actions():
    d = _journey_data()
    jm = journey_map(d, experience="score", stages=["decision", "purchase"], channels=["app", "branch", "phone"])
    assert any("'repurchase'" in note for note in jm.notes)
    assert jm.n_excluded == 3 and jm.table["n"].sum() == 4
    with pytest.raises(DataError, match="'app', 'branch', 'phone', 'web'.*channels="):
        journey_map(d, experience="score", channels=["Web", "App"])
    with pytest.raises(DataError, match="needs an experience score"):
        journey_map(d)
    bad = pd.DataFrame({"stage": ["purchase", "purchase"], "channel": ["app", "app"]})
    with pytest.raises(DataError, match="appears 2 times"):
        read_actions(bad)


def test_template_roundtrip_yaml_and_csv(tmp_path):
    p = journey_template(tmp_path / "a.yaml")
    acts = read_actions(p)
    assert len(acts) == 30 and set(acts["unit"]) == {""}
    c = journey_template(tmp_path / "a.csv", stages=["awareness"], channels=["web", "app"])
    assert list(read_actions(c)["channel"]) == ["web", "app"]
    bank = journey_template(example=True)
    assert (bank["unit"] != "").sum() >= 10


def test_journey_map_with_instrument_defaults():
    inst = ce.load_instrument()
    raw = ce.load_dataset("cem_survey")
    jm = journey_map(raw, inst, actions=journey_template(example=True))
    assert jm.table["n"].sum() + jm.n_excluded == len(raw)
    exp = inst.score(raw, ["functional", "mechanic", "humanic"]).mean(axis=1)
    m = (raw["stage"] == "purchase") & (raw["channel"] == "app")
    cell = jm.table.set_index(["stage", "channel"]).loc[("purchase", "app")]
    assert cell["experience"] == pytest.approx(exp[m].mean())
    assert cell["desired"] == pytest.approx(inst.score(raw, ["expectation"])["expectation"][m & exp.notna()].mean())


def test_funnel_counts():
    s = pd.Series(["awareness", "purchase", "purchase", "repurchase", None, "interest"], name="stage")
    f = funnel_table(s)
    assert list(f["n_at_stage"]) == [1, 1, 0, 0, 2, 1]
    assert list(f["reached"]) == [5, 4, 3, 3, 3, 1]
    assert f["pct_reached"].iloc[-1] == pytest.approx(20.0)
    assert f["conversion"].iloc[1] == pytest.approx(0.8)
    assert f.attrs["n_missing"] == 1
