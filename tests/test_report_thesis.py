"""The report's thesis sections: content validity (with a panel), normality, common-method bias and the
construct tests — their numbers equal the analyses' own (which are checked against R in
test_thesis_*), each section left out with its reason where it does not apply, fa and en."""
from __future__ import annotations

import html
import re
import subprocess
import sys

import pandas as pd
import pytest

import cem_edu as ce
from cem_edu.report import build_report
from cem_edu.report.build import _measurement_spec
from conftest import ROOT

DATA = ROOT / "datasets" / "cem_survey.csv"
HS = ROOT / "datasets" / "holzinger_swineford.csv"
HS_MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"
PANEL_CVR = ROOT / "datasets" / "expert_panel_cvr.csv"
PANEL_CVI = ROOT / "datasets" / "expert_panel_cvi.csv"


@pytest.fixture(scope="module")
def thesis():
    """The bundled data's report with the CVR panel, in English and in Persian (CVI panel)."""
    en = build_report(DATA, lang="en", bootstrap=0, progress=False, panel=PANEL_CVR)
    fa = build_report(DATA, lang="fa", bootstrap=0, progress=False, panel=PANEL_CVI)
    return {"en": en, "fa": fa}


def _section_text(res, sid: str) -> str:
    s = next(s for s in res.sections if s.id == sid)
    return html.unescape(re.sub(r"<[^>]+>", " ", "\n".join(str(b) for b in s.blocks)))


def test_sections_in_thesis_order(thesis):
    ids = [s.id for s in thesis["en"].sections]
    assert ids[:8] == ["data", "profile", "content_validity", "items", "normality", "reliability", "common_method",
                       "constructs"]


def test_content_validity_by_the_panel_codes(thesis):
    cvr = ce.cvr(PANEL_CVR)
    got = thesis["en"].results["content_validity"]
    assert got["method"] == "cvr" and got["n_experts"] == cvr.n_experts == 10
    for item, row in cvr.items.iterrows():
        assert got["items"][item]["cvr"] == pytest.approx(row["cvr"], abs=1e-12)
        assert got["items"][item]["keep"] == bool(row["keep"])
    text = _section_text(thesis["en"], "content_validity")
    assert "Lawshe" in text and f"{cvr.items['cvr'].iloc[0]:.3f}" in text
    fa = thesis["fa"].results["content_validity"]
    cvi = ce.cvi(PANEL_CVI)
    assert fa["method"] == "cvi" and fa["s_cvi_ave"] == pytest.approx(cvi.s_cvi_ave, abs=1e-12)
    assert "کاپای اصلاح‌شده" in _section_text(thesis["fa"], "content_validity")


def test_normality_numbers_equal_the_analysis(thesis):
    inst = ce.load_instrument()
    data = ce.clean(ce.read_data(DATA), inst)
    spec = _measurement_spec(inst.model())
    ref = ce.normality(data.data, spec)
    got = thesis["en"].results["normality"]
    for k in ("b1p", "b2p", "skew", "p_skew", "kurtosis", "p_kurt"):
        assert got["mardia"][k] == pytest.approx(ref.mardia[k], rel=1e-12)
    text = _section_text(thesis["en"], "normality")
    assert f"{ref.mardia['b2p']:.3f}" in text and ("robust maximum likelihood" in text or "(ML)" in text)


def test_common_method_and_construct_tests(thesis):
    inst = ce.load_instrument()
    data = ce.clean(ce.read_data(DATA), inst)
    spec = _measurement_spec(inst.model())
    cm = ce.common_method(data, spec, ulmc_model=False)
    got = thesis["en"].results["common_method"]
    assert got["harman_pct"] == pytest.approx(cm.harman_pct, abs=1e-10)
    for c, v in cm.full_collinearity_vif.items():
        assert got["full_collinearity_vif"][c] == pytest.approx(v, abs=1e-10)
    text = _section_text(thesis["en"], "common_method")
    assert f"{cm.harman_pct:.1f}" in text and "Podsakoff et al. 2003, 2012" in text and "weak evidence" in text
    tt = ce.one_sample_t(data, inst)
    cons = thesis["en"].results["constructs"]
    for c, row in tt.table.iterrows():
        assert cons["one_sample_t"]["constructs"][c]["t"] == pytest.approx(row["t"], abs=1e-10)
    fr = ce.friedman(data, spec)
    assert cons["friedman"]["chisq"] == pytest.approx(fr.chisq, abs=1e-10)
    assert cons["friedman"]["kendall_w"] == pytest.approx(fr.kendall_w, abs=1e-12)
    # the APA correlation table: r without a leading zero and with stars, in the Writer's format
    cor = ce.correlation_table(data, spec)
    r01 = cor.r.iat[1, 0]
    text = _section_text(thesis["en"], "constructs")
    assert f"{r01:.2f}".replace("0.", ".", 1) + "***" in text
    fa_text = _section_text(thesis["fa"], "constructs")
    assert "آزمون فریدمن" in fa_text and "W کندال" in fa_text


def test_methods_name_the_thesis_analyses_and_their_references(thesis):
    text = _section_text(thesis["en"], "methods")
    assert "Mardia" in text and "Harman" in text and "panel of 10 experts" in text
    assert "Podsakoff, P. M., MacKenzie, S. B., & Podsakoff, N. P. (2012)" in text
    assert "Lawshe, C. H. (1975)" in text


def test_without_a_panel_or_a_questionnaire_each_part_says_why():
    res = build_report(HS, model=HS_MODEL, bootstrap=0, progress=False, lang="fa")
    assert "content_validity" in res.results["omitted"] and "--panel PANEL.csv" in res.results["omitted"]["content_validity"]
    text = _section_text(res, "constructs")
    assert "آزمون‌های t تک‌نمونه‌ای" in text and "--instrument Q.yaml" in text  # no scale, no midpoint
    one = build_report(HS, model="visual =~ x1 + x2 + x3\n", bootstrap=0, progress=False)
    assert {"common_method", "constructs"} <= set(one.results["omitted"])
    assert one.results["omitted"]["constructs"] == "the model has a single construct"


def test_a_panel_with_codes_above_four_is_refused_with_a_message(tmp_path):
    bad = tmp_path / "panel.csv"
    pd.DataFrame({"expert": ["E1", "E2"], "EXP1": [5, 4], "EXP2": [3, 2]}).to_csv(bad, index=False)
    p = subprocess.run([sys.executable, "-m", "cem_edu.cli", "report", str(HS), "--model", str(_model(tmp_path)),
                        "--panel", str(bad), "--bootstrap", "0", "--quiet", "--out", str(tmp_path / "r.html")],
                       capture_output=True, text=True)
    # a section that cannot run says why in its place; the report is still written
    assert p.returncode == 0, p.stderr
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "ce.impact_score(panel)" in page and "ratings of 5" in page


def _model(tmp_path):
    m = tmp_path / "m.lav"
    m.write_text(HS_MODEL)
    return m
