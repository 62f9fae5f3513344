"""The HTML report: structure, numbers equal to the API's, escaping, optional fields, real browser."""
from __future__ import annotations

import json
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import cem_edu as ce
from cem_edu.report import build_report, report
from conftest import CHROMIUM_ARGS, ROOT

DATA = ROOT / "datasets" / "cem_survey.csv"
HS = ROOT / "datasets" / "holzinger_swineford.csv"
HS_MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"
SECTIONS = ["data", "profile", "items", "normality", "reliability", "common_method", "constructs", "cfa", "sem", "groups",
            "cx", "summary", "methods"]


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """The bundled data's report in English (with groups) and Persian, built once."""
    out = tmp_path_factory.mktemp("report")
    en = build_report(DATA, lang="en", group="channel", bootstrap=50, progress=False)
    fa = build_report(DATA, lang="fa", bootstrap=0, progress=False)
    (out / "en.html").write_text(en.html, encoding="utf-8")
    (out / "fa.html").write_text(fa.html, encoding="utf-8")
    return {"en": en, "fa": fa, "dir": out}


def test_every_section_is_present_and_not_skipped(reports):
    for lang in ("en", "fa"):
        page = reports[lang].html
        for sid in SECTIONS:
            shown = sid != "groups" or lang == "en"  # the Persian report was built without --group
            assert (f'<section id="{sid}">' in page) == shown, (lang, sid)
    skipped = [s.id for s in reports["en"].sections if any('class="skipped"' in b for b in s.blocks)]
    assert skipped == []


def test_numbers_equal_the_api(reports):
    inst = ce.load_instrument()
    data = ce.clean(ce.read_data(DATA), inst)
    res = reports["en"].results
    assert res["cleaning"]["n_clean"] == len(data.data)
    spec = {c: ids for c, ids in inst.items_by_construct().items() if c in res["reliability"]}
    rel = ce.reliability(data, spec, warn=False)
    for c, row in rel.iterrows():
        assert res["reliability"][c]["alpha"] == pytest.approx(row["alpha"], abs=1e-12)
        assert res["reliability"][c]["omega"] == pytest.approx(row["omega"], abs=1e-12)
    fit = ce.fit(inst.model(), data, missing="fiml", progress=False)  # the report's default: FIML (missing answers)
    assert res["sem"]["fit"]["cfi"] == pytest.approx(fit.fit["cfi"], abs=1e-10)
    assert res["sem"]["fit"]["chisq"] == pytest.approx(fit.fit["chisq"], abs=1e-8)
    # the HTML shows the same CFI, rounded
    assert f"CFI = {fit.fit['cfi']:.3f}" in reports["en"].html


def test_persian_report_is_rtl_with_persian_digits(reports):
    page = reports["fa"].html
    assert re.search(r'<html lang="fa" dir="rtl">', page)
    assert "font/woff2;base64," in page
    n = reports["fa"].results["cleaning"]["n_clean"]
    assert ce.i18n.to_persian_digits(n) in page
    assert "پایایی و روایی" in page


def test_report_is_self_contained(reports):
    page = reports["en"].html
    assert "<svg" in page
    # no external resources: nothing is loaded over the network
    assert not re.search(r'(src|href)="(https?:)?//', page)
    assert "@media print" in page


def test_malicious_strings_are_escaped(tmp_path):
    raw = ce.read_data(DATA)
    raw.loc[raw.index[:5], "segment"] = "<script>alert('x')</script>"
    page = build_report(raw, bootstrap=0, progress=False).html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "<script>" not in page.split("</style>", 1)[1]


def test_a_model_naming_an_impossible_variable_is_refused_up_front():
    # the report reads the measurement part with the SEM parser itself (not a hand parser that let
    # anything through and failed later in every model section)
    hs = pd.read_csv(HS)[["x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9"]]
    hs = hs.rename(columns={"x1": "<img src=x onerror=alert(1)>"})
    model = HS_MODEL.replace("x1", "<img src=x onerror=alert(1)>")
    with pytest.raises(ce.ModelError, match="not a valid variable name"):
        build_report(hs, model=model, bootstrap=0, progress=False)


def test_measurement_spec_reads_continuation_lines_and_semicolons():
    from cem_edu.report.build import _measurement_spec

    spec = _measurement_spec("visual =~ x1 + x2 +\n   x3; textual =~ NA*x4 + x5 + x6\nvisual ~~ textual")
    assert spec == {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"]}


def test_data_without_optional_fields(tmp_path):
    res = build_report(HS, model=HS_MODEL, bootstrap=0, progress=False)
    ids = [s.id for s in res.sections]
    # sections with nothing to show are left out, each with one line saying why
    assert ids == ["data", "items", "normality", "reliability", "common_method", "constructs", "cfa", "summary",
                   "methods"]
    assert set(res.results["omitted"]) == {"profile", "content_validity", "sem", "groups", "cx"}
    assert "Not shown:" in res.html and "no regression paths" in res.html and "--group COL" in res.html
    assert "cx" not in res.results or res.results["cx"] == {}
    # the HS numbers are the ones lavaan gives for this model (checked in test_sem_*): here only consistency
    assert res.results["cfa"]["fit"]["df"] == 24


def _five_point_cfa_data() -> pd.DataFrame:
    """Holzinger–Swineford's nine tests cut into five ordered categories (1–5): a 1–5 'questionnaire'."""
    hs = pd.read_csv(HS)[[f"x{i}" for i in range(1, 10)]]
    return hs.apply(lambda c: pd.qcut(c, 5, labels=False, duplicates="drop") + 1).astype(float)


def test_report_says_nothing_false_about_a_five_point_cfa_without_cx_fields():
    import re

    res = build_report(_five_point_cfa_data(), model=HS_MODEL, bootstrap=1000, progress=False)
    text = re.sub(r"<[^>]+>", " ", res.html)
    assert "1–5 scale" in text and "1–7" not in text
    assert "indirect" not in text.lower() and "bootstrap" not in text.lower()  # no := effects, none run
    assert "measurement model was estimated by ML with listwise deletion" in text
    fa = build_report(_five_point_cfa_data(), model=HS_MODEL, bootstrap=0, lang="fa", progress=False)
    fa_text = re.sub(r"<[^>]+>", "", fa.html)
    assert "پاسخ‌های ۱ تا ۵ ترتیبی هستند" in fa_text and "۱ تا ۷" not in fa_text


def test_cli_report_writes_html_and_json(tmp_path):
    out, js = tmp_path / "r.html", tmp_path / "r.json"
    p = subprocess.run([sys.executable, "-m", "cem_edu.cli", "report", str(HS), "--model", "-", "--out", str(out)],
                       capture_output=True, text=True)
    assert p.returncode == 2 and "Traceback" not in p.stderr  # "-" is not a model file
    model = tmp_path / "m.lav"
    model.write_text(HS_MODEL)
    p = subprocess.run([sys.executable, "-m", "cem_edu.cli", "report", str(HS), "--model", str(model), "--out",
                        str(out), "--json", str(js), "--bootstrap", "0", "--quiet"], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert out.read_text().startswith("<!DOCTYPE html>")
    assert json.loads(js.read_text())["cfa"]["fit"]["df"] == 24  # a CFA-only model: no structural section


@pytest.mark.browser
def test_reports_in_real_chromium(reports, chromium_path, output_dir):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            for lang in ("en", "fa"):
                page = browser.new_page(viewport={"width": 1100, "height": 1400})
                errors = []
                page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
                page.on("pageerror", lambda e: errors.append(str(e)))
                page.goto((reports["dir"] / f"{lang}.html").as_uri())
                assert page.evaluate("document.documentElement.dir") == ("rtl" if lang == "fa" else "ltr")
                assert page.evaluate("getComputedStyle(document.body).direction") == ("rtl" if lang == "fa" else "ltr")
                assert page.locator("section").count() == len(SECTIONS) - (lang == "fa")  # fa: no --group
                assert page.locator("svg").count() >= 4
                page.screenshot(path=str(output_dir / f"report_{lang}.png"), full_page=False)
                assert errors == []
                page.close()
        finally:
            browser.close()


def test_cli_out_of_range_says_the_option_and_the_option_works(tmp_path):
    raw = pd.read_csv(DATA)
    raw.loc[raw.index[4], "MEC2"] = 8
    bad = tmp_path / "bad.csv"
    raw.to_csv(bad, index=False)
    cmd = [sys.executable, "-m", "cem_edu.cli", "report", str(bad), "--out", str(tmp_path / "r.html"), "--bootstrap",
           "0", "--quiet"]
    p = subprocess.run(cmd, capture_output=True, text=True)
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert "column 'MEC2' has value 8 in 1 rows (rows 6)" in p.stderr and "--out-of-range missing" in p.stderr
    p = subprocess.run([*cmd, "--out-of-range", "missing"], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr


def test_report_language_is_a_parameter_not_a_global_switch():
    ce.set_language("en")
    res = build_report(HS, model=HS_MODEL, lang="fa", bootstrap=0, progress=False)
    assert ce.get_language() == "en"  # the notebook's language is untouched
    assert res.sections[0].title == ce.t("report.s.data", language="fa")
    assert 'dir="rtl"' in res.html


def test_methods_paragraph_names_the_estimator_that_ran():
    res = build_report(HS, model=HS_MODEL, bootstrap=0, progress=False, missing="fiml")
    methods = next(s for s in res.sections if s.id == "methods").blocks[0]
    assert "ML" in methods and "full-information" in methods


def test_unknown_missing_rule_is_refused():
    with pytest.raises(ce.DataError, match="missing='pairwise'"):
        build_report(HS, model=HS_MODEL, bootstrap=0, progress=False, missing="pairwise")


def test_report_names_the_invariance_rule_applied(reports):
    # cem_survey by channel: five unequal channel groups -> Chen's (2007) N <= 300 / unequal cut-offs
    inv = reports["en"].results["invariance"]
    cut = inv["metric"]["cutoffs"]
    assert cut["rule"] == "small" and not cut["balanced"] and cut["cfi"] == 0.005
    page = reports["en"].html
    assert "Chen (2007) for N ≤ 300 or unequal groups" in page or "Chen (2007) for N &le; 300" in page
    assert "scalar: scalar invariance" in page


def test_persian_report_cleaning_log_is_persian_whatever_the_notebook_language():
    ce.set_language("en")
    res = build_report(DATA, lang="fa", bootstrap=0, progress=False)
    log = res.results["cleaning"]["log"]
    assert log[0]["what"] == ce.clean(ce.read_data(DATA), ce.load_instrument(), language="fa").log.iloc[0]["what"]
    assert all(not any(c.isascii() and c.isalpha() for c in row["why"].replace("ML", "")) for row in log
               if row["why"] and row["step"] in ("normalise", "flag:speeder", "drop:duplicate")), log
    assert ce.get_language() == "en"


def test_fiml_is_the_default_when_the_models_variables_have_missing_answers():
    res = build_report(DATA, progress=False)
    assert res.results["sem"]["fit"]["ntotal"] == res.results["cleaning"]["n_clean"]  # every row counts
    methods = re.sub(r"<[^>]+>", " ", next(s for s in res.sections if s.id == "methods").blocks[0])
    assert "full-information maximum likelihood" in methods and "--bootstrap 1000" in methods
    complete = pd.read_csv(HS)[[f"x{i}" for i in range(1, 10)]]
    assert build_report(complete, model=HS_MODEL, bootstrap=0, progress=False).results["cfa"]["fit"]["ntotal"] == 301
    listwise = build_report(DATA, missing="listwise", bootstrap=0, progress=False).results
    assert listwise["sem"]["fit"]["ntotal"] < listwise["cleaning"]["n_clean"]
