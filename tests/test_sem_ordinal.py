"""Ordinal CFA/SEM (``ce.fit(..., ordered=)``, WLSMV / DWLS / ULSMV) against lavaan 0.6.

References: tests/reference/sem_ordinal.R -> tests/reference/sem_ordinal/*.csv — Holzinger–Swineford
items cut into 3–5 categories at their quantiles (the cut data are stored, hs_ordinal.csv), a one- and a
three-factor CFA, a structural model with := effects, DWLS and ULSMV, std.lv, two groups (configural, and
loadings + thresholds equal: scale factors and latent means free in group 2),
pairwise missing values, and the bundled survey's measurement model (7 categories, pairwise).
"""
import json
import warnings

import numpy as np
import pandas as pd
import pytest

import cem_edu as ce
from cem_edu.errors import DataError, EstimationWarning, ModelError
from cem_edu.sem.categorical import ordinal_stats
from conftest import REFERENCE

REF = REFERENCE / "sem_ordinal"
HS = REF / "hs_ordinal.csv"
ITEMS = [f"x{i}" for i in range(1, 10)]
FIT_KEYS = ["npar", "chisq", "df", "pvalue", "chisq_scaled", "df_scaled", "pvalue_scaled", "chisq_scaling_factor",
            "chisq_shift", "baseline_chisq", "baseline_df", "baseline_pvalue", "baseline_chisq_scaled",
            "baseline_chisq_scaling_factor", "cfi", "tli", "cfi_scaled", "tli_scaled", "cfi_robust", "tli_robust",
            "rmsea", "rmsea_ci_lower", "rmsea_ci_upper", "rmsea_pvalue", "rmsea_scaled", "rmsea_ci_lower_scaled",
            "rmsea_ci_upper_scaled", "rmsea_pvalue_scaled", "rmsea_robust", "rmsea_ci_lower_robust",
            "rmsea_ci_upper_robust", "rmsea_pvalue_robust", "srmr", "ntotal"]
LARGE = {"chisq", "chisq_scaled", "baseline_chisq", "baseline_chisq_scaled", "chisq_shift"}

CASES = {
    # name: (model file, data file, fit keyword arguments)
    "hs_one_wlsmv": ("hs_one.lav", "hs_ordinal.csv", {}),
    "hs_three_wlsmv": ("hs_three.lav", "hs_ordinal.csv", {}),
    "hs_three_dwls": ("hs_three.lav", "hs_ordinal.csv", {"estimator": "DWLS"}),
    "hs_three_ulsmv": ("hs_three.lav", "hs_ordinal.csv", {"estimator": "ULSMV"}),
    "hs_three_uls": ("hs_three.lav", "hs_ordinal.csv", {"estimator": "ULS"}),
    "hs_three_partial": ("hs_three.lav", "hs_ordinal.csv", {"group": "school", "group_equal": ["loadings", "thresholds"],
                                                            "group_partial": ["x3|t1", "visual=~x2"]}),
    "hs_three_stdlv_wlsmv": ("hs_three.lav", "hs_ordinal.csv", {"std_lv": True}),
    "hs_sem_wlsmv": ("hs_sem.lav", "hs_ordinal.csv", {}),
    "hs_rescov_wlsmv": ("hs_rescov.lav", "hs_ordinal.csv", {}),
    "hs_outcome_wlsmv": ("hs_outcome.lav", "hs_ordinal.csv", {}),
    "hs_binary_wlsmv": ("hs_three.lav", "hs_binary.csv", {}),
    "hs_three_configural": ("hs_three.lav", "hs_ordinal.csv", {"group": "school"}),
    "hs_three_scalar": ("hs_three.lav", "hs_ordinal.csv", {"group": "school", "group_equal": ["loadings", "thresholds"]}),
    "hs_three_pairwise": ("hs_three.lav", "hs_ordinal_missing.csv", {"missing": "pairwise"}),
    "cem_measurement_wlsmv": ("cem_measurement.lav", "../psychometrics/cem_clean.csv", {"missing": "pairwise"}),
    "cem_full_wlsmv": ("../sem_cem/model.lav", "../psychometrics/cem_clean.csv", {"missing": "pairwise"}),
}


def _fit(name):
    model_file, data_file, kw = CASES[name]
    data = pd.read_csv(REF / data_file)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EstimationWarning)
        return ce.fit((REF / model_file).read_text(), data, ordered=True, **kw)


@pytest.fixture(scope="module")
def fits():
    return {}


def _get(fits, name):
    if name not in fits:
        fits[name] = _fit(name)
    return fits[name]


def _lavaan_estimates(name):
    pe = pd.read_csv(REF / f"{name}_estimates.csv")
    pe["rhs"] = pe["rhs"].fillna("")
    if "group" not in pe:
        pe["group"] = 1
    pe.loc[pe["op"] == ":=", "group"] = 0
    return pe


@pytest.mark.parametrize("name", list(CASES))
def test_fit_measures_match_lavaan(fits, name):
    res = _get(fits, name)
    ref = pd.read_csv(REF / f"{name}_fit.csv").set_index("measure")["value"]
    checked = 0
    for key in FIT_KEYS:
        lav = key.replace("_", ".")
        if lav not in ref.index:
            continue
        theirs, ours = ref[lav], res.fit[key]
        if np.isnan(theirs):
            assert np.isnan(ours), key
            continue
        scale = max(1.0, abs(theirs)) if key in LARGE else 1.0
        assert ours == pytest.approx(theirs, abs=1e-3 * scale), key
        checked += 1
    assert checked >= 10


@pytest.mark.parametrize("name", list(CASES))
def test_estimates_match_lavaan(fits, name):
    res = _get(fits, name)
    pe = _lavaan_estimates(name)
    pe = pe[pe["op"] != "r2"]
    merged = pe.merge(res.estimates, on=["lhs", "op", "rhs", "group"], how="left", suffixes=("_lav", ""))
    assert len(merged) == len(pe) and merged["est"].notna().all(), merged[merged["est"].isna()]
    assert len(res.estimates) == len(pe)          # the same rows (thresholds, ~*~, ~1, :=) as lavaan
    np.testing.assert_allclose(merged["est"], merged["est_lav"], atol=1e-4)
    np.testing.assert_allclose(merged["se"], merged["se_lav"], atol=1e-4)
    np.testing.assert_allclose(merged["std_all"], merged["std.all"], atol=1e-4)
    np.testing.assert_allclose(merged["std_lv"], merged["std.lv"], atol=1e-4)
    ok = merged["z_lav"].notna()
    np.testing.assert_allclose(merged.loc[ok, "pvalue"], merged.loc[ok, "pvalue_lav"], atol=1e-4)


@pytest.mark.parametrize("name", ["hs_three_wlsmv", "hs_sem_wlsmv", "cem_measurement_wlsmv", "cem_full_wlsmv"])
def test_r2_of_latent_responses_matches_lavaan(fits, name):
    res = _get(fits, name)
    pe = _lavaan_estimates(name)
    r2 = pe[pe["op"] == "r2"].set_index("lhs")["est"]
    ours = res.r2.set_index("variable")["r2"]
    for v, val in r2.items():
        assert ours[v] == pytest.approx(val, abs=1e-4), v


def test_threshold_rows_and_residual_variances(fits):
    res = _get(fits, "hs_three_wlsmv")
    est = res.estimates
    th = est[est["op"] == "|"]
    assert list(th["lhs"][:2]) == ["x1", "x1"] and list(th["rhs"][:2]) == ["t1", "t2"]
    assert len(th) == 2 + 3 + 4 + 2 + 3 + 4 + 2 + 3 + 4
    # thresholds are the sample thresholds (saturated), with robust SEs
    stats = ordinal_stats(pd.read_csv(HS), ITEMS)
    np.testing.assert_allclose(th["est"], stats.th[0], atol=1e-8)
    # delta parameterization: residual variances are fixed at 1 - common variance, se 0
    res_var = est[(est["op"] == "~~") & (est["lhs"] == est["rhs"]) & est["lhs"].isin(ITEMS)]
    assert (res_var["se"] == 0).all()
    r2 = res.r2.set_index("variable")["r2"]
    np.testing.assert_allclose(res_var["est"].to_numpy(), 1 - r2[res_var["lhs"]].to_numpy(), atol=1e-10)
    assert res.estimator == "WLSMV" and res.se_type == "robust.sem" and res.test == "scaled.shifted"


def test_defined_effects_have_delta_method_se(fits):
    res = _get(fits, "hs_sem_wlsmv")
    d = res.estimates[res.estimates["op"] == ":="].set_index("lhs")
    a = res.estimates.query("op == '~' and lhs == 'textual' and rhs == 'visual'")["est"].iloc[0]
    b = res.estimates.query("op == '~' and lhs == 'speed' and rhs == 'textual'")["est"].iloc[0]
    assert d.loc["ind", "est"] == pytest.approx(a * b, abs=1e-10)
    assert d.loc["ind", "se"] > 0


def test_sample_statistics_match_lavaan():
    data = pd.read_csv(HS)
    st = ordinal_stats(data, ITEMS)
    ref = pd.read_csv(REF / "hs_one_stats.csv")
    np.testing.assert_allclose(st.wls_obs[0], ref["wls_obs"], atol=1e-7)
    np.testing.assert_allclose(np.diag(st.gamma[0]), ref["gamma_diag"], rtol=1e-6)
    block = pd.read_csv(REF / "hs_one_gamma_block.csv").to_numpy()
    np.testing.assert_allclose(st.gamma[0][:12, :12], block, atol=1e-6)


def test_pairwise_sample_statistics_and_counts_match_lavaan():
    data = pd.read_csv(REF / "hs_ordinal_missing.csv")
    st = ordinal_stats(data, ITEMS, missing="pairwise")
    ref = pd.read_csv(REF / "hs_three_pairwise_stats.csv")
    np.testing.assert_allclose(st.wls_obs[0], ref["wls_obs"], atol=1e-7)
    np.testing.assert_allclose(np.diag(st.gamma[0]), ref["gamma_diag"], rtol=1e-6)
    block = pd.read_csv(REF / "hs_three_pairwise_gamma_block.csv").to_numpy()
    np.testing.assert_allclose(st.gamma[0][:12, :12], block, atol=1e-6)
    # the number of rows behind each correlation
    ok = data[ITEMS].notna().to_numpy()
    np.testing.assert_array_equal(st.pairs[0], (ok.T.astype(int) @ ok.astype(int)))
    assert st.n == [301] and st.n_dropped == 0


def test_pairs_are_reported(fits):
    res = _get(fits, "hs_three_pairwise")
    data = pd.read_csv(REF / "hs_ordinal_missing.csv")
    ok = data[ITEMS].notna().to_numpy().astype(int)
    assert res.extras["n_pairs"] == {"": int(np.triu(ok.T @ ok, 1).sum())}
    info = res.to_dict()["info"]
    assert info["estimator"] == "WLSMV" and info["missing"] == "pairwise"
    assert info["n_pairs"] == res.extras["n_pairs"][""]
    json.dumps(res.to_dict())          # JSON-ready


def test_listwise_default_drops_incomplete_rows():
    data = pd.read_csv(REF / "hs_ordinal_missing.csv")
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        res = ce.fit((REF / "hs_three.lav").read_text(), data, ordered=True)
    n_complete = int(data[ITEMS].notna().all(axis=1).sum())
    assert res.n_used == n_complete and res.n_dropped == len(data) - n_complete
    assert any("listwise" in str(x.message).lower() or str(n_complete) in str(x.message) for x in w)


def test_ordered_list_and_explicit_threshold_syntax_give_the_same_fit(fits):
    base = _get(fits, "hs_three_wlsmv")
    data = pd.read_csv(HS)
    model = (REF / "hs_three.lav").read_text() + "\nx1 | t1 + t2\nx3 | t1 + t2 + t3 + t4"
    res = ce.fit(model, data, ordered=ITEMS, estimator="WLSMV")
    assert res.fit["chisq_scaled"] == pytest.approx(base.fit["chisq_scaled"], rel=1e-10)


def test_fixed_threshold_from_syntax():
    data = pd.read_csv(HS)
    model = (REF / "hs_three.lav").read_text() + "\nx1 | 0*t1"
    res = ce.fit(model, data, ordered=True)
    row = res.estimates.query("lhs == 'x1' and op == '|' and rhs == 't1'").iloc[0]
    assert row["est"] == 0 and row["se"] == 0
    assert res.fit["df"] == 25


def test_empty_category_in_a_group_is_a_clear_error():
    data = pd.read_csv(HS)
    data.loc[(data["school"] == "Pasteur") & (data["x1"] == 3), "x1"] = 2
    with pytest.raises(DataError, match=r"x1.*Pasteur.*nobody chose"):
        ce.fit((REF / "hs_three.lav").read_text(), data, ordered=True, group="school")


def test_scale_point_unused_everywhere_is_collapsed():
    # codes 1, 2, 4 (3 never used) are read as three ordered categories, as R's ordered()
    data = pd.read_csv(HS)
    recoded = data.copy()
    recoded["x1"] = recoded["x1"].replace({3: 4})
    model = (REF / "hs_three.lav").read_text()
    a = ce.fit(model, data, ordered=True)
    b = ce.fit(model, recoded, ordered=True)
    assert b.fit["chisq"] == pytest.approx(a.fit["chisq"], rel=1e-10)


def test_more_than_ten_categories_warns():
    rng = np.random.default_rng(1)
    z = rng.normal(size=(300, 1))
    data = pd.DataFrame({f"y{i}": np.digitize(z[:, 0] + rng.normal(size=300), np.linspace(-2, 2, 11))
                         for i in range(1, 4)})
    with pytest.warns(EstimationWarning, match="more than 10"):
        ce.fit("f =~ y1 + y2 + y3", data, ordered=True)


def test_bad_options_are_clear_errors():
    data = pd.read_csv(HS)
    model = (REF / "hs_three.lav").read_text()
    with pytest.raises(ModelError, match="ordered"):
        ce.fit(model + "\nx1 | t1", data)
    with pytest.raises(ModelError, match="ordered"):
        ce.fit(model, data, estimator="WLSMV")
    with pytest.raises(ModelError, match="MLR"):
        ce.fit(model, data, ordered=True, estimator="MLR")
    with pytest.raises(ModelError, match="x99"):
        ce.fit(model, data, ordered=["x1", "x99"])
    with pytest.raises(ModelError, match="continuous"):
        ce.fit(model, data, ordered=["x1", "x2"])
    with pytest.raises(ModelError, match="fiml"):
        ce.fit(model, data, ordered=True, missing="fiml")
    with pytest.raises(ModelError, match="t5"):
        ce.fit(model + "\nx1 | t5", data, ordered=True)
    with pytest.raises(ModelError, match="x9.*predict"):
        ce.fit("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nx9 ~ visual\ntextual ~ x9", data, ordered=True)
    with pytest.raises(ModelError, match="bootstrap is not available with ordered="):
        ce.fit(model, data, ordered=True, bootstrap=100)
    with pytest.raises(ModelError, match="residuals"):
        ce.fit(model, data, ordered=True, group="school", group_equal=["loadings", "residuals"])


def _cli(*args):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "cem_edu.cli", *map(str, args)], capture_output=True, text=True)


def test_cli_fit_ordered_writes_lavaan_names(tmp_path, fits):
    out = tmp_path / "o.json"
    p = _cli("fit", REF / "hs_three.lav", HS, "--ordered", "all", "--json", out, "--quiet")
    assert p.returncode == 0, p.stderr
    assert "Thresholds" in p.stdout and "x1|t1" in p.stdout
    j = json.loads(out.read_text())
    res = _get(fits, "hs_three_wlsmv")
    assert j["fit"]["chisq_scaled"] == pytest.approx(res.fit["chisq_scaled"], rel=1e-9)
    assert {"chisq_scaled", "df_scaled", "pvalue_scaled", "chisq_scaling_factor", "chisq_shift", "cfi_robust",
            "rmsea_robust", "srmr"} <= set(j["fit"])
    th = [e for e in j["estimates"] if e["op"] == "|"]
    assert th[0]["lhs"] == "x1" and th[0]["rhs"] == "t1"
    assert j["info"]["estimator"] == "WLSMV" and j["info"]["ordered"] == ITEMS


def test_cli_ordered_list_and_bad_input(tmp_path):
    out = tmp_path / "o.json"
    p = _cli("fit", REF / "hs_three.lav", REF / "hs_ordinal_missing.csv", "--ordered", ",".join(ITEMS),
             "--estimator", "dwls", "--missing", "pairwise", "--json", out)
    assert p.returncode == 0, p.stderr
    j = json.loads(out.read_text())
    ref = pd.read_csv(REF / "hs_three_pairwise_fit.csv").set_index("measure")["value"]
    assert j["fit"]["chisq"] == pytest.approx(ref["chisq"], abs=1e-3)
    assert j["info"]["estimator"] == "DWLS" and j["info"]["n_pairs"] > 0
    p = _cli("fit", REF / "hs_three.lav", HS, "--ordered", "x1,x2")
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1 and "continuous" in p.stderr


def test_measurement_model_file_is_the_instruments_measurement_part():
    lines = [ln for ln in ce.load_instrument().model().splitlines() if "=~" in ln]
    assert (REF / "cem_measurement.lav").read_text() == "\n".join(lines) + "\n"


LADDER = ["configural", "thresholds", "loadings", "intercepts"]


@pytest.fixture(scope="module")
def ladder():
    data = pd.read_csv(HS)
    return ce.invariance((REF / "hs_three.lav").read_text(), data, group="school", ordered=True)


@pytest.mark.parametrize("level", LADDER)
def test_invariance_ladder_levels_match_lavaan_measeq(ladder, level):
    res = ladder.fits[level]
    ref = pd.read_csv(REF / f"hs_ladder_{level}_fit.csv").set_index("measure")["value"]
    for key in FIT_KEYS:
        lav = key.replace("_", ".")
        if lav not in ref.index:
            continue
        if np.isnan(ref[lav]):
            assert np.isnan(res.fit[key]), key
            continue
        scale = max(1.0, abs(ref[lav])) if key in LARGE else 1.0
        assert res.fit[key] == pytest.approx(ref[lav], abs=1e-3 * scale), (level, key)
    pe = _lavaan_estimates(f"hs_ladder_{level}")
    pe = pe[pe["op"] != "r2"]
    merged = pe.merge(res.estimates, on=["lhs", "op", "rhs", "group"], how="left", suffixes=("_lav", ""))
    assert merged["est"].notna().all() and len(res.estimates) == len(pe)
    np.testing.assert_allclose(merged["est"], merged["est_lav"], atol=1e-4)
    np.testing.assert_allclose(merged["se"], merged["se_lav"], atol=1e-4)
    np.testing.assert_allclose(merged["std_all"], merged["std.all"], atol=1e-4)


def test_invariance_ladder_difference_tests_match_lavtestlrt(ladder):
    ref = pd.read_csv(REF / "hs_ladder_lrt.csv").set_index("level")
    assert list(ladder.table.index) == LADDER
    for level, row in ref.iterrows():
        ours = ladder.table.loc[level]
        assert ours["delta_chisq"] == pytest.approx(row["delta_chisq"], abs=1e-3)
        assert ours["delta_df"] == row["delta_df"]
        assert ours["delta_pvalue"] == pytest.approx(row["delta_pvalue"], abs=1e-4)
    # the last level is lavaan's group.equal = c("loadings", "thresholds")
    scalar = pd.read_csv(REF / "hs_three_scalar_fit.csv").set_index("measure")["value"]
    assert ladder.table.loc["intercepts", "chisq_scaled"] == pytest.approx(scalar["chisq.scaled"], abs=1e-3)
    assert set(ladder.guidance) == {"thresholds", "loadings", "intercepts"}
    json.dumps(ladder.to_dict())


def test_invariance_ordered_rejects_unknown_level_and_ml():
    data = pd.read_csv(HS)
    model = (REF / "hs_three.lav").read_text()
    with pytest.raises(ModelError, match="scalar"):
        ce.invariance(model, data, group="school", ordered=True, levels=("configural", "scalar"))
    with pytest.raises(ModelError, match="DWLS"):
        ce.invariance(model, data, group="school", ordered=True, estimator="DWLS")


def test_cli_invariance_ordered(tmp_path):
    out = tmp_path / "inv.json"
    p = _cli("invariance", REF / "hs_three.lav", HS, "--group", "school", "--ordered", "all", "--json", out)
    assert p.returncode == 0, p.stderr
    j = json.loads(out.read_text())
    assert list(j) == LADDER
    ref = pd.read_csv(REF / "hs_ladder_lrt.csv").set_index("level")
    assert j["intercepts"]["delta_chisq"] == pytest.approx(ref.loc["intercepts", "delta_chisq"], abs=1e-3)


def test_partable_and_modindices_of_an_ordinal_fit(fits):
    res = _get(fits, "hs_sem_wlsmv")
    pt = res.partable
    est = res.estimates.set_index(["lhs", "op", "rhs", "group"])
    for r in pt.itertuples():
        assert r.est == pytest.approx(est.loc[(r.lhs, r.op, r.rhs, r.group), "est"]), (r.lhs, r.op, r.rhs)
    with pytest.raises(ModelError, match="modification indices"):
        res.modindices()


def test_report_with_ordered_items_says_wlsmv():
    from cem_edu.errors import CemError
    from cem_edu.report.build import build_report

    data = ce.load_dataset("cem_survey")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rep = build_report(data, ordered=True, missing="pairwise", bootstrap=200, progress=False)
    assert "WLSMV on the items&#x27; thresholds and polychoric correlations" in rep.html
    assert "bootstrap intervals are not available with WLSMV" in rep.html
    ref = pd.read_csv(REF / "cem_measurement_wlsmv_fit.csv").set_index("measure")["value"]
    assert rep.results["cfa"]["fit"]["chisq_scaled"] == pytest.approx(ref["chisq.scaled"], abs=1e-3)
    assert "χ² (scaled and shifted)" in rep.html and "CFI (robust)" in rep.html  # lavaan's measures, named for readers
    with pytest.raises(CemError, match="ordinal"):
        build_report(data, missing="pairwise", bootstrap=0, progress=False)


def test_binary_items_with_an_empty_cell_match_lavaan():
    data = pd.read_csv(REF / "hs_binary_zero.csv")
    with pytest.warns(EstimationWarning, match="x1–x2"):
        st = ordinal_stats(data, ITEMS)
    ref = pd.read_csv(REF / "hs_binary_zero_stats.csv")
    np.testing.assert_allclose(st.wls_obs[0], ref["wls_obs"], atol=1e-7)     # rho(x1, x2) at lavaan's bound 0.999
    np.testing.assert_allclose(np.diag(st.gamma[0]), ref["gamma_diag"], rtol=1e-6)


def test_ordered_categorical_labels_equal_numeric_codes(fits):
    base = _get(fits, "hs_three_wlsmv")
    data = pd.read_csv(HS)
    labels = ["low", "mid-low", "mid", "mid-high", "high"]
    for v in ITEMS:
        k = int(data[v].max())
        data[v] = pd.Categorical.from_codes(data[v] - 1, categories=labels[:k], ordered=True)
    res = ce.fit((REF / "hs_three.lav").read_text(), data, ordered=True)
    assert res.fit["chisq_scaled"] == pytest.approx(base.fit["chisq_scaled"], rel=1e-10)


def test_collapse_categories_merges_empty_categories_in_all_groups():
    data = pd.read_csv(HS)
    data.loc[(data["school"] == "Pasteur") & (data["x1"] == 3), "x1"] = 2      # x1 = 3 empty in Pasteur
    data.loc[data["x3"] == 1, "x3"] = np.nan                                     # x3 = 1 unused anywhere
    data.loc[(data["school"] == "Grant-White") & (data["x2"] == 1), "x2"] = 2   # lowest category of x2
    rec, log = ce.collapse_categories(data, ITEMS, group="school")
    assert log[["item", "merged", "into"]].values.tolist() == [["x1", "3", "2"], ["x2", "1", "2"]]
    assert "Pasteur" in log.loc[0, "reason"] and "Grant-White" in log.loc[1, "reason"]
    assert set(rec["x1"].dropna().unique()) == {1, 2} and set(rec["x2"].dropna().unique()) == {2, 3, 4}
    assert rec["x3"].isna().sum() == data["x3"].isna().sum()                     # missing answers stay missing
    res = ce.fit((REF / "hs_three.lav").read_text(), rec, ordered=True, group="school", missing="pairwise")
    assert res.fit["npar"] == 78 - 2 * 3     # x1, x2 and x3 have one threshold fewer in each group
    with pytest.raises(DataError, match="x99"):
        ce.collapse_categories(data, ["x99"])
