"""NPS: hand-computable cases, missing values, segments, tests vs R's chisq.test."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import cem_edu as ce
from cem_edu.cx import nps, nps_class
from cem_edu.errors import DataError

REF = __import__("pathlib").Path(__file__).parent / "reference" / "cx"


def test_hand_computed_nps_and_wald_ci():
    # 4 promoters, 2 passives, 2 detractors of 8: NPS = 100 (0.5 - 0.25) = 25
    r = nps([10, 9, 8, 7, 6, 0, 10, 9])
    assert r.nps == pytest.approx(25.0)
    var = (0.5 + 0.25 - 0.25 ** 2) / 8
    se = 100 * math.sqrt(var)
    assert r.se == pytest.approx(se)
    z = stats.norm.ppf(0.975)
    assert r.ci_lower == pytest.approx(25 - z * se)
    assert r.ci_upper == pytest.approx(25 + z * se)
    row = r.table.loc["overall"]
    assert (row["promoters"], row["passives"], row["detractors"]) == (4, 2, 2)
    assert row["pct_passives"] == pytest.approx(25.0)
    assert r.n == 8 and r.n_missing == 0


def test_all_promoters_gives_100_with_zero_width_interval():
    r = nps([9, 10, 10, 9, 9])
    assert r.nps == 100.0 and r.se == 0.0
    assert (r.ci_lower, r.ci_upper) == (100.0, 100.0)


def test_interval_is_clipped_to_scale():
    r = nps([10, 10, 10, 0])  # NPS 50, SE large
    assert r.ci_upper == 100.0
    assert r.ci_lower > -100.0


def test_missing_values_excluded_and_reported():
    r = nps(pd.Series([10, None, 9, 3, np.nan, "۷"]))  # Persian digit 7 is read as 7
    assert r.n == 4 and r.n_missing == 2
    assert r.nps == pytest.approx(100 * (2 - 1) / 4)
    assert r.table.loc["overall", "n_missing"] == 2
    assert any("2 missing" in note for note in r.notes)


@pytest.mark.parametrize("bad, shown", [([10, 11, 3], "11"), ([10, -1], "-1"), ([7.5, 9], "7.5")])
def test_values_outside_scale_raise_data_error(bad, shown):
    with pytest.raises(DataError, match=f"outside the 0–10 NPS scale.*e.g. {shown}"):
        nps(bad)


def test_text_value_raises_data_error_naming_column():
    with pytest.raises(DataError, match="'NPS' has 1 value"):
        nps(pd.DataFrame({"NPS": [10, "ten"]}))


def test_single_segment_has_no_tests():
    r = nps([10, 9, 3], by=["a", "a", "a"])
    assert list(r.table.index) == ["a", "overall"]
    assert r.comparisons.empty
    assert r.chi2 is None


def test_two_segments_z_test_by_hand():
    a = [10, 10, 9, 8, 3]           # 3 pro, 1 pas, 1 det: NPS 40
    b = [10, 6, 5, 4, 8, 7]         # 1 pro, 2 pas, 3 det: NPS -33.3
    r = nps(a + b, by=["a"] * 5 + ["b"] * 6)
    se_a = 100 * math.sqrt((0.6 + 0.2 - 0.4 ** 2) / 5)
    se_b = 100 * math.sqrt((1 / 6 + 3 / 6 - (1 / 6 - 3 / 6) ** 2) / 6)
    diff = 40 - 100 * (1 / 6 - 3 / 6)
    row = r.comparisons.iloc[0]
    assert row["difference"] == pytest.approx(diff)
    assert row["se"] == pytest.approx(math.hypot(se_a, se_b))
    assert row["z"] == pytest.approx(diff / math.hypot(se_a, se_b))
    assert row["pvalue"] == pytest.approx(2 * stats.norm.sf(abs(row["z"])))


def test_dataframe_input_segments_and_chi_square_match_r():
    d = pd.read_csv(REF / "nps_small.csv")
    ref = pd.read_csv(REF / "nps_small_chisq.csv").iloc[0]
    r = ce.nps(d, by="segment")
    assert r.chi2["statistic"] == pytest.approx(ref["statistic"], abs=1e-9)
    assert r.chi2["df"] == ref["df"]
    assert r.chi2["pvalue"] == pytest.approx(ref["pvalue"], abs=1e-9)
    assert r.n_missing == 2
    # the row without a segment counts overall but in no segment
    assert r.table.drop(index="overall")["n"].sum() == r.n - 1
    assert len(r.comparisons) == 3


def test_bootstrap_is_seeded_and_close_to_wald():
    rng = np.random.default_rng(1)
    s = rng.integers(0, 11, 400)
    a = nps(s, method="bootstrap", seed=5)
    b = nps(s, method="bootstrap", seed=5)
    w = nps(s)
    assert (a.ci_lower, a.ci_upper) == (b.ci_lower, b.ci_upper)
    assert a.ci_lower == pytest.approx(w.ci_lower, abs=1.5)
    assert a.ci_upper == pytest.approx(w.ci_upper, abs=1.5)


def test_result_serialises_and_prints_in_persian():
    import json

    r = nps([10, 9, 3, 7], by=["x", "y", "x", "y"])
    json.dumps(r.to_dict())
    ce.set_language("fa")
    assert "بازهٔ اطمینان" in str(r)
    assert "ترویج‌کنندگان" in r._repr_html_()


def test_nps_class():
    assert list(nps_class([0, 6, 7, 8, 9, 10])) == ["detractor", "detractor", "passive", "passive",
                                                   "promoter", "promoter"]
