"""Issue #20, your own questionnaire: instruments from XLSForm / codebook / a lavaan model, the
reverse-key warning against psych::alpha, and the no-YAML report on real data (psychTools::bfi).

Reference values: tests/reference/own_data.R -> tests/reference/own_data/bfi_alpha.csv (psych 2.x).
"""
from __future__ import annotations

import json
import warnings
from pathlib import Path

import pandas as pd
import pytest

import cem_edu as ce
from cem_edu.cli import main
from cem_edu.errors import EstimationWarning, InstrumentError
from cem_edu.instrument import load_instrument
from cem_edu.psychometrics.reliability import alpha, reliability

ROOT = Path(__file__).resolve().parents[1]
REF = ROOT / "tests" / "reference" / "own_data"
BFI = ROOT / "tests" / "reference" / "thesis" / "bfi500.csv"
MODEL = REF / "bfi.lav"
KEYED = "A1,C4,C5,E1,E2,O2,O5"


@pytest.fixture(scope="module")
def psych():
    return pd.read_csv(REF / "bfi_alpha.csv", keep_default_na=False).set_index("construct")


@pytest.fixture(scope="module")
def bfi():
    return pd.read_csv(BFI)


# --------------------------------------------------------------------------- reverse keys vs psych
def test_reliability_warns_with_psychs_items(bfi, psych):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        table = reliability(bfi, MODEL.read_text())
    assert table.attrs["reverse_suspects"] == {c: row.flagged.split() for c, row in psych.iterrows() if row.flagged}
    for c, row in psych.iterrows():
        assert table.loc[c, "alpha"] == pytest.approx(row.alpha_nokeys, abs=1e-9)
        notes = [str(w.message) for w in caught if f"'{c}'" in str(w.message) and "principal component" in str(w.message)]
        if row.flagged:
            assert len(notes) == 1
            assert all(f"'{i}'" in notes[0] for i in row.flagged.split())
            assert f"--reverse {row.flagged.replace(' ', ',')}" in notes[0] and "reverse: true" in notes[0]
        else:
            assert notes == [] and row.warned is False or str(row.warned) == "FALSE"


def test_alpha_of_recoded_items_equals_psych(bfi, psych):
    inst = ce.instrument_from_model(MODEL.read_text(), bfi, reverse=KEYED, scale=(1, 6))
    recoded = inst.recode(bfi)
    with warnings.catch_warnings():
        warnings.simplefilter("error", EstimationWarning)  # no reverse-key warning once they are declared
        table = reliability(recoded, inst)
    for c, row in psych.iterrows():
        assert table.loc[c, "alpha"] == pytest.approx(row.alpha_reversed, abs=1e-9)
        assert table.loc[c, "alpha"] == pytest.approx(row.alpha_checkkeys, abs=1e-9)
        assert table.loc[c, "alpha_std"] == pytest.approx(row.std_alpha_reversed, abs=1e-9)
        assert table.loc[c, "alpha_ci_lower"] == pytest.approx(row.lower, abs=1e-6)
        assert table.loc[c, "alpha_ci_upper"] == pytest.approx(row.upper, abs=1e-6)


def test_alpha_result_lists_suspects(bfi):
    with pytest.warns(EstimationWarning, match=r"'E1', 'E2'.*--reverse E1,E2"):
        res = alpha(bfi, [f"E{i}" for i in range(1, 6)])
    assert res.reverse_suspects == ("E1", "E2")


def test_reverse_warning_in_persian(bfi):
    from cem_edu.psychometrics.reliability import reverse_note

    note = reverse_note(["A1"], construct="agree", alpha=0.47, language="fa")
    assert "--reverse A1" in note and "معکوس" in note and "۰٫۴۷" in note


# --------------------------------------------------------------------------- the scenario end to end
def test_report_no_yaml_with_reverse_and_scale(tmp_path, psych, capsys):
    out, js = tmp_path / "r.html", tmp_path / "r.json"
    code = main(["report", str(BFI), "--model", str(MODEL), "--reverse", KEYED, "--scale", "1-6", "--out", str(out),
                 "--json", str(js), "--quiet", "--bootstrap", "0"])
    assert code == 0, capsys.readouterr().err
    res = json.loads(js.read_text())
    assert res["cleaning"]["n_clean"] == int(psych.n_report.iloc[0])
    for c, row in psych.iterrows():
        assert res["reliability"][c]["alpha"] == pytest.approx(row.alpha_report, abs=1e-9)
        assert res["reliability"][c]["alpha"] > 0
    assert res["reverse_suspects"] == {}
    html = out.read_text(encoding="utf-8")
    assert "answers on a 1–6 scale" in html and "1–7" not in html
    assert "Items that look reverse-keyed" not in html


def test_report_without_reverse_warns_and_names_items(tmp_path, psych, capsys):
    out, js = tmp_path / "r.html", tmp_path / "r.json"
    assert main(["report", str(BFI), "--model", str(MODEL), "--out", str(out), "--json", str(js), "--quiet",
                 "--bootstrap", "0"]) == 0
    res = json.loads(js.read_text())
    assert res["reverse_suspects"] == {c: row.flagged.split() for c, row in psych.iterrows() if row.flagged}
    html = out.read_text(encoding="utf-8")
    assert "Items that look reverse-keyed" in html and f"--reverse {KEYED}" in html
    assert "agree: A1; conscientious: C4, C5; extraversion: E1, E2; openness: O2, O5" in html


def test_cli_reliability_reverse(tmp_path, psych, capsys):
    js = tmp_path / "rel.json"
    assert main(["reliability", str(BFI), "--model", str(MODEL), "--reverse", KEYED, "--json", str(js)]) == 0
    res = json.loads(js.read_text())
    for c, row in psych.iterrows():
        assert res[c]["alpha"] == pytest.approx(row.alpha_report, abs=1e-9)  # cleaned: the straight-liner dropped
    err = capsys.readouterr().err
    assert "taken as 1–6" in err  # no --scale: inferred from the data, and said so


def test_cli_bad_options_one_line(capsys):
    assert main(["report", str(BFI), "--model", str(MODEL), "--reverse", "A1,Z9", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Z9" in err and "Traceback" not in err
    with pytest.raises(SystemExit):
        main(["report", str(BFI), "--model", str(MODEL), "--scale", "6-1"])
    assert "--scale 1-6" in capsys.readouterr().err
    assert main(["report", str(BFI), "--reverse", "A1", "--quiet"]) == 2
    assert "--model" in capsys.readouterr().err


# --------------------------------------------------------------------------- instrument_from_model
def test_instrument_from_model_infers_scale_and_says_so(bfi):
    with pytest.warns(UserWarning, match="taken as 1–6"):
        inst = ce.instrument_from_model(MODEL.read_text(), bfi, reverse=["A1"])
    assert (inst.item("A1").scale.min, inst.item("A1").scale.max) == (1, 6)
    assert inst.reverse_items == ["A1"]
    assert inst.items_by_construct()["openness"] == ["O1", "O2", "O3", "O4", "O5"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        given = ce.instrument_from_model(MODEL.read_text(), bfi, scale="1-7")
    assert given.item("O5").scale.max == 7


def test_instrument_disagrees_with_data_range(bfi, capsys):
    # a 1-5 instrument for 1-6 answers: one line naming the column, the value, the rows and the fix
    inst = ce.instrument_from_model(MODEL.read_text(), bfi, scale=(1, 5))
    with pytest.raises(ce.DataError, match=r"column 'A1' has value 6 .*1–5"):
        ce.clean(bfi, inst)


# --------------------------------------------------------------------------- XLSForm
def test_xlsform_round_trip_is_lossless(tmp_path):
    inst = load_instrument()
    back = load_instrument(inst.export(tmp_path / "form.xlsx", format="xlsform"))
    assert back == inst
    assert back.reverse_items == inst.reverse_items and back.model() == inst.model()


def _kobo_form(path, construct_column=True, reverse=True):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "survey"
    head = ["type", "name", "label::fa", "label::en", "required"] + (["construct"] if construct_column else []) + (
        ["reverse"] if reverse else [])
    ws.append(head)
    ws.append(["start", "start"])
    ws.append(["end", "end"])
    ws.append(["select_one city", "city", "شهر", "City", "yes"] + ([""] if construct_column else []) + (
        [""] if reverse else []))
    texts = {"q1": ("کارکنان مؤدب بودند", "Staff were polite"), "q2": ("کارکنان کمک کردند", "Staff helped"),
             "q3": ("کارکنان بی‌حوصله بودند", "Staff were impatient"),
             "sat1": ("راضی هستم", "I am satisfied"), "sat2": ("انتخاب درستی بود", "It was the right choice"),
             "sat3": ("دوباره می‌آیم", "I will come back")}
    for qid, (fa, en) in texts.items():
        row = ["select_one agree5", qid, fa, en, "yes"]
        if construct_column:
            row.append("staff" if qid.startswith("q") else "satisfaction")
        if reverse:
            row.append("yes" if qid == "q3" else "no")
        ws.append(row)
    ws.append(["select_one agree5", "overall", "در مجموع", "Overall", "no"] + ([""] if construct_column else [])
              + (["no"] if reverse else []))  # a numbered question that is no construct's item
    ws.cell(1, len(head) + 1, "constraint")
    ws.append(["integer", "age", "سن", "Age", "no"] + ([""] if construct_column else []) + ([""] if reverse else [])
              + [". >= 15 and . <= 99"])
    wc = wb.create_sheet("choices")
    wc.append(["list_name", "name", "label::fa", "label::en"])
    for code, (fa, en) in enumerate([("کاملاً مخالفم", "Strongly disagree"), ("مخالفم", "Disagree"),
                                     ("نظری ندارم", "Neutral"), ("موافقم", "Agree"),
                                     ("کاملاً موافقم", "Strongly agree")], 1):
        wc.append(["agree5", code, fa, en])
    wc.append(["city", "tehran", "تهران", "Tehran"])
    wc.append(["city", "shiraz", "شیراز", "Shiraz"])
    wb.save(path)
    return path


def test_xlsform_from_kobo_with_construct_and_reverse_columns(tmp_path):
    inst = load_instrument(_kobo_form(tmp_path / "kobo.xlsx"))
    assert inst.items_by_construct() == {"staff": ["q1", "q2", "q3"], "satisfaction": ["sat1", "sat2", "sat3"]}
    assert inst.reverse_items == ["q3"]
    assert inst.item("q1").text == {"fa": "کارکنان مؤدب بودند", "en": "Staff were polite"}
    assert inst.item("q1").scale.labels["fa"][-1] == "کاملاً موافقم" and inst.item("q1").scale.max == 5
    assert inst.field("city").choices["tehran"] == {"fa": "تهران", "en": "Tehran"}
    assert inst.field("age").numeric and (inst.field("age").min, inst.field("age").max) == (15, 99)
    assert inst.field("overall").numeric and (inst.field("overall").min, inst.field("overall").max) == (1, 5)


def test_xlsform_constructs_from_name_prefixes(tmp_path):
    inst = load_instrument(_kobo_form(tmp_path / "kobo.xlsx", construct_column=False, reverse=False))
    assert inst.items_by_construct() == {"q": ["q1", "q2", "q3"], "sat": ["sat1", "sat2", "sat3"]}
    assert inst.reverse_items == []
    assert "overall" not in inst.item_ids and inst.field("overall").numeric  # a prefix of its own: one question


# --------------------------------------------------------------------------- codebook
CODEBOOK = ("item,construct,text,reverse,min,max\n"
            "Q1,service,کارکنان مؤدب بودند,no,1,5\nQ2,service,Staff helped me,,1,5\nQ3,service,صف طولانی بود,yes,1,5\n"
            "S1,satisfaction,راضی هستم,no,1,5\nS2,satisfaction,I am satisfied,no,1,5\nS3,satisfaction,باز می‌گردم,0,1,5\n")


def test_codebook_csv(tmp_path):
    p = tmp_path / "codebook.csv"
    p.write_text(CODEBOOK, encoding="utf-8")
    inst = load_instrument(p)
    assert inst.items_by_construct() == {"service": ["Q1", "Q2", "Q3"], "satisfaction": ["S1", "S2", "S3"]}
    assert inst.reverse_items == ["Q3"]
    assert inst.item("Q1").text["fa"] == "کارکنان مؤدب بودند" and inst.item("Q2").text["en"] == "Staff helped me"
    assert (inst.item("S3").scale.min, inst.item("S3").scale.max) == (1, 5)


def test_codebook_xlsx_and_own_export(tmp_path):
    frame = pd.read_csv(pd.io.common.StringIO(CODEBOOK), dtype=str, keep_default_na=False)
    frame.to_excel(tmp_path / "cb.xlsx", index=False)
    assert load_instrument(tmp_path / "cb.xlsx").reverse_items == ["Q3"]
    bundled = load_instrument()
    back = load_instrument(bundled.export(tmp_path / "cem_codebook.csv", format="codebook"))
    assert back.items_by_construct() == {c: i for c, i in bundled.items_by_construct().items()}
    assert back.reverse_items == bundled.reverse_items
    assert back.construct("loyalty").role == "outcome" and back.expectation_pairs == bundled.expectation_pairs


def test_codebook_construct_of_one_item_is_one_line(tmp_path):
    p = tmp_path / "codebook.csv"
    p.write_text(CODEBOOK + "L1,loyalty,I will return,no,1,5\n", encoding="utf-8")
    with pytest.raises(InstrumentError) as err:
        load_instrument(p)
    text = str(err.value)
    assert "\n" not in text
    assert "row 8" in text and "'loyalty'" in text and "'L1'" in text and "leave the construct cell" in text


def test_codebook_bad_range_and_missing_column(tmp_path):
    p = tmp_path / "codebook.csv"
    p.write_text(CODEBOOK.replace("Q2,service,Staff helped me,,1,5", "Q2,service,Staff helped me,,5,1"),
                 encoding="utf-8")
    with pytest.raises(InstrumentError, match=r"row 3 \('Q2'\).*min '5' and max '1'"):
        load_instrument(p)
    p.write_text("item,text\nQ1,hello\n", encoding="utf-8")
    with pytest.raises(InstrumentError, match="no 'construct' column"):
        load_instrument(p)


# --------------------------------------------------------------------------- survey-tool exports (read_data(path, inst))
CAFE = ROOT / "datasets" / "cafe_google_forms.csv"
CAFE_CODEBOOK = ROOT / "datasets" / "cafe_codebook.csv"


def test_cafe_dataset_regenerates_byte_for_byte(tmp_path):
    import runpy
    import sys

    out = tmp_path / "cafe.csv"
    argv = sys.argv
    sys.argv = ["make_cafe.py", str(out)]
    try:
        runpy.run_path(str(REF / "make_cafe.py"), run_name="__main__")
    finally:
        sys.argv = argv
    assert out.read_bytes() == CAFE.read_bytes()


def test_google_forms_csv_with_persian_headers():
    inst = load_instrument(CAFE_CODEBOOK)
    with pytest.warns(UserWarning, match=r"9 column header\(s\) read as item ids") as rec:
        raw = ce.read_data(CAFE, inst)
    note = str(rec[0].message)
    assert "'7. از این کافه راضی هستم.' → SAT1" in note  # Arabic ي/ك in the header, normalised
    assert set(inst.likert_items) <= set(raw.columns) and "برچسب زمانی" in raw.columns
    assert raw.attrs["intake"]["header_map"]["1. کارکنان کافه با حوصله و مؤدب بودند."] == ["SRV1", "text", 1.0]
    # labels became codes; the empty answers stay missing
    assert raw["SRV1"].dropna().isin([1, 2, 3, 4, 5]).all() and raw["SRV1"].isna().sum() == 3
    first = pd.read_csv(CAFE, dtype=str, keep_default_na=False).iloc[0]
    assert raw.loc[0, "SRV1"] == ["کاملاً مخالفم", "مخالفم", "نظری ندارم", "موافقم", "کاملاً موافقم"].index(
        first.iloc[1]) + 1
    cd = ce.clean(raw, inst)
    rel = ce.reliability(cd, inst, warn=False)
    assert (rel["alpha"] > 0.7).all() and rel.attrs["reverse_suspects"] == {}


def test_google_forms_without_reverse_key_is_caught():
    inst = load_instrument(CAFE_CODEBOOK)
    plain = ce.instrument_from_model("service =~ SRV1 + SRV2 + SRV3", scale=(1, 5))
    with pytest.warns(UserWarning):
        raw = ce.read_data(CAFE, inst)
    with pytest.warns(EstimationWarning, match=r"'SRV3'.*--reverse SRV3"):
        ce.reliability(raw, plain)


def _porsline(tmp_path, inst, headers="fa"):
    """A Porsline-style .xlsx of the bundled survey: question texts as headers, Persian answer labels,
    start/end times, a response id."""
    raw = ce.load_dataset("cem_survey").head(60)
    cd = ce.clean(raw, inst, recode_reverse=False)
    data = cd.data.reset_index(drop=True)
    out = {"شناسه پاسخ": range(1, len(data) + 1)}
    t0 = pd.Timestamp("2026-11-01 10:00:00") + pd.to_timedelta(range(0, 600 * len(data), 600), unit="s")
    out["زمان شروع"] = t0.strftime("%Y-%m-%d %H:%M:%S")
    out["زمان پایان"] = (t0 + pd.to_timedelta(data["duration_sec"].fillna(300).to_numpy(), unit="s")).strftime(
        "%Y-%m-%d %H:%M:%S")
    for f in inst.respondent_fields:
        if f.choices:
            out[f.label[headers]] = data[f.id].map(lambda c, f=f: f.choices[c][headers] if c in f.choices else None)
        elif not f.system:
            out[f.label[headers]] = data[f.id]
    for item in inst.items:
        labels = item.scale.labels[headers]
        out[item.text[headers]] = data[item.id].map(
            lambda v, s=item.scale, lab=labels: lab[int(v) - s.min] if pd.notna(v) else None)
    frame = pd.DataFrame(out)
    path = tmp_path / "porsline.xlsx"
    frame.to_excel(path, index=False)
    return path, data


@pytest.mark.parametrize("headers", ["fa", "en"])
def test_porsline_style_export_maps_to_the_bundled_instrument(tmp_path, headers):
    inst = load_instrument()
    path, data = _porsline(tmp_path, inst, headers)
    with pytest.warns(UserWarning, match="read as item ids"):
        raw = ce.read_data(path, inst)
    for item in inst.item_ids:
        assert raw[item].astype(float).equals(data[item].astype(float)), item
    assert raw["channel"].tolist() == data["channel"].tolist()
    assert raw["duration_sec"].tolist() == data["duration_sec"].fillna(300).round().tolist()
    assert raw.attrs["intake"]["duration_from"] == ["زمان شروع", "زمان پایان"]
    ce.clean(raw, inst)  # no error: ready for the analyses


def test_spss_sav_with_value_labels_and_variable_labels(tmp_path):
    import pyreadstat

    inst = load_instrument(CAFE_CODEBOOK)
    with pytest.warns(UserWarning):
        coded = ce.read_data(CAFE, inst)
    items = inst.likert_items
    frame = coded[items].copy()
    frame.columns = [f"v{k}" for k in range(1, len(items) + 1)]  # SPSS names that say nothing
    labels = [inst.item(i).text["fa"] for i in items]
    agree = {float(k): lab for k, lab in enumerate(inst.item("SRV1").scale.labels["fa"], 1)}
    path = tmp_path / "cafe.sav"
    pyreadstat.write_sav(frame, str(path), column_labels=labels,
                         variable_value_labels={c: agree for c in frame.columns})
    with pytest.warns(UserWarning, match=r"'v1' → SRV1"):
        raw = ce.read_data(path, inst)
    assert raw["SRV1"].equals(coded["SRV1"].astype(float))
    assert raw.attrs["value_labels"]["v1"][5] == "کاملاً موافقم"


def test_ambiguous_header_is_refused(tmp_path):
    p = tmp_path / "cb.csv"
    p.write_text("item,construct,text,reverse,min,max\n"
                 "Q1,s,The staff were friendly today,no,1,5\nQ2,s,The staff were friendly always,no,1,5\n"
                 "Q3,s,The room was clean,no,1,5\n", encoding="utf-8")
    inst = load_instrument(p)
    d = tmp_path / "d.csv"
    d.write_text("The staff were friendly,Q3\n1,3\n2,4\n", encoding="utf-8")
    with pytest.raises(ce.DataError) as err:
        ce.read_data(d, inst)
    text = str(err.value)
    assert "\n" not in text and "'The staff were friendly'" in text and "'Q1'" in text and "'Q2'" in text
    assert "Rename the column" in text


def test_unmatched_item_names_the_closest_header(tmp_path):
    inst = load_instrument(CAFE_CODEBOOK)
    d = tmp_path / "d.csv"
    frame = pd.read_csv(CAFE, dtype=str, keep_default_na=False)
    frame = frame.rename(columns={frame.columns[4]: "فضا؟"})
    frame.to_csv(d, index=False)
    with pytest.raises(ce.DataError) as err, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ce.read_data(d, inst)
    text = str(err.value)
    assert "\n" not in text and "'AMB1'" in text and "'فضا؟'" in text and "Rename that column to AMB1" in text


def test_two_columns_for_one_item_are_refused(tmp_path):
    inst = load_instrument(CAFE_CODEBOOK)
    frame = pd.read_csv(CAFE, dtype=str, keep_default_na=False)
    frame["SRV1"] = frame.iloc[:, 1]
    d = tmp_path / "d.csv"
    frame.to_csv(d, index=False)
    with pytest.raises(ce.DataError, match=r"columns .* both match item 'SRV1'"):
        ce.read_data(d, inst)


def test_persian_messages_for_headers(tmp_path):
    from cem_edu.i18n import t

    assert "ستون" in t("headers.ambiguous", language="fa", column="x", candidates="'a', 'b'", first="a")
    assert "گویه" in t("sources.err.one_item", language="fa", file="f", sheet="s", row=2, id="L1", construct="c")


def test_cli_report_on_google_forms_file_cfa_only(tmp_path, capsys):
    """1–5 scale, no CX fields, CFA-only model: the report says 1–5 and nothing false about what did not run."""
    model = tmp_path / "cafe.lav"
    model.write_text("service =~ SRV1 + SRV2 + SRV3\nambience =~ AMB1 + AMB2 + AMB3\n"
                     "satisfaction =~ SAT1 + SAT2 + SAT3\n", encoding="utf-8")
    out, js = tmp_path / "r.html", tmp_path / "r.json"
    assert main(["report", str(CAFE), "--instrument", str(CAFE_CODEBOOK), "--model", str(model), "--out", str(out),
                 "--json", str(js), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert "9 column header(s) read as item ids" in err
    res = json.loads(js.read_text())
    assert res["cleaning"]["n_raw"] == 120 and set(res["reliability"]) == {"service", "ambience", "satisfaction"}
    html = out.read_text(encoding="utf-8")
    assert "answers on a 1–5 scale" in html
    assert "bootstrap" not in html.lower() and "indirect" not in html.lower()
    assert "Customer-experience analytics (" in html  # left out, with the reason


def test_kobo_xml_value_headers_and_google_grid_headers():
    inst = load_instrument(CAFE_CODEBOOK)
    frame = pd.DataFrame({"group_service/SRV1": [1, 2], "group_service/SRV2": [3, 4],
                          "لطفاً نظرتان را بگویید [منتظر ماندن برای سفارش کلافه‌ام کرد.]": ["موافقم", "مخالفم"],
                          **{i: [3, 4] for i in inst.likert_items[3:]}})
    with pytest.warns(UserWarning, match="3 column header"):
        raw = ce.read_data(frame, inst)
    assert raw["SRV1"].tolist() == [1, 2] and raw["SRV3"].tolist() == [4, 2]
    assert raw.attrs["intake"]["header_map"]["group_service/SRV1"][:2] == ["SRV1", "id"]


def test_cli_constructs_alone_cleans_with_the_model_and_warns(tmp_path, capsys):
    js = tmp_path / "rel.json"
    assert main(["reliability", str(BFI), "--model", str(MODEL), "--constructs", "--json", str(js)]) == 0
    err = capsys.readouterr().err
    assert "taken as 1–6" in err
    assert "--reverse E1,E2" in err and "--reverse A1 " in err  # still not declared: psych's items named
    assert json.loads(js.read_text())["extraversion"]["alpha"] < 0


def test_clean_and_report_api_read_a_survey_export_onto_the_instrument(tmp_path):
    inst = load_instrument(CAFE_CODEBOOK)
    raw = pd.read_csv(CAFE, dtype=str, keep_default_na=False)  # headers are question texts
    with pytest.warns(UserWarning, match="9 column header"):
        cd = ce.clean(raw, inst)
    with pytest.warns(UserWarning):
        direct = ce.clean(ce.read_data(CAFE, inst), inst)
    assert cd.data.equals(direct.data) and len(cd.data) == 106
    # a file with some item ids keeps the old message for the missing ones (no header guessing)
    partial = direct.data.drop(columns=["SRV2"])
    with pytest.raises(ce.DataError, match="column 'SRV2' of the instrument is missing"):
        ce.clean(partial, inst)


def test_cli_reverse_on_continuous_scores(tmp_path, capsys):
    """Scores that are not whole numbers: reverse keys recoded over the data's range, no scale checks."""
    import numpy as np

    rng = np.random.default_rng(3)
    f = rng.normal(size=300)
    d = pd.DataFrame({f"a{i}": f * w + rng.normal(scale=0.6, size=300) for i, w in enumerate((1, .8, -.7), 1)})
    data, model = tmp_path / "d.csv", tmp_path / "m.lav"
    d.to_csv(data, index=False)
    model.write_text("A =~ a1 + a2 + a3\n", encoding="utf-8")
    js = tmp_path / "r.json"
    assert main(["reliability", str(data), "--model", str(model), "--reverse", "a3", "--json", str(js)]) == 0
    err = capsys.readouterr().err
    assert "not whole numbers" in err
    lo, hi = int(np.floor(d.to_numpy().min())), int(np.ceil(d.to_numpy().max()))
    expected = alpha(d.assign(a3=lo + hi - d["a3"])).alpha
    assert json.loads(js.read_text())["A"]["alpha"] == pytest.approx(expected, abs=1e-12)
    assert main(["report", str(BFI), "--instrument", str(CAFE_CODEBOOK), "--scale", "1-5", "--quiet"]) == 2
    assert "--model" in capsys.readouterr().err


def test_porsline_times_give_the_speeder_flag_its_duration(tmp_path):
    inst = load_instrument(CAFE_CODEBOOK)  # a codebook: no recorded fields
    frame = pd.read_csv(CAFE, dtype=str, keep_default_na=False).drop(columns=["برچسب زمانی"])
    start = pd.Timestamp("2026-11-20 10:00:00") + pd.to_timedelta(range(0, 3600 * len(frame), 3600), unit="s")
    seconds = [300] * len(frame)
    seconds[5] = 20  # far below 0.4 × the median
    frame.insert(0, "زمان شروع", start.strftime("%Y-%m-%d %H:%M:%S"))
    frame.insert(1, "زمان پایان", (start + pd.to_timedelta(seconds, unit="s")).strftime("%Y-%m-%d %H:%M:%S"))
    path = tmp_path / "porsline.csv"
    frame.to_csv(path, index=False)
    with pytest.warns(UserWarning):
        raw = ce.read_data(path, inst)
    assert raw["duration_sec"].tolist() == seconds
    cd = ce.clean(raw, inst, drop=())
    assert cd.flags["speeder"].sum() == 1 and bool(cd.flags["speeder"].iloc[5])


def test_codebook_role_column_gives_the_default_structural_model(tmp_path):
    frame = pd.read_csv(CAFE_CODEBOOK, dtype=str, keep_default_na=False)
    frame["role"] = frame["construct"].map({"service": "experience", "ambience": "experience",
                                            "satisfaction": "outcome"})
    frame.to_csv(tmp_path / "cb.csv", index=False)
    model = load_instrument(tmp_path / "cb.csv").model()
    assert "satisfaction ~ c11*service + c12*ambience" in model
    with pytest.raises(InstrumentError, match="structural=False for a CFA"):
        load_instrument(CAFE_CODEBOOK).model()


def test_cli_report_codebook_without_model_fits_a_cfa(tmp_path, capsys):
    js = tmp_path / "r.json"
    assert main(["report", str(CAFE), "--instrument", str(CAFE_CODEBOOK), "--out", str(tmp_path / "r.html"),
                 "--json", str(js), "--quiet"]) == 0
    assert "fits a CFA of its constructs" in capsys.readouterr().err
    res = json.loads(js.read_text())
    assert "sem" in res["omitted"] and "cfa" in res and "sem" not in res


def test_report_callout_in_persian(bfi):
    from cem_edu.report.build import build_report

    res = build_report(bfi, model=MODEL.read_text(), lang="fa", bootstrap=0, progress=False)
    html = res.html
    assert "گویه‌هایی که به نظر معکوس‌اند" in html
    assert f'<span dir="ltr">--reverse {KEYED}</span>' in html  # the option reads left to right in Persian
    assert res.results["reverse_suspects"]["extraversion"] == ["E1", "E2"]
