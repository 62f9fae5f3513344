"""Reliability and validity against psych::alpha / alpha.ci and semTools (tests/reference/psychometrics.R)."""
from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

import cem_edu as ce
from _psychometrics_common import HS_SPEC, REF, require
from _psychometrics_common import load_mobi as _mobi
from conftest import ROOT
from cem_edu.errors import DataError, EstimationWarning
from cem_edu.psychometrics.reliability import alpha, feldt_ci, htmt, reliability, reliability_summary





def _set(name):
    return require(SETS, name)
TOL = 1e-6

MOBI_SPEC = {"Image": [f"IMAG{i}" for i in range(1, 6)], "Expectation": [f"CUEX{i}" for i in range(1, 4)],
             "Quality": [f"PERQ{i}" for i in range(1, 8)], "Value": ["PERV1", "PERV2"],
             "Satisfaction": [f"CUSA{i}" for i in range(1, 4)], "Complaints": ["CUSCO"],
             "Loyalty": [f"CUSL{i}" for i in range(1, 4)]}


def _hs():
    return pd.read_csv(ROOT / "datasets" / "holzinger_swineford.csv")


def _sets():
    hs = _hs()[[f"x{i}" for i in range(1, 10)]]
    neg = hs[["x1", "x2", "x3"]].copy()
    neg["x2"] = 10.5 - neg["x2"]
    return {
        "hs": (hs, HS_SPEC),
        "mobi": (_mobi(), MOBI_SPEC),
        "hs_miss": (pd.read_csv(REF / "hs_missing.csv"), HS_SPEC),
        "hs_neg": (neg, {"visual": ["x1", "x2", "x3"]}),
        "cem": (pd.read_csv(REF / "cem_clean.csv"), json.loads((REF / "cem_spec.json").read_text())),
    }


SETS = _sets()
TOTAL = pd.read_csv(REF / "alpha_total.csv")
DROP = pd.read_csv(REF / "alpha_drop.csv")
ITEMS = pd.read_csv(REF / "alpha_items.csv")
CASES = [(d, c) for d, c in zip(TOTAL["data"], TOTAL["construct"])]


@pytest.mark.parametrize(("dataset", "construct"), CASES)
def test_alpha_matches_psych(dataset, construct):
    data, spec = _set(dataset)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EstimationWarning)
        res = alpha(data, spec[construct])
    tot = TOTAL[(TOTAL["data"] == dataset) & (TOTAL["construct"] == construct)].iloc[0]
    assert res.alpha == pytest.approx(tot["raw_alpha"], abs=TOL)
    assert res.alpha_std == pytest.approx(tot["std_alpha"], abs=TOL)
    assert res.ci[0] == pytest.approx(tot["feldt_lower"], abs=TOL)
    assert res.ci[1] == pytest.approx(tot["feldt_upper"], abs=TOL)
    for ours, theirs in (("G6", "G6"), ("average_r", "average_r"), ("SN", "SN"), ("ase", "ase"),
                         ("mean", "mean"), ("sd", "sd"), ("median_r", "median_r")):
        assert res.total[ours] == pytest.approx(tot[theirs], abs=TOL), ours
    items = ITEMS[(ITEMS["data"] == dataset) & (ITEMS["construct"] == construct)].set_index("item")
    for ours, theirs in (("n", "n"), ("raw_r", "raw_r"), ("std_r", "std_r"), ("r_cor", "r_cor"),
                         ("r_drop", "r_drop"), ("mean", "mean"), ("sd", "sd")):
        np.testing.assert_allclose(res.items[ours].to_numpy(float), items.loc[res.items.index, theirs], atol=TOL,
                                   err_msg=ours)
    drop = DROP[(DROP["data"] == dataset) & (DROP["construct"] == construct)].set_index("item")
    for ours, theirs in (("alpha_if_deleted", "raw_alpha"), ("std_alpha_if_deleted", "std_alpha"),
                         ("G6_if_deleted", "G6"), ("average_r_if_deleted", "average_r"), ("SN_if_deleted", "SN"),
                         ("alpha_se_if_deleted", "alpha_se"), ("var_r_if_deleted", "var_r"),
                         ("med_r_if_deleted", "med_r")):
        np.testing.assert_allclose(res.items[ours].to_numpy(float), drop.loc[res.items.index, theirs].to_numpy(float),
                                   atol=TOL, equal_nan=True, err_msg=ours)


def test_alpha_agrees_with_pingouin():
    pg = pytest.importorskip("pingouin")
    for dataset in ("hs", "hs_miss"):
        data, spec = _set(dataset)
        for cols in spec.values():
            ours = alpha(data, cols)
            a, ci = pg.cronbach_alpha(data[cols])
            assert ours.alpha == pytest.approx(a, abs=1e-10)
            assert ours.ci[0] == pytest.approx(ci[0], abs=1e-3)  # pingouin rounds its CI to 3 decimals
            assert ours.ci[1] == pytest.approx(ci[1], abs=1e-3)


def test_feldt_ci_formula():
    lo, hi = feldt_ci(0.8, 100, 5)
    from scipy import stats
    assert lo == pytest.approx(1 - 0.2 * stats.f.ppf(0.975, 99, 396))
    assert hi == pytest.approx(1 - 0.2 * stats.f.ppf(0.025, 99, 396))


def test_negative_alpha_warns_and_names_reverse_item():
    data, _ = SETS["hs_neg"]
    with pytest.warns(EstimationWarning, match=r"alpha is negative.*'x2'.*reverse-keyed"):
        res = alpha(data, ["x1", "x2", "x3"])
    assert res.alpha < 0
    assert "x2" in res.notes[0]


def test_negative_item_with_positive_alpha_warns():
    data = _set("mobi")[0][[f"PERQ{i}" for i in range(1, 8)]].copy()
    data["PERQ3"] = 11 - data["PERQ3"]
    with pytest.warns(EstimationWarning, match=r"'PERQ3'.*probably reverse-keyed"):
        res = alpha(data)
    assert res.alpha > 0


def test_zero_variance_item_is_a_clear_error():
    data = SETS["hs"][0][["x1", "x2", "x3"]].copy()
    data["x2"] = 4.0
    with pytest.raises(DataError, match=r"x2.*zero variance"):
        alpha(data)
    with pytest.raises(DataError, match=r"x2.*visual.*zero variance"):
        reliability(data, {"visual": ["x1", "x2", "x3"]})


def test_alpha_needs_two_items_and_known_columns():
    data = SETS["hs"][0]
    with pytest.raises(DataError, match="at least 2 items"):
        alpha(data, ["x1"])
    with pytest.raises(DataError, match=r"'xx9'|xx9"):
        alpha(data, ["x1", "xx9"])


def test_missing_handling_is_stated():
    data, spec = SETS["hs_miss"]
    res = alpha(data, spec["visual"])
    assert res.missing == "pairwise"
    assert "pairwise" in str(res)
    assert alpha(SETS["hs"][0], spec["visual"]).missing == "complete"


CFA = pd.read_csv(REF / "cfa_reliability.csv")
STD = pd.read_csv(REF / "cfa_std_loadings.csv")


@pytest.mark.parametrize("dataset", ["hs", "mobi", "cem"])
def test_reliability_table_matches_psych_and_semtools(dataset):
    data, spec = _set(dataset)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EstimationWarning)
        table = reliability(data, spec)
    assert list(table.columns) == ["n_items", "n", "alpha", "alpha_ci_lower", "alpha_ci_upper", "alpha_std",
                                   "omega", "cr", "ave"]
    ref = CFA[CFA["data"] == dataset].set_index("construct")
    std = STD[STD["data"] == dataset]
    for construct, cols in spec.items():
        row = table.loc[construct]
        assert row["n_items"] == len(cols)
        if len(cols) == 1:
            assert np.isnan(row["omega"]) and np.isnan(row["alpha"])
            continue
        assert row["omega"] == pytest.approx(ref.loc[construct, "omega_manual"], abs=1e-4)
        assert row["ave"] == pytest.approx(ref.loc[construct, "ave_manual"], abs=1e-4)
        if np.isfinite(ref.loc[construct, "omega"]):  # semTools itself
            assert row["omega"] == pytest.approx(ref.loc[construct, "omega"], abs=1e-4)
        if np.isfinite(ref.loc[construct, "ave"]):
            assert row["ave"] == pytest.approx(ref.loc[construct, "ave"], abs=1e-4)
        lam = std[std["construct"] == construct]["std_all"].to_numpy()
        cr = lam.sum() ** 2 / (lam.sum() ** 2 + (1 - lam ** 2).sum())
        assert row["cr"] == pytest.approx(cr, abs=1e-4)
        tot = TOTAL[(TOTAL["data"] == dataset) & (TOTAL["construct"] == construct)].iloc[0]
        assert row["alpha"] == pytest.approx(tot["raw_alpha"], abs=TOL)
        assert row["alpha_ci_lower"] == pytest.approx(tot["feldt_lower"], abs=TOL)


def test_spec_forms_agree():
    data = SETS["hs"][0]
    syntax = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"
    a = reliability(data, HS_SPEC)
    b = reliability(data, syntax)
    pd.testing.assert_frame_equal(a, b)


HT = pd.read_csv(REF / "htmt.csv")


@pytest.mark.parametrize(("dataset", "geometric"), [(d, g) for d in ("hs", "mobi", "cem") for g in (False, True)])
def test_htmt_matches_semtools(dataset, geometric):
    data, spec = _set(dataset)
    ours = htmt(data, spec, mean="geometric" if geometric else "arithmetic")
    ref = HT[(HT["data"] == dataset) & (HT["htmt2"] == geometric)]
    assert "Complaints" not in ours.index
    n = 0
    for _, r in ref.iterrows():
        if r["c1"] != r["c2"]:
            assert ours.loc[r["c1"], r["c2"]] == pytest.approx(r["value"], abs=1e-8)
            n += 1
    assert n > 0


def test_fornell_larcker_uses_sqrt_ave_and_latent_correlations():
    data, spec = SETS["hs"]
    fl = ce.fornell_larcker(data, spec)
    ref = CFA[CFA["data"] == "hs"].set_index("construct")
    lv = pd.read_csv(REF / "hs_cor_lv.csv").set_index("construct")
    for c in spec:
        assert fl.loc[c, c] == pytest.approx(np.sqrt(ref.loc[c, "ave"]), abs=1e-4)
    for a in spec:
        for b in spec:
            if a != b:
                assert fl.loc[a, b] == pytest.approx(lv.loc[a, b], abs=1e-4)


def test_cross_loadings_own_construct_highest_on_hs():
    data, spec = SETS["hs"]
    cl = ce.cross_loadings(data, spec)
    assert list(cl.columns) == ["construct", *spec]
    score = data[spec["textual"]].mean(axis=1)
    assert cl.loc["x5", "textual"] == pytest.approx(np.corrcoef(data["x5"], score)[0, 1])
    for item, row in cl.iterrows():
        own = row["construct"]
        assert row[own] == max(row[list(spec)])


def test_reliability_summary_json_shape():
    data, spec = _set("mobi")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EstimationWarning)
        table, out = reliability_summary(data, spec)
    text = json.dumps(out, allow_nan=False)  # valid JSON: NaN written as null
    back = json.loads(text)
    assert set(back["Image"]) == {"alpha", "alpha_ci_lower", "alpha_ci_upper", "omega", "cr", "ave"}
    assert back["Complaints"]["alpha"] is None
    assert back["htmt"]["Image"]["Quality"] == pytest.approx(htmt(data, spec).loc["Image", "Quality"])
    assert table.shape[0] == len(spec)


def test_meaning_texts_in_both_languages():
    from cem_edu.psychometrics.reliability import meaning
    assert ".70" in meaning("alpha", "en") and "Nunnally" in meaning("alpha", "en")
    assert ".50" in meaning("ave", "en")
    assert ".85" in meaning("htmt", "en") and "Henseler" in meaning("htmt", "en")
    assert "آلفا" in meaning("alpha", "fa")
    assert "law" in meaning("alpha", "en")


def test_ce_reliability_is_the_function_after_submodule_import():
    import cem_edu.psychometrics.reliability  # noqa: F401  (the module lives below psychometrics now)
    out = ce.reliability(SETS["hs"][0], HS_SPEC)
    assert isinstance(out, pd.DataFrame) and list(out.index) == list(HS_SPEC)
    assert ce.reliability is reliability and ce.reliability.__doc__ == reliability.__doc__


def test_ce_report_is_the_function_after_submodule_import():
    import cem_edu.report  # noqa: F401
    import cem_edu.report.build  # noqa: F401
    assert callable(ce.report) and ce.report.__name__ == "report" and "self-contained HTML page" in ce.report.__doc__


def test_polychoric_and_ordinal_reliability_match_psych():
    from cem_edu.stats.polychoric import polychoric_matrix
    data, spec = SETS["cem"]
    poly = pd.read_csv(REF / "cem_polychoric.csv")
    for construct in ("functional", "loyalty"):
        cols = spec[construct]
        ours = polychoric_matrix(data[cols])
        ref = poly[poly["construct"] == construct].pivot(index="i", columns="j", values="rho").loc[cols, cols]
        np.testing.assert_allclose(ours.to_numpy(), ref.to_numpy(), atol=1e-4)  # R's optimize() tol is ~1e-4
    ords = pd.read_csv(REF / "cem_ordinal_alpha.csv").set_index("construct")
    table = reliability(data, spec, ordinal=True)
    np.testing.assert_allclose(table["ordinal_alpha"], ords.loc[table.index, "ordinal_alpha"], atol=1e-4)
    np.testing.assert_allclose(table["ordinal_omega"], ords.loc[table.index, "ordinal_omega"], atol=1e-4)


def test_polychoric_refuses_continuous_or_many_categories():
    from cem_edu.stats.polychoric import polychoric_matrix
    with pytest.raises(DataError, match="integer-coded"):
        polychoric_matrix(SETS["hs"][0][["x1", "x2"]])
    with pytest.raises(DataError, match="10 answer options"):
        polychoric_matrix(_set("mobi")[0][["CUSA1", "CUSA2"]])


def test_lone_two_item_construct_gives_alpha_and_explains_missing_omega():
    data = SETS["hs"][0]
    with pytest.warns(EstimationWarning, match="omega, CR and AVE need a factor model"):
        table = reliability(data, {"pair": ["x1", "x2"]})
    tot = TOTAL[(TOTAL["data"] == "hs") & (TOTAL["construct"] == "visual")]
    assert table.loc["pair", "alpha"] == pytest.approx(alpha(data, ["x1", "x2"]).alpha)
    assert np.isnan(table.loc["pair", "omega"]) and len(tot) == 1
    # two items next to another construct: identified, and alpha-if-deleted follows psych's 2-item rule
    res = alpha(data, ["x1", "x2"])
    c = np.cov(data[["x1", "x2"]].to_numpy(), rowvar=False)
    assert res.items.loc["x1", "alpha_if_deleted"] == pytest.approx(c[0, 1] / c[1, 1])
    both = reliability(data, {"pair": ["x1", "x2"], "textual": ["x4", "x5", "x6"]})
    assert np.isfinite(both.loc["pair", "omega"])


def test_persian_messages_keep_column_names():
    ce.set_language("fa")
    try:
        with pytest.raises(DataError, match=r"\(x1\)"):
            alpha(SETS["hs"][0], ["x1"])
        with pytest.warns(EstimationWarning, match="'x2'"):
            alpha(SETS["hs_neg"][0])
    finally:
        ce.set_language("en")


def test_any_column_and_construct_names_work():
    data = SETS["hs"][0][[f"x{i}" for i in range(1, 10)]]
    names = {f"x{i}": f"گویه {i}" for i in range(1, 10)}
    spec = {"دیداری": [names[c] for c in HS_SPEC["visual"]], "text score": [names[c] for c in HS_SPEC["textual"]],
            "speed": [names[c] for c in HS_SPEC["speed"]]}
    ours = reliability(data.rename(columns=names), spec)
    ref = reliability(data, HS_SPEC)
    np.testing.assert_allclose(ours[["omega", "cr", "ave"]].to_numpy(), ref[["omega", "cr", "ave"]].to_numpy(),
                               atol=1e-8)
    fl = ce.fornell_larcker(data.rename(columns=names), spec)
    expected = ce.fornell_larcker(data, HS_SPEC).loc["visual", "textual"]
    assert fl.loc["دیداری", "text score"] == pytest.approx(expected)
