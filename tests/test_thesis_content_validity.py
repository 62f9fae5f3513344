"""Content validity (Lawshe's CVR, CVI with modified kappa, impact score) against R and the published tables."""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import cem_edu as ce
from _thesis_common import REF
from cem_edu.errors import DataError
from cem_edu.psychometrics.content_validity import cvr_critical


def test_critical_values_match_exact_binomial_in_r():
    ref = pd.read_csv(REF / "cvr_critical.csv")
    for row in ref.itertuples():
        nc, crit = cvr_critical(row.N)
        assert nc == row.n_critical
        assert crit == pytest.approx(row.cvr_critical, abs=1e-12)


@pytest.mark.parametrize(("n", "n_critical", "printed"), [
    (5, 5, 1.0), (6, 6, 1.0), (7, 7, 1.0), (8, 7, 0.75), (9, 8, 0.778), (10, 9, 0.8), (11, 9, 0.636),
    (12, 10, 0.667), (15, 12, 0.6), (20, 15, 0.5), (25, 18, 0.44), (30, 20, 0.333), (40, 26, 0.3)])
def test_critical_values_as_printed_by_ayre_and_scally_2014(n, n_critical, printed):
    """Ayre & Scally (2014), Table 1 (N_critical and CVR_critical at one-tailed alpha = .05, 3 decimals)."""
    nc, crit = cvr_critical(n)
    assert nc == n_critical and round(crit, 3) == printed


def test_small_panel_has_no_critical_value():
    nc, crit = cvr_critical(4)
    assert nc == 5 and np.isnan(crit)


def test_cvr_panel_matches_r():
    res = ce.cvr(REF / "panel_cvr.csv")
    ref = pd.read_csv(REF / "cvr_panel.csv").set_index("item")
    got = res.items.loc[ref.index]
    for col in ("n", "n_essential", "n_critical"):
        assert (got[col].to_numpy() == ref[col].to_numpy()).all(), col
    np.testing.assert_allclose(got["cvr"], ref["cvr"], atol=1e-12)
    np.testing.assert_allclose(got["cvr_critical"], ref["cvr_critical"], atol=1e-12)
    assert list(got["keep"]) == list(ref["keep"])
    # Q7 has one empty cell: 11 raters, critical 9 (CVR .636)
    assert got.loc["Q7", "n"] == 11 and got.loc["Q7", "n_critical"] == 9
    assert res.cvi == pytest.approx(ref.loc[ref["keep"], "cvr"].mean(), abs=1e-12)


def test_cvi_panel_matches_r():
    res = ce.cvi(REF / "panel_cvi.csv")
    ref = pd.read_csv(REF / "cvi_panel.csv").set_index("item")
    got = res.items.loc[ref.index]
    for col in ("i_cvi", "pc", "kappa"):
        np.testing.assert_allclose(got[col], ref[col], atol=1e-12)
    assert (got["n_relevant"].to_numpy() == ref["n_relevant"].to_numpy()).all()
    scale = pd.read_csv(REF / "cvi_scale.csv").iloc[0]
    assert res.s_cvi_ave == pytest.approx(scale["s_cvi_ave"], abs=1e-12)
    assert res.s_cvi_ua == pytest.approx(scale["s_cvi_ua"], abs=1e-12)


def test_modified_kappa_matches_r_for_polit_table():
    ref = pd.read_csv(REF / "polit_table.csv")
    for row in ref.itertuples():
        panel = pd.DataFrame({"item": [4] * row.A + [1] * (row.N - row.A)})
        it = ce.cvi(panel).items.loc["item"]
        assert it["i_cvi"] == pytest.approx(row.i_cvi, abs=1e-12)
        assert it["pc"] == pytest.approx(row.pc, abs=1e-12)
        assert it["kappa"] == pytest.approx(row.kappa, abs=1e-12)


@pytest.mark.parametrize(("n", "a", "i_cvi", "pc", "kappa", "rating"), [
    (3, 3, 1.00, 0.125, 1.00, "excellent"), (5, 4, 0.80, 0.156, 0.76, "excellent"),
    (6, 5, 0.83, 0.094, 0.82, "excellent"), (6, 4, 0.67, 0.234, 0.56, "fair"),
    (9, 8, 0.89, 0.018, 0.89, "excellent"), (9, 7, 0.78, 0.070, 0.76, "excellent")])
def test_worked_examples_of_polit_beck_owen_2007(n, a, i_cvi, pc, kappa, rating):
    """Polit, Beck & Owen (2007), Table 2, as printed (2–3 decimals)."""
    it = ce.cvi(pd.DataFrame({"q": [3] * a + [2] * (n - a)})).items.loc["q"]
    assert round(it["i_cvi"], 2) == i_cvi and round(it["pc"], 3) == pc and round(it["kappa"], 2) == kappa
    assert it["rating"] == rating


def test_impact_score_matches_r():
    res = ce.impact_score(REF / "panel_impact.csv")
    ref = pd.read_csv(REF / "impact_panel.csv").set_index("item")
    got = res.items.loc[ref.index]
    for col in ("frequency", "importance", "impact"):
        np.testing.assert_allclose(got[col], ref[col], atol=1e-12)
    assert list(got["keep"]) == list(ref["impact"] >= 1.5)


def test_ratings_off_the_codes_name_item_value_and_rows():
    panel = pd.DataFrame({"expert": ["A", "B", "C"], "q1": [3, 4, 3], "q2": [1, 2, 3]})
    with pytest.raises(DataError, match=r"item 'q1' has the rating 4 in 1 row\(s\) \(rows B\); the panel codes are "
                                        r"the whole numbers 1–3"):
        ce.cvr(panel)
    with pytest.raises(DataError, match="item 'q' was rated by no expert"):
        ce.cvi(pd.DataFrame({"p": [4, 4], "q": [np.nan, np.nan]}))


def test_persian_table_and_note():
    res = ce.cvi(REF / "panel_cvi.csv", language="fa")
    text = str(res)
    assert "کاپای اصلاح‌شده" in text and "S-CVI/Ave = ۰٫" in text
    assert 'dir="rtl"' in res._repr_html_()


def run(*args):
    return subprocess.run([sys.executable, "-m", "cem_edu.cli", *map(str, args)], capture_output=True, text=True)


def test_cli_content_validity_json(tmp_path):
    out = tmp_path / "cvi.json"
    p = run("content-validity", REF / "panel_cvi.csv", "--method", "cvi", "--json", out)
    assert p.returncode == 0, p.stderr
    j = json.loads(out.read_text())
    ref = pd.read_csv(REF / "cvi_panel.csv").set_index("item")
    assert set(j["items"]) == set(ref.index)
    assert j["items"]["R5"]["kappa"] == pytest.approx(ref.loc["R5", "kappa"], abs=1e-12)
    assert j["s_cvi_ua"] == pytest.approx(pd.read_csv(REF / "cvi_scale.csv")["s_cvi_ua"][0], abs=1e-12)
    p = run("content-validity", REF / "panel_cvr.csv", "--method", "cvr", "--json", out)
    j = json.loads(out.read_text())
    assert j["items"]["Q5"]["keep"] is False and j["items"]["Q1"]["cvr"] == pytest.approx(11 / 12 * 2 - 1)


def test_cli_bad_panel_is_one_line(tmp_path):
    (tmp_path / "p.csv").write_text("expert,a\nE1,3\nE2,7\n")
    p = run("content-validity", tmp_path / "p.csv", "--method", "cvr")
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert p.stderr.strip().startswith("cem-edu: error: item 'a' has the rating 7")


def test_export_form_panel_sheet_reads_back(tmp_path):
    inst = ce.load_instrument()
    path = inst.export(tmp_path / "panel.csv", format="panel")
    sheet = pd.read_csv(path)
    items = [i.id for i in inst.items if i.construct]
    assert list(sheet.columns) == ["expert", *items] and len(sheet) == 10
    sheet[items] = 3
    res = ce.cvr(sheet)
    assert list(res.items.index) == items and res.items["keep"].all()
    xl = inst.export(tmp_path / "panel.xlsx", format="panel")
    book = pd.read_excel(xl, sheet_name=None)
    assert set(book) == {"panel", "items", "codes"} and list(book["items"]["item"]) == items


def test_example_panel_regenerates_bit_for_bit(tmp_path):
    from cem_edu.datasets import simulate_panel
    from conftest import ROOT

    for method in ("cvr", "cvi"):
        simulate_panel(method).to_csv(tmp_path / f"{method}.csv", index=False)
        assert (tmp_path / f"{method}.csv").read_bytes() == (ROOT / "datasets" / f"expert_panel_{method}.csv").read_bytes()


def test_example_panel_matches_r_and_its_datasheet():
    ref = pd.read_csv(REF / "example_panel.csv").set_index("item")
    r = ce.cvr(ce.load_dataset("expert_panel_cvr"))
    c = ce.cvi(ce.load_dataset("expert_panel_cvi"))
    np.testing.assert_allclose(r.items.loc[ref.index, "cvr"], ref["cvr"], atol=1e-12)
    np.testing.assert_allclose(c.items.loc[ref.index, "i_cvi"], ref["i_cvi"], atol=1e-12)
    np.testing.assert_allclose(c.items.loc[ref.index, "kappa"], ref["kappa"], atol=1e-12)
    # the numbers datasets/expert_panel.md quotes
    assert sorted(r.items.index[~r.items["keep"]]) == ["EXP5", "LOY4", "MEC4", "SAT2"]
    assert round(r.cvi, 2) == 0.91
    assert sorted(c.items.index[~c.items["keep"]]) == ["EXP6", "LOY4", "MEC4", "PI4"]
    assert (round(c.s_cvi_ave, 2), round(c.s_cvi_ua, 2)) == (0.92, 0.65)


def test_panel_below_five_experts_warns_and_drops():
    from cem_edu.errors import EstimationWarning

    with pytest.warns(EstimationWarning, match=r"item\(s\) q were rated by only 4 expert\(s\)"):
        res = ce.cvr(pd.DataFrame({"q": [3, 3, 3, 3]}))
    assert not res.items.loc["q", "keep"] and np.isnan(res.items.loc["q", "cvr_critical"])
