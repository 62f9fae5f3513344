"""The report's moderation section (``report(..., moderation=("X", "Z", "Y"))``, ``--moderation X,Z,Y``).

Its numbers are ``ce.moderation``'s (and ``ce.pls``'s two-stage interaction), run with the report's
missing-data rule; both are checked against lavaan + semTools::indProd/probe2WayMC here: under FIML (the
report's default with missing answers) by tests/reference/report_moderation.R on the bundled survey and
on psych's bfi with its incomplete rows, under listwise deletion by tests/reference/thesis.R. The Word
file has the section's tables as real tables, right to left in Persian; a wrong option stops with one line.
"""
from __future__ import annotations

import html
import io
import json
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import cem_edu as ce
from _thesis_common import BFI_REVERSE, BFI_SPEC, KEYED, REF
from cem_edu.errors import DataError, ModelError
from cem_edu.i18n import format_number
from cem_edu.report import build_report
from cem_edu.report.context import ReportResult
from conftest import ROOT

DATA = ROOT / "datasets" / "cem_survey.csv"
HS = ROOT / "datasets" / "holzinger_swineford.csv"
HS_MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"
CEM = ("functional", "humanic", "satisfaction")
BFI_NA = pd.read_csv(REF / "bfi600_na.csv")
BFI_NA = BFI_NA.assign(**{c: 7 - BFI_NA[c] for c in BFI_REVERSE})
BFI_MODEL = "".join(f"{k} =~ {' + '.join(BFI_SPEC[k])}\n" for k in "CNO")
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _refs(kind: str, case: str) -> dict[str, pd.DataFrame]:
    """Stored lavaan/semTools values of one case: kind "fiml" (report_moderation.R) or "" (thesis.R, listwise)."""
    pre = f"moderation_{kind}_" if kind else "moderation_"
    out = {}
    for part in ("paths", "fit", "slopes", "jn"):
        frame = pd.read_csv(REF / f"{pre}{part}.csv")
        out[part] = frame[frame["data"] == case].reset_index(drop=True)
    return out


def _section_text(res, sid: str) -> str:
    s = next(s for s in res.sections if s.id == sid)
    body = re.sub(r"<svg.*?</svg>", " ", "\n".join(str(b) for b in s.blocks), flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def _check_against_r(got: dict, ref: dict[str, pd.DataFrame], tol: float = 1e-3) -> None:
    paths = {r["label"]: r for r in got["paths"]}
    for row in ref["paths"].itertuples():
        for col in ("est", "se", "z", "pvalue", "std_all"):
            assert paths[row.label][col] == pytest.approx(getattr(row, col), abs=tol), (row.label, col)
    for row, want in zip(got["simple_slopes"], ref["slopes"].itertuples()):
        for col in ("moderator", "slope", "se", "z", "p"):
            assert row[col] == pytest.approx(getattr(want, col), abs=tol), col
    jn = ref["jn"].iloc[0]
    assert got["moderator_sd"] == pytest.approx(jn["sd_z"], abs=tol)
    np.testing.assert_allclose(got["johnson_neyman"], [jn["jn_lower"], jn["jn_upper"]], atol=5e-3)
    fit = ref["fit"].iloc[0]
    for key in ("chisq", "cfi", "rmsea", "srmr"):
        assert got["fit"][key] == pytest.approx(fit[key], abs=tol), key
    assert got["fit"]["df"] == fit["df"]


@pytest.fixture(scope="module")
def cem_en():
    """The bundled survey (missing answers: FIML by default) with the moderation, in English."""
    return build_report(DATA, lang="en", bootstrap=0, progress=False, moderation=CEM)


@pytest.fixture(scope="module")
def cem_fa_both():
    """The same in Persian with CB-SEM and PLS side by side (a small PLS bootstrap)."""
    return build_report(DATA, lang="fa", method="both", bootstrap=50, progress=False, moderation=CEM)


def test_section_numbers_are_moderations_and_lavaans_under_fiml(cem_en):
    got = cem_en.results["moderation"]
    assert len(got) == 1 and got[0]["missing"] == "fiml" and got[0]["n"] == 531
    _check_against_r(got[0], _refs("fiml", "cem"))
    # the same numbers as the analysis itself on the report's cleaned data
    inst = ce.load_instrument()
    data = ce.clean(ce.read_data(DATA), inst)
    own = ce.moderation(data.data, _spec(inst), x=CEM[0], z=CEM[1], y=CEM[2], missing="fiml")
    b3 = own.paths.set_index("label").loc["b3"]
    assert {r["label"]: r for r in got[0]["paths"]}["b3"]["est"] == pytest.approx(b3["est"], abs=1e-12)
    np.testing.assert_allclose([r["slope"] for r in got[0]["simple_slopes"]], own.simple_slopes["slope"], atol=1e-12)
    # the page shows them: the interaction path with its interval, the slopes, the JN sentence and the fit
    text = _section_text(cem_en, "moderation")
    ref = _refs("fiml", "cem")
    b3r = ref["paths"].set_index("label").loc["b3"]
    p_apa = f"{b3r['pvalue']:.3f}".lstrip("0")
    assert (f"The interaction is not significant: b = {b3r['est']:.3f} (SE = {b3r['se']:.3f}, 95% CI "
            f"[{b3r['ci_lower']:.3f}, {b3r['ci_upper']:.3f}], p = {p_apa})") in text
    for row in ref["slopes"].itertuples():
        assert f"{row.slope:.3f}" in text and f"{row.se:.3f}" in text
    jn = ref["jn"].iloc[0]
    assert "Johnson–Neyman" in text and f"{jn['jn_lower']:.3f}" in text and f"{jn['jn_upper']:.3f}" in text
    assert "full-information maximum likelihood" in text and "n = 531 of 531" in text
    assert "A boundary beyond ±3 SD of Humanic clues lies outside almost all of the data." in text  # −6.1 SD
    assert "χ²(98) = 94.44" in text and "Lin et al. 2010" in text
    page = cem_en.html
    assert page.count("<svg") >= 1 and "Johnson–Neyman plot" in page


def _spec(inst):
    from cem_edu.report.build import _measurement_spec

    return _measurement_spec(inst.model())


def test_listwise_rule_gives_thesis_reference_and_says_so():
    res = build_report(DATA, lang="en", bootstrap=0, progress=False, missing="listwise", moderation=CEM)
    got = res.results["moderation"][0]
    assert got["missing"] == "listwise" and got["n"] == 396
    _check_against_r(got, _refs("", "cem"))
    text = _section_text(res, "moderation")
    assert "listwise deletion of incomplete rows" in text and "396" in text
    methods = _section_text(res, "methods")
    assert "double-mean-centred product indicators (Lin et al., 2010)" in methods and "(n = 396)" in methods


def test_real_data_with_missing_answers_bfi():
    """psych's bfi (first 600 rows, incomplete rows kept): C × N → O under FIML, as lavaan."""
    res = build_report(BFI_NA, model=BFI_MODEL, lang="en", bootstrap=0, progress=False, moderation=("C", "N", "O"))
    got = res.results["moderation"][0]
    assert got["missing"] == "fiml" and got["n"] == 600
    _check_against_r(got, _refs("fiml", "bfi_na"))
    ref = _refs("fiml", "bfi_na")["paths"].set_index("label")
    e = {r["label"]: r for r in got["paths"]}
    # the CI columns of the table are lavaan's Wald intervals
    text = _section_text(res, "moderation")
    for label in ("b1", "b2", "b3"):
        assert f"{ref.loc[label, 'ci_lower']:.3f}" in text and f"{ref.loc[label, 'ci_upper']:.3f}" in text
        assert e[label]["est"] == pytest.approx(ref.loc[label, "est"], abs=1e-3)
    assert "outside almost all of the data" not in text  # boundaries at −2.2 and +2.5 SD


def test_methods_paragraph_and_references(cem_en):
    text = _section_text(cem_en, "methods")
    assert "Moderation was tested with a latent interaction measured by double-mean-centred product indicators " \
           "(Lin et al., 2010), estimated by ML with full-information maximum likelihood for missing answers " \
           "(n = 531)" in text
    assert "Johnson–Neyman technique (Bauer & Curran, 2005)" in text
    assert "Lin, G.-C., Wen, Z., Marsh, H. W., & Lin, H.-S. (2010)" in text
    assert "two-stage" not in text  # CB-SEM only


def test_persian_with_pls_two_stage(cem_fa_both):
    res = cem_fa_both
    cb, pl = res.results["moderation"][0], res.results["moderation_pls"][0]
    _check_against_r(cb, _refs("fiml", "cem"))
    # the PLS numbers are ce.pls's two-stage interaction on the same three constructs, same draws
    from cem_edu.pls.moderation import moderation_model

    inst = ce.load_instrument()
    data = ce.clean(ce.read_data(DATA), inst).data
    own = ce.pls(moderation_model(_spec(inst), *CEM), data, interactions=[CEM], bootstrap=50, seed=20261123,
                 missing="mean", progress=False)
    term = "functional*humanic"
    p = own.paths[own.paths["lhs"] == "satisfaction"].set_index("rhs")
    got = {r["rhs"]: r for r in pl["paths"]}
    for rhs in ("functional", "humanic", term):
        for col in ("est", "se", "ci_lower", "ci_upper"):
            assert got[rhs][col] == pytest.approx(p.loc[rhs, col], abs=1e-12), (rhs, col)
    sl = own.simple_slopes(term, "satisfaction")
    np.testing.assert_allclose([r["est"] for r in pl["simple_slopes"]], sl["est"], atol=1e-12)
    np.testing.assert_allclose([r["se"] for r in pl["simple_slopes"]], sl["se"], atol=1e-12)
    assert pl["bootstrap"] == 50 and pl["missing"] == "mean"
    text = _section_text(res, "moderation")
    assert "تعامل پنهان" in text and "رویکرد دومرحله‌ای" in text and "جانسون–نیمن" in text
    assert "شیب‌های ساده" in text and "مرکزسازی دوگانهٔ میانگین" in text and "هیر و همکاران" in text
    assert "functional" not in text  # construct names from the questionnaire, in Persian
    methods = _section_text(res, "methods")
    assert "لین و همکاران، ۲۰۱۰" in methods and "(n = ۵۳۱)" in methods and "هنسلر و چین، ۲۰۱۰" in methods
    assert "Henseler, J., & Chin, W. W. (2010)" in methods


def test_pls_only_has_no_cbsem_part():
    res = build_report(HS, model=HS_MODEL + "speed ~ visual + textual\n", method="pls", bootstrap=0, progress=False,
                       moderation=("visual", "textual", "speed"))
    assert "moderation" not in res.results and len(res.results["moderation_pls"]) == 1
    text = _section_text(res, "moderation")
    assert "two-stage approach" in text and "Johnson–Neyman interval is computed from the CB-SEM" in text
    assert "product indicators" not in text


def test_word_file_has_the_tables_right_to_left_in_persian(cem_en, cem_fa_both):
    docx = pytest.importorskip("docx")
    ref = _refs("fiml", "cem")["slopes"]
    for res, lang in ((cem_en, "en"), (cem_fa_both, "fa")):
        # the moderation section alone as a Word file (the whole report's Word file is test_report_docx's)
        part = ReportResult([s for s in res.document if s.id == "moderation"], res.results, res.out, res.source)
        document = docx.Document(io.BytesIO(part.docx()))
        tables = [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]
        head = "Slope of Functional clues" if lang == "en" else "شیب سرنخ‌های کارکردی"
        slopes = [t for t in tables if head in t[0] and "z" in t[0]]
        assert len(slopes) == 1, lang
        col = slopes[0][0].index(head)
        want = [format_number(v, 3, language=lang) for v in ref["slope"]]
        assert [row[col].strip("\u2066\u2069") for row in slopes[0][1:]] == want
        if lang == "fa":
            table = next(t for t in document.tables if head in [c.text for c in t.rows[0].cells])
            assert table._tbl.tblPr.find(f"{W}bidiVisual") is not None


def test_without_the_option_there_is_no_section(cem_en):
    res = build_report(HS, model=HS_MODEL, bootstrap=0, progress=False)
    assert "moderation" not in [s.id for s in res.sections]
    assert "moderation" not in res.results and "moderation" not in res.results["omitted"]
    assert "Moderation" not in _section_text(res, "methods")
    ids = [s.id for s in cem_en.sections]  # with it, after the structural model
    assert ids.index("moderation") == ids.index("sem") + 1


@pytest.mark.parametrize("given, error, message", [
    (("visual", "textual"), DataError, "is not a moderation to report; give three construct names"),
    ([("visual", "textual", "speed"), "visual"], DataError, "moderation=("),
    (42, DataError, "moderation=42 is not a moderation to report"),
    ([], DataError, "moderation=[] is not"),
    (("visual", "nope", "speed"), ModelError, "z='nope' is not a construct of the model; the constructs are visual, "
                                              "textual, speed"),
    (("visual", "visual", "speed"), ModelError, "three different constructs"),
])
def test_a_wrong_option_is_refused_before_any_analysis(given, error, message):
    with pytest.raises(error, match=re.escape(message)):
        build_report(HS, model=HS_MODEL, bootstrap=0, progress=False, moderation=given)


def test_a_list_of_triples_gives_one_part_each():
    res = build_report(HS, model=HS_MODEL, bootstrap=0, progress=False,
                       moderation=[("visual", "textual", "speed"), "textual, speed, visual"])
    got = res.results["moderation"]
    assert [(g["x"], g["z"], g["y"]) for g in got] == [("visual", "textual", "speed"), ("textual", "speed", "visual")]
    _check_against_r(got[0], _refs("", "hs"))  # HS is complete: listwise = FIML, as thesis.R
    text = _section_text(res, "moderation")
    assert "speed ~ visual + textual + visual × textual" in text
    assert "visual ~ textual + speed + textual × speed" in text


def test_ordinal_items_are_fitted_as_continuous_and_said_so():
    data = KEYED["bfi"][0]
    res = build_report(data, model=BFI_MODEL, ordered=True, bootstrap=0, progress=False, moderation=("C", "N", "O"))
    got = res.results["moderation"][0]
    assert got["missing"] == "listwise" and got["estimator"] == "ML"
    _check_against_r(got, _refs("", "bfi"))
    assert "products of ordinal items are not ordinal" in _section_text(res, "moderation")
    assert "treated them as continuous (ML with listwise deletion)" in _section_text(res, "methods")


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "cem_edu.cli", "report", *map(str, args)], capture_output=True,
                          text=True)


def test_cli_flag(tmp_path):
    model = tmp_path / "m.lav"
    model.write_text(HS_MODEL)
    out, js = tmp_path / "r.docx", tmp_path / "r.json"
    p = _cli(HS, "--model", model, "--moderation", "visual,textual,speed", "--bootstrap", "0", "--quiet", "--out", out,
             "--json", js)
    assert p.returncode == 0, p.stderr
    got = json.loads(js.read_text(encoding="utf-8"))["moderation"][0]
    _check_against_r(got, _refs("", "hs"))
    docx = pytest.importorskip("docx")
    heads = [[c.text for c in t.rows[0].cells] for t in docx.Document(out).tables]
    assert any("Slope of visual" in h for h in heads)


@pytest.mark.parametrize("flag, message", [
    ("visual,textual", "cem-edu: error: moderation='visual,textual' is not a moderation to report"),
    ("visual,nope,speed", "cem-edu: error: z='nope' is not a construct of the model"),
])
def test_cli_bad_triple_exits_2_with_one_line(tmp_path, flag, message):
    model = tmp_path / "m.lav"
    model.write_text(HS_MODEL)
    p = _cli(HS, "--model", model, "--moderation", flag, "--bootstrap", "0", "--quiet", "--out", tmp_path / "r.html")
    assert p.returncode == 2
    assert p.stderr.startswith(message) and p.stderr.count("\n") == 1 and "Traceback" not in p.stderr
    assert not (tmp_path / "r.html").exists()
