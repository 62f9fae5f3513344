"""ce.pls on the bundled data: the JSON contract, messages for bad models and data, the CLI."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import cem_edu as ce
from cem_edu.cli import main
from cem_edu.errors import DataError, ModelError


@pytest.fixture(scope="module")
def bundled():
    inst = ce.load_instrument()
    return inst, ce.clean(ce.load_dataset("cem_survey"), inst)


@pytest.fixture(scope="module")
def fitted(bundled):
    inst, data = bundled
    return ce.pls(inst.model(), data, bootstrap=300, seed=3, progress=False)


def test_instrument_model_runs_unchanged_and_says_what_pls_does_not_estimate(fitted):
    # the three residual covariances of the outcomes are named; exogenous covariances need no note
    assert len(fitted.notes) == 3
    assert all("not part of a PLS model" in n for n in fitted.notes)
    assert "loyalty ~~ word_of_mouth" in fitted.notes[0]
    assert len(fitted.defined) == 9                       # the := indirect effects of the instrument
    d = fitted.defined.set_index("lhs")
    p = fitted.paths.set_index("label")["est"]
    assert d.loc["ind_fun_loy", "est"] == pytest.approx(p["a1"] * p["b1"], abs=1e-12)
    spec = fitted.indirect_effects.set_index("path")
    assert spec.loc["functional → satisfaction → loyalty", "est"] == pytest.approx(d.loc["ind_fun_loy", "est"])
    assert d.loc["ind_fun_loy", "se"] == pytest.approx(spec.loc["functional → satisfaction → loyalty", "se"])


def test_json_has_the_issue_shape(fitted):
    j = json.loads(fitted.to_json())
    assert {"paths", "loadings", "weights", "r2", "r2_adj", "f2", "reliability", "htmt", "total_effects"} <= set(j)
    assert {"lhs", "rhs", "est", "se", "t", "pvalue", "ci_lower", "ci_upper"} <= set(j["paths"][0])
    assert {"construct", "item", "est"} <= set(j["loadings"][0])
    assert {"lhs", "rhs", "f2"} == set(j["f2"][0])
    assert set(j["reliability"]["loyalty"]) >= {"alpha", "rhoA", "rhoC", "ave"}
    assert j["htmt"]["loyalty"]["satisfaction"] == pytest.approx(fitted.htmt.loc["loyalty", "satisfaction"])
    assert {"lhs", "rhs", "est"} <= set(j["total_effects"][0])
    assert j["info"]["bootstrap_ok"] == 300


def test_bootstrap_ci_contains_the_estimate_and_bca_differs(bundled, fitted):
    p = fitted.paths
    assert ((p["ci_lower"] <= p["est"]) & (p["est"] <= p["ci_upper"])).all()
    inst, data = bundled
    bca = ce.pls(inst.model(), data, bootstrap=300, seed=3, ci="bca", progress=False)
    assert np.allclose(bca.paths["se"], p["se"])               # same draws
    assert not np.allclose(bca.paths["ci_lower"], p["ci_lower"])


def test_mediation_types_follow_zhao_lynch_chen(fitted):
    types = set(fitted.indirect_effects["mediation"])
    assert types <= {"complementary", "competitive", "indirect-only", "direct-only", "no-effect"}
    # no direct paths from the experience clues to the outcomes in the bundled model
    assert fitted.indirect_effects["direct"].isna().all()


@pytest.mark.parametrize("model, key", [
    ("A =~ FUN1 + FUN2\nB =~ SAT1 + SAT2\nB ~ A\nA ~ B", "feedback loop"),
    ("A =~ FUN1 + FUN2\nB =~ SAT1 + SAT2\nB ~ A\nA ~~ A", "variances"),
    ("A =~ FUN1 + FUN2\nB =~ SAT1 + SAT2\nB ~ A\nB ~ 1", "no meaning"),
    ("A =~ 1*FUN1 + FUN2\nB =~ SAT1 + SAT2\nB ~ A", "fixed value or label"),
    ("A =~ FUN1 + FUN2\nB =~ SAT1 + SAT2\nC =~ LOY1 + LOY2\nB ~ A", "no structural path"),
    ("A =~ FUN1 + FUN2\nB =~ SAT1 + SAT2", "no structural paths"),
    ("A =~ FUN1 + FUN2\nB =~ SAT1 + FUN2\nB ~ A", "belongs to both"),
    ("A =~ FUN1 + FUN2\nB =~ SAT1 + SAT2\nB ~ A + AGE", "not a construct"),
    ("A =~ FUN1 + FUN2\nB =~ SAT1 + SAT2\nB ~ A\nA <~ FUN3", "both with =~"),
])
def test_models_pls_cannot_honour_are_refused_with_a_reason(bundled, model, key):
    with pytest.raises(ModelError, match=key):
        ce.pls(model, bundled[1])


def test_bad_options_and_data(bundled):
    inst, data = bundled
    m = "A =~ FUN1 + FUN2\nB =~ SAT1 + SAT2\nB ~ A"
    with pytest.raises(ModelError, match="weighting"):
        ce.pls(m, data, weighting="mode_a")
    with pytest.raises(ModelError, match="bootstrap"):
        ce.pls(m, data, bootstrap=1)
    with pytest.raises(DataError, match="FUN9"):
        ce.pls("A =~ FUN1 + FUN9\nB =~ SAT1 + SAT2\nB ~ A", data)
    with pytest.raises(ModelError, match="did not converge"):
        ce.pls(inst.model(), data, max_iter=1)
    with pytest.raises(DataError, match="missing"):
        ce.pls(m, data, missing="pairwise")


def test_listwise_and_mean_replacement_differ_only_by_the_incomplete_rows(bundled):
    inst, data = bundled
    m = "A =~ FUN1 + FUN2 + FUN3\nB =~ SAT1 + SAT2 + SAT3\nB ~ A"
    a = ce.pls(m, data, missing="listwise")
    b = ce.pls(m, data)
    n_incomplete = int(data.data[["FUN1", "FUN2", "FUN3", "SAT1", "SAT2", "SAT3"]].isna().any(axis=1).sum())
    assert a.info["n_dropped"] == n_incomplete > 0
    assert b.n_used == len(data.data)
    assert abs(a.paths["est"][0] - b.paths["est"][0]) < 0.02


def test_formative_blocks_are_refused_by_cbsem_fit(bundled):
    with pytest.raises(ModelError, match="ce.pls"):
        ce.fit("A <~ FUN1 + FUN2\nB =~ SAT1 + SAT2 + SAT3\nB ~ A", bundled[1])


def test_cli_writes_the_json_and_fails_in_one_line(tmp_path, bundled, capsys):
    inst, data = bundled
    csv = tmp_path / "d.csv"
    data.data.to_csv(csv, index=False)
    lav = tmp_path / "m.lav"
    lav.write_text(inst.model(), encoding="utf-8")
    out = tmp_path / "o.json"
    assert main(["pls", str(lav), str(csv), "--bootstrap", "50", "--seed", "1", "--json", str(out), "--quiet"]) == 0
    j = json.loads(out.read_text(encoding="utf-8"))
    assert j["paths"][0]["se"] is not None and j["info"]["seed"] == 1
    bad = tmp_path / "bad.lav"
    bad.write_text("A =~ FUN1\nB =~ SAT1\nB ~ A\nA ~ B\n", encoding="utf-8")
    assert main(["pls", str(bad), str(csv)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "feedback loop" in err[0] and "Traceback" not in err[0]


def test_persian_labels(fitted):
    text = ce.t("pls.result.paths", language="fa")
    assert text == "ضرایب مسیر"
    ce.set_language("fa")
    try:
        assert "dir='rtl'" in fitted._repr_html_()
        assert "ضرایب مسیر" in str(fitted)
    finally:
        ce.set_language("en")


def test_pls_path_diagram_writes_loadings_paths_and_r2(fitted):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ax = ce.plots.pls_path_diagram(fitted, language="en")
    texts = [t.get_text() for t in ax.texts]
    sat = fitted.r2["satisfaction"]
    assert f"{sat:.3f}" in texts                                   # R² inside the circle
    ld = fitted.loadings.iloc[0]
    assert f"{ld['est']:.3f}" in texts                             # loading on the outer arrow
    p = fitted.paths.iloc[0]
    assert f"{p['est']:.3f} ({p['pvalue']:.3f})" in texts         # path with its bootstrap p
    assert len(ax.patches) >= len(fitted.spec.constructs) + len(fitted.spec.indicators)
    fa = ce.plots.pls_path_diagram(fitted, language="fa")
    assert ce.i18n.to_persian_digits(f"{sat:.3f}") in [t.get_text() for t in fa.texts]
    assert fa.get_title() == ce.t("plots.pls.title_boot", language="fa")
    plt.close("all")


def test_report_method_both_puts_cbsem_and_pls_paths_side_by_side(bundled):
    from cem_edu.report.build import build_report

    inst, data = bundled
    rep = build_report(ce.load_dataset("cem_survey"), inst, bootstrap=0, progress=False, method="both")
    rows = rep.results["cbsem_vs_pls"]
    assert len(rows) == 6
    # the report's default with missing answers: FIML for CB-SEM, item-mean replacement for PLS
    own = ce.pls(inst.model(), data, missing="mean")
    cb = ce.fit(inst.model(), data, missing="fiml", progress=False).estimates.query("op == '~'")
    assert [r["PLS β"] for r in rows] == pytest.approx(list(own.paths["est"]), abs=1e-10)
    assert [r["CB-SEM β"] for r in rows] == pytest.approx(list(cb["std_all"]), abs=1e-10)
    assert "Why they differ" in rep.html and rep.results["pls"]["info"]["missing"] == "mean"
    only = build_report(ce.load_dataset("cem_survey"), inst, bootstrap=0, progress=False, method="pls")
    assert "pls" in only.results and "sem" not in only.results
    with pytest.raises(DataError, match="method"):
        build_report(ce.load_dataset("cem_survey"), inst, progress=False, method="smartpls")


def test_htmt2_has_bootstrap_intervals_and_is_below_htmt_for_unequal_correlations(fitted):
    h = fitted.htmt_ci
    assert h[["htmt2_ci_lower", "htmt2_ci_upper"]].notna().all().all()
    assert ((h["htmt2_ci_lower"] <= h["htmt2"]) & (h["htmt2"] <= h["htmt2_ci_upper"])).all()
    # HTMT2 uses geometric means: equal to the kit's ce.htmt(mean="geometric") on the same rows
    inst = ce.load_instrument()
    data = ce.clean(ce.load_dataset("cem_survey"), inst).data
    cols = fitted.spec.indicators
    imputed = data[cols].fillna(data[cols].mean())
    ref = ce.htmt(imputed, fitted.spec.blocks, mean="geometric")
    assert fitted.htmt2.loc["loyalty", "satisfaction"] == pytest.approx(ref.loc["loyalty", "satisfaction"], abs=1e-12)
    ref1 = ce.htmt(imputed, fitted.spec.blocks)
    assert np.allclose(fitted.htmt.to_numpy(), ref1.loc[fitted.htmt.index, fitted.htmt.columns].to_numpy(),
                       atol=1e-12)


def test_bca_with_fewer_draws_than_rows_says_it_is_bias_corrected_only(bundled):
    inst, data = bundled
    with pytest.warns(ce.EstimationWarning, match="acceleration is set to 0"):
        ce.pls("A =~ FUN1 + FUN2\nB =~ SAT1 + SAT2\nB ~ A", data, bootstrap=50, ci="bca", seed=1, progress=False)
