"""cem_edu.instrument: the bundled questionnaire, validation messages, scoring, model syntax, exports."""
from __future__ import annotations

import csv
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest

import cem_edu as ce
from cem_edu.errors import DataError, InstrumentError
from cem_edu.instrument import load_instrument, validate_instrument

DATA = Path(__file__).resolve().parent / "data"
BAD = DATA / "bad_instruments"
MINIMAL = DATA / "minimal_instrument.yaml"

# Each broken file and the exact message load_instrument must give (file:line: key path: what. fix.)
EXPECTED = {
    'attention_expected_out_of_range':
        "attention_expected_out_of_range.yaml:82: items[9].expected (item 'ATT1'): expected answer 9 of 'ATT1' is outside its scale 1..5. Use a code of the item's scale.",
    'attention_no_expected':
        "attention_no_expected.yaml:80: items[9] (item 'ATT1'): attention check 'ATT1' has no expected answer. Add 'expected: <code>', the one answer an attentive respondent gives (e.g. 6 = Agree on the 7-point scale).",
    'bad_item_id':
        "bad_item_id.yaml:73: items[7].id (item '2SAT'): '2SAT' is not a valid id. Ids start with a letter and contain only letters, digits and '_' (they become data column names).",
    'bad_reverse_type':
        "bad_reverse_type.yaml:78: items[8].reverse (item 'SAT3'): expected true or false, found 'sometimes'. Write true or false here.",
    'bad_stage':
        "bad_stage.yaml:64: items[3].stage (item 'FUN1'): stage 'purchse' is not a journey stage of this questionnaire. Did you mean 'purchase'? Use one of: decision, purchase, repurchase (the codes of the 'stage' field), or add the stage to that field's choices.",
    'bad_touchpoint':
        "bad_touchpoint.yaml:61: items[4].touchpoint (item 'FUN2'): touchpoint 'kiosk' is not a channel of this questionnaire. Use one of: branch, app, any (the codes of the 'channel' field), or add the channel to that field's choices.",
    'construct_on_nps':
        "construct_on_nps.yaml:86: items[10].construct (item 'NPS'): item 'NPS' (kind 'nps') must not belong to a construct. Remove 'construct'; NPS and attention-check items are single questions, not indicators.",
    'duplicate_item_id':
        "duplicate_item_id.yaml:76: items[8].id (item 'SAT2'): duplicate id 'SAT2' (first defined on line 73). Give each item and field a unique id; ids are the data column names.",
    'duplicate_yaml_key':
        "duplicate_yaml_key.yaml:72: items[6].construct (item 'SAT1'): duplicate key 'construct' (first on line 71). YAML keeps only the last one; remove one of them.",
    'empty_text':
        "empty_text.yaml:72: items[6].text.en (item 'SAT1'): the text is empty. Write the text, or remove the entry.",
    'expectation_unpaired':
        "expectation_unpaired.yaml:50: items[2] (item 'EXP3'): expectation item 'EXP3' is not paired with an experience item. Add 'pairs_with: <experience item id>' so the expectation–experience gap can be computed.",
    'missing_en_name':
        'missing_en_name.yaml:31: constructs[2].name (construct \'satisfaction\'): missing the English (en) translation of \'name\'. Add \'en: "..."\' under \'name\'; every text needs both fa and en.',
    'missing_fa_translation':
        'missing_fa_translation.yaml:63: items[4].text (item \'FUN2\'): missing the Persian (fa) translation of \'text\'. Add \'fa: "..."\' under \'text\'; every text needs both fa and en.',
    'pairs_with_outcome':
        "pairs_with_outcome.yaml:52: items[2].pairs_with (item 'EXP3'): 'EXP3' pairs with 'SAT1', which is not a Likert item of an experience construct. Pair each expectation with a functional, mechanic or humanic item.",
    'pairs_with_unknown':
        "pairs_with_unknown.yaml:48: items[1].pairs_with (item 'EXP2'): 'EXP2' pairs with unknown item 'FUN9'. Did you mean 'FUN3'? Use the id of an experience item of this file.",
    'reverse_on_nps':
        "reverse_on_nps.yaml:86: items[10].reverse (item 'NPS'): 'reverse' applies only to Likert items, and 'NPS' is of kind 'nps'. Remove 'reverse: true' from 'NPS'.",
    'scale_label_count':
        "scale_label_count.yaml:11: scales.agree5.labels.en: scale 'agree5' has 5 points (1..5) but 4 en labels. Give exactly one label per point, from min to max.",
    'scale_min_ge_max':
        "scale_min_ge_max.yaml:7: scales.agree5.min: scale 'agree5' has min 5 >= max 1. Make min smaller than max, e.g. min: 1, max: 7.",
    'too_few_items':
        "too_few_items.yaml:29: constructs[2] (construct 'satisfaction'): construct 'satisfaction' has 2 Likert items (SAT1, SAT2); a reflective construct needs at least 3 (4 recommended). Add items with 'construct: satisfaction', or remove the construct.",
    'two_problems':
        "two_problems.yaml: 2 problems\n  - two_problems.yaml:76: items[8].id (item 'SAT2'): duplicate id 'SAT2' (first defined on line 73). Give each item and field a unique id; ids are the data column names.\n  - two_problems.yaml:82: items[9].reverse (item 'ATT1'): 'reverse' applies only to Likert items, and 'ATT1' is of kind 'attention'. Remove 'reverse: true' from 'ATT1'.",
    'unknown_construct':
        "unknown_construct.yaml:74: items[7].construct (item 'SAT2'): item 'SAT2' refers to unknown construct 'satisfacton'. Did you mean 'satisfaction'? Use one of: functional, expectation, satisfaction, or add the construct under 'constructs'.",
    'unknown_key':
        "unknown_key.yaml:66: items[5].revers (item 'FUN3'): unknown key 'revers'. Did you mean 'reverse'? Allowed keys here: construct, expected, id, kind, pairs_with, required, reverse, scale, stage, text, touchpoint.",
    'unknown_scale':
        "unknown_scale.yaml:86: items[10].scale (item 'NPS'): unknown scale 'nps10'. Use one of the scales defined under 'scales': agree5, nps11.",
    'yaml_syntax':
        "yaml_syntax.yaml:60: not valid YAML (expected <block end>, but found '<block mapping start>'). Check the indentation and put text that contains ':' or '#' in quotes.",
}


@pytest.fixture(scope="module")
def inst():
    return load_instrument()


@pytest.fixture(scope="module")
def mini():
    return load_instrument(MINIMAL)


# --------------------------------------------------------------------------- the bundled questionnaire
def test_bundled_constructs_and_items(inst):
    assert inst.name == "cem_bank"
    assert inst.constructs == ["functional", "mechanic", "humanic", "expectation", "satisfaction", "loyalty",
                               "word_of_mouth", "purchase_intent"]
    groups = inst.items_by_construct()
    for cid, prefix in [("functional", "FUN"), ("mechanic", "MEC"), ("humanic", "HUM"), ("satisfaction", "SAT"),
                        ("loyalty", "LOY"), ("word_of_mouth", "WOM"), ("purchase_intent", "PI")]:
        assert groups[cid] == [f"{prefix}{k}" for k in range(1, 5)]
    assert groups["expectation"] == [f"EXP{k}" for k in range(1, 7)]
    assert inst.reverse_items == ["FUN4", "HUM3", "LOY4"]
    assert inst.nps_item == "NPS"
    assert inst.attention_check == ("ATT1", 6)
    assert inst.item("ATT1").scale.labels["en"][5] == "Agree"
    assert inst.item("ATT1").scale.labels["fa"][5] == "موافقم"
    assert inst.expectation_pairs == {"EXP1": "FUN1", "EXP2": "FUN3", "EXP3": "MEC1", "EXP4": "MEC2",
                                      "EXP5": "HUM1", "EXP6": "HUM2"}
    # at least two expectation pairs per experience dimension, so every gap exists
    per_dim = pd.Series([inst.item(e).construct for e in inst.expectation_pairs.values()]).value_counts()
    assert per_dim.to_dict() == {"functional": 2, "mechanic": 2, "humanic": 2}
    assert len(inst.likert_items) == 34 and "NPS" not in inst.likert_items and "ATT1" not in inst.likert_items
    assert inst.columns[:5] == ["segment", "channel", "stage", "spend", "duration_sec"]


def test_bundled_texts_roles_sources(inst):
    assert {inst.construct(c).role for c in ("functional", "mechanic", "humanic")} == {"experience"}
    assert inst.construct("expectation").role == "expectation"
    assert {inst.construct(c).role for c in ("satisfaction", "loyalty", "word_of_mouth", "purchase_intent")} == {
        "outcome"}
    cited = " ".join(inst.construct(c).source for c in inst.constructs)
    for ref in ("Brady & Cronin (2001)", "Parasuraman, Zeithaml & Berry (1988)", "Parasuraman, Zeithaml & Malhotra 2005",
                "Klaus & Maklan (2013)", "Zeithaml, Berry & Parasuraman (1996)", "Fornell", "Reichheld (2003)"):
        assert ref in cited, ref
    persian = re.compile("[\u0600-\u06FF]")
    for item in inst.items:
        assert persian.search(item.text["fa"]) and not persian.search(item.text["en"]), item.id
        assert item.scale.points == len(item.scale.labels["fa"]) == len(item.scale.labels["en"])
    scale = inst.item("FUN1").scale
    assert (scale.min, scale.max) == (1, 7)
    assert scale.labels["fa"][0] == "کاملاً مخالفم" and scale.labels["en"][-1] == "Strongly agree"
    assert (inst.item("NPS").scale.min, inst.item("NPS").scale.max, inst.item("NPS").kind) == (0, 10, "nps")
    experience = [i for i in inst.items if i.construct in ("functional", "mechanic", "humanic")]
    assert all(i.touchpoint in ("branch", "web", "app", "phone", "messaging", "any") and i.stage for i in experience)


def test_bundled_respondent_fields(inst):
    assert [f.id for f in inst.respondent_fields] == ["segment", "channel", "stage", "spend", "duration_sec"]
    assert list(inst.field("channel").choices) == ["branch", "web", "app", "phone", "messaging"]
    assert list(inst.field("stage").choices) == ["awareness", "interest", "decision", "evaluation", "purchase",
                                                 "repurchase"]
    assert list(inst.field("segment").choices) == ["individual", "business", "student"]
    assert inst.field("segment").choices["student"] == {"fa": "دانشجو", "en": "Student"}
    spend, duration = inst.field("spend"), inst.field("duration_sec")
    assert (spend.numeric, spend.required, spend.choices, spend.min) == (True, False, None, 0)
    assert (duration.numeric, duration.system) == (True, True)


def test_lookup_errors(inst):
    with pytest.raises(InstrumentError, match=r"unknown item 'FUN9'\. Did you mean 'FUN4'\?"):
        inst.item("FUN9")
    with pytest.raises(InstrumentError, match="unknown construct 'value'; the instrument has: functional, mechanic"):
        inst.construct("value")
    with pytest.raises(InstrumentError, match="questionnaire file 'nowhere.yaml' does not exist"):
        load_instrument("nowhere.yaml")


# --------------------------------------------------------------------------- validation messages
def test_corpus_is_complete():
    assert sorted(p.stem for p in BAD.glob("*.yaml")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_instrument_message(name):
    with pytest.raises(InstrumentError) as info:
        load_instrument(BAD / f"{name}.yaml")
    assert str(info.value) == EXPECTED[name]
    assert len(info.value.problems) == max(1, EXPECTED[name].count("\n  - "))


def test_error_message_in_persian():
    ce.set_language("fa")
    with pytest.raises(InstrumentError) as info:
        load_instrument(BAD / "reverse_on_nps.yaml")
    assert str(info.value) == ("reverse_on_nps.yaml:86: items[10].reverse (گویهٔ 'NPS'): 'reverse' فقط برای گویه‌های "
                               "لیکرت است و 'NPS' از نوع 'nps' است. 'reverse: true' را از 'NPS' حذف کنید.")


def test_each_missing_required_key_is_named_once(tmp_path):
    """jsonschema gives one "required" error per missing key; each names its own key (it named the first
    missing key five times before)."""
    bad = tmp_path / "q.yaml"
    bad.write_text("foo: 1\n", encoding="utf-8")
    with pytest.raises(InstrumentError) as info:
        load_instrument(bad)
    named = re.findall(r"the required key '(\w+)' is missing", str(info.value))
    assert sorted(named) == ["constructs", "items", "name", "scales", "title"]


def test_three_items_are_enough_without_error(mini):
    assert mini.items_by_construct()["satisfaction"] == ["SAT1", "SAT2", "SAT3"]


def test_validate_text_directly():
    text = MINIMAL.read_text(encoding="utf-8").replace("  - id: FUN2\n", "  - id: FUN1\n", 1)
    with pytest.raises(InstrumentError, match=r"^q\.yaml: 2 problems"):
        validate_instrument(text, "q.yaml")


# --------------------------------------------------------------------------- scoring
def test_score_reverse_keys_hand_computed(mini):
    # FUN3 and SAT3 are reverse-keyed on the 1..5 scale: x' = 1 + 5 - x
    df = pd.DataFrame({"FUN1": [5, 1, 3], "FUN2": [4, 2, None], "FUN3": [1, 5, 2],
                       "EXP1": [5, 5, 4], "EXP2": [4, 4, 4], "EXP3": [3, 5, 5],
                       "SAT1": [5, 2, 4], "SAT2": [4, 1, 4], "SAT3": [2, 4, 5]}, index=[10, 11, 12])
    scores = mini.score(df)
    assert list(scores.columns) == ["functional", "expectation", "satisfaction"]
    assert list(scores.index) == [10, 11, 12]
    # row 10: (5 + 4 + (6-1)) / 3 = 14/3; row 11: (1 + 2 + (6-5)) / 3 = 4/3; row 12: (3 + (6-2)) / 2 = 3.5
    assert scores["functional"].tolist() == pytest.approx([14 / 3, 4 / 3, 3.5], abs=1e-12)
    assert scores["expectation"].tolist() == pytest.approx([4.0, 14 / 3, 13 / 3], abs=1e-12)
    # row 10: (5 + 4 + 4)/3; row 11: (2 + 1 + 2)/3; row 12: (4 + 4 + 1)/3
    assert scores["satisfaction"].tolist() == pytest.approx([13 / 3, 5 / 3, 3.0], abs=1e-12)
    # min_items: row 12 has only 2 functional answers
    assert mini.score(df, constructs=["functional"], min_items=3)["functional"].isna().tolist() == [False, False, True]


def test_score_respects_reverse_recoded_flag(mini):
    df = pd.DataFrame({"FUN1": [5], "FUN2": [4], "FUN3": [5]})
    recoded = mini.recode(df)
    assert recoded.attrs["reverse_recoded"] == ("FUN3",) and "reverse_recoded" not in df.attrs
    assert recoded["FUN3"].iloc[0] == 1.0 and df["FUN3"].iloc[0] == 5          # the input is not modified
    assert mini.score(recoded, constructs=["functional"])["functional"].iloc[0] == pytest.approx(10 / 3)
    assert mini.score(df, constructs=["functional"])["functional"].iloc[0] == pytest.approx(10 / 3)
    pd.testing.assert_frame_equal(mini.recode(recoded), recoded)              # idempotent
    # the flag travels with row and column subsets of the frame
    assert mini.score(recoded[["FUN1", "FUN2", "FUN3"]].iloc[:1],
                      constructs=["functional"])["functional"].iloc[0] == pytest.approx(10 / 3)


def test_score_errors(mini):
    with pytest.raises(DataError, match=r"the data lack 3 item column\(s\) needed for scoring: SAT1, SAT2, SAT3"):
        mini.score(pd.DataFrame({"FUN1": [1], "FUN2": [1], "FUN3": [1], "EXP1": [1], "EXP2": [1], "EXP3": [1]}))
    with pytest.raises(DataError, match="score\\(\\) needs a pandas DataFrame or a CleanData, not list"):
        mini.score([1, 2])


# --------------------------------------------------------------------------- model syntax
MODEL = """\
# measurement model
functional =~ FUN1 + FUN2 + FUN3 + FUN4
mechanic =~ MEC1 + MEC2 + MEC3 + MEC4
humanic =~ HUM1 + HUM2 + HUM3 + HUM4
satisfaction =~ SAT1 + SAT2 + SAT3 + SAT4
loyalty =~ LOY1 + LOY2 + LOY3 + LOY4
word_of_mouth =~ WOM1 + WOM2 + WOM3 + WOM4
purchase_intent =~ PI1 + PI2 + PI3 + PI4
# structural model
satisfaction ~ a1*functional + a2*mechanic + a3*humanic
loyalty ~ b1*satisfaction
word_of_mouth ~ b2*satisfaction
purchase_intent ~ b3*satisfaction
# covariances of the experience clues
functional ~~ mechanic
functional ~~ humanic
mechanic ~~ humanic
# residual covariances of the outcomes
loyalty ~~ word_of_mouth
loyalty ~~ purchase_intent
word_of_mouth ~~ purchase_intent
# indirect effects
ind_fun_loy := a1*b1
ind_fun_wom := a1*b2
ind_fun_pi := a1*b3
ind_mec_loy := a2*b1
ind_mec_wom := a2*b2
ind_mec_pi := a2*b3
ind_hum_loy := a3*b1
ind_hum_wom := a3*b2
ind_hum_pi := a3*b3
"""


def test_model_syntax_exact(inst):
    assert inst.model() == MODEL


def test_model_variants(inst, mini):
    measurement = MODEL.split("# structural model")[0]
    assert inst.model(structural=False) == measurement
    assert inst.model(indirect=False) == MODEL.split("# indirect effects")[0]
    own = "satisfaction ~ functional + humanic\nloyalty ~ satisfaction + functional"
    assert inst.model(structural=own) == measurement + "# structural model\n" + own + "\n"
    assert mini.model() == ("# measurement model\nfunctional =~ FUN1 + FUN2 + FUN3\nsatisfaction =~ SAT1 + SAT2 + SAT3\n"
                            "# structural model\nsatisfaction ~ a1*functional\n")
    with pytest.raises(InstrumentError, match="the default structural model needs at least one experience"):
        inst.model(measurement=["satisfaction", "loyalty"])


# --------------------------------------------------------------------------- exports
def test_xlsform_converts_with_pyxform(inst, tmp_path):
    from openpyxl import load_workbook
    from pyxform.xls2xform import convert

    path = inst.export(tmp_path / "form.xlsx", format="xlsform")
    assert path == tmp_path / "form.xlsx"
    wb = load_workbook(path)
    assert wb.sheetnames == ["survey", "choices", "settings", "constructs", "metadata"]
    header = [c.value for c in wb["survey"][1]]
    assert header[:4] == ["type", "name", "label::Persian (fa)", "label::English (en)"]
    rows = {r[1]: r for r in wb["survey"].iter_rows(min_row=2, values_only=True) if r[1]}
    assert rows["FUN1"][0] == "select_one agree7" and rows["NPS"][0] == "select_one nps11"
    assert rows["FUN1"][2] == inst.item("FUN1").text["fa"] and rows["FUN1"][3] == inst.item("FUN1").text["en"]
    assert rows["spend"][0] == "decimal" and rows["segment"][0] == "select_one segment"

    result = convert(xlsform=str(path), validate=False)
    assert result.warnings == []
    root = ET.fromstring(result.xform)
    ns = {"h": "http://www.w3.org/1999/xhtml", "x": "http://www.w3.org/2002/xforms"}
    langs = [tr.get("lang") for tr in root.iter("{http://www.w3.org/2002/xforms}translation")]
    assert langs == ["Persian (fa)", "English (en)"]
    binds = {b.get("nodeset").rsplit("/", 1)[-1]: b for b in root.iter("{http://www.w3.org/2002/xforms}bind")}
    for column in inst.item_ids + ["segment", "channel", "stage", "spend"]:
        assert column in binds, column
    assert binds["spend"].get("constraint") == ". >= 0 and . <= 1000000" and binds["FUN1"].get("required") == "true()"
    texts = {t.get("id"): t for t in root.iter("{http://www.w3.org/2002/xforms}text")}
    fa = [tr for tr in root.iter("{http://www.w3.org/2002/xforms}translation") if tr.get("lang") == "Persian (fa)"][0]
    fa_values = {t.get("id"): t.find("x:value", ns).text for t in fa.findall("x:text", ns)}
    assert inst.item("HUM3").text["fa"] in fa_values.values()
    assert texts and root.find("h:head/h:title", ns).text == inst.title["fa"]


def test_html_is_rtl_for_persian_and_escapes(tmp_path):
    text = MINIMAL.read_text(encoding="utf-8").replace('en: "I am satisfied."', 'en: "I am <b>satisfied</b> & \\"fine\\""')
    src = tmp_path / "q.yaml"
    src.write_text(text, encoding="utf-8")
    inst = load_instrument(src)
    page = inst.export(tmp_path / "q.html", format="html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>\n<html lang=\"fa\" dir=\"rtl\">")
    assert '<section class="form" lang="fa" dir="rtl">' in page
    assert '<section class="form" lang="en" dir="ltr">' in page
    assert page.index('lang="fa" dir="rtl">') < page.index('lang="en" dir="ltr">')
    assert "I am &lt;b&gt;satisfied&lt;/b&gt; &amp; &#34;fine&#34;" in page
    assert "<b>satisfied" not in page
    assert 'src: url("data:font/woff2;base64,d09GMg' in page  # woff2 magic "wOF2"
    assert "کاملاً مخالفم" in page and "۵" in page   # Persian labels and digits
    en_only = inst.export(tmp_path / "en.html", format="html", language="en").read_text(encoding="utf-8")
    assert '<html lang="en" dir="ltr">' in en_only and 'dir="rtl"' not in en_only


def test_html_has_no_construct_names(inst, tmp_path):
    page = inst.export(tmp_path / "f.html", format="html").read_text(encoding="utf-8")
    assert "Humanic" not in page and "سرنخ‌های انسانی" not in page   # neutral "Part n" headings
    assert "Part 2" in page and "بخش ۲" in page


def test_codebook_csv_and_markdown(inst, tmp_path):
    path = inst.export(tmp_path / "cb.csv", format="codebook")
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["variable", "construct", "role", "kind", "text_fa", "text_en", "scale", "reverse",
                             "touchpoint", "stage", "pairs_with", "expected"]
    assert [r["variable"] for r in rows] == inst.columns
    fun4 = next(r for r in rows if r["variable"] == "FUN4")
    assert (fun4["construct"], fun4["reverse"], fun4["scale"], fun4["stage"]) == (
        "functional", "True", "1-7 (Strongly disagree … Strongly agree)", "repurchase")
    assert next(r for r in rows if r["variable"] == "EXP3")["pairs_with"] == "MEC1"
    assert next(r for r in rows if r["variable"] == "ATT1")["expected"] == "6"
    md = inst.export(tmp_path / "cb.md", format="codebook").read_text(encoding="utf-8")
    assert md.splitlines()[2].startswith("| variable | construct | role | kind | text_fa | text_en | scale |")
    assert sum(1 for line in md.splitlines() if line.startswith("| ")) == len(inst.columns) + 1


def test_json_round_trip(inst, tmp_path):
    path = inst.export(tmp_path / "form.json", format="json")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["name"] == "cem_bank" and data["form"]["system_fields"] == ["duration_sec"]
    pages = data["form"]["pages"]
    assert pages[0]["id"] == "respondent" and [q["id"] for q in pages[0]["questions"]] == ["segment", "channel", "stage"]
    asked = [q["id"] for p in pages for q in p["questions"]]
    assert asked == ["segment", "channel", "stage"] + inst.item_ids + ["spend"]
    nps = next(q for p in pages for q in p["questions"] if q["id"] == "NPS")
    assert [o["value"] for o in nps["options"]] == list(range(11))
    again = load_instrument(path)
    assert again == inst and again.to_dict() == inst.to_dict()
    assert again.model() == inst.model()


def test_export_defaults_and_errors(inst, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert inst.export(format="codebook") == tmp_path / "cem_bank_codebook.csv"
    assert inst.export(format="html") == tmp_path / "cem_bank.html"
    assert inst.export(tmp_path, format="json") == tmp_path / "cem_bank.json"
    with pytest.raises(InstrumentError, match="unknown export format 'pdf'; choose one of xlsform, html, codebook, json"):
        inst.export(format="pdf")


def test_cli_export_form(tmp_path, monkeypatch, capsys):
    from cem_edu.cli import main

    monkeypatch.chdir(tmp_path)
    assert main(["export-form", "--format", "xlsform"]) == 0
    assert (tmp_path / "cem_bank.xlsx").is_file()
    assert capsys.readouterr().out.strip() == f"xlsform written to {tmp_path / 'cem_bank.xlsx'}"
    assert main(["export-form", "--instrument", str(BAD / "unknown_scale.yaml"), "--format", "json"]) == 2
    assert capsys.readouterr().err.strip() == "cem-edu: error: " + EXPECTED["unknown_scale"]


def test_display(inst):
    assert repr(inst) == "Instrument(name='cem_bank', constructs=8, items=36, fields=5)"
    assert str(inst).splitlines()[3] == "mechanic         experience   MEC1, MEC2, MEC3, MEC4"
    assert '<div dir="ltr" lang="en">' in inst._repr_html_()
    ce.set_language("fa")
    assert '<div dir="rtl" lang="fa">' in inst._repr_html_() and "سرنخ‌های انسانی" in inst._repr_html_()


def test_unknown_construct_is_reported_once(tmp_path):
    # the misspelt construct of HUM1 must not also be reported through EXP5, which pairs with HUM1
    text = (ce.load_instrument().path.read_text(encoding="utf-8")
            .replace("construct: humanic", "construct: humanc", 1))
    (tmp_path / "my_bank.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(InstrumentError) as info:
        load_instrument(tmp_path / "my_bank.yaml")
    assert str(info.value) == (
        "my_bank.yaml:281: items[15].construct (item 'HUM1'): item 'HUM1' refers to unknown construct 'humanc'. "
        "Did you mean 'humanic'? Use one of: functional, mechanic, humanic, expectation, satisfaction, loyalty, "
        "word_of_mouth, purchase_intent, or add the construct under 'constructs'.")


@pytest.mark.parametrize("path", sorted((Path(ce.load_instrument().path).parent).rglob("*.yaml")),
                         ids=lambda p: p.name)
def test_every_bundled_questionnaire_is_valid(path):
    inst = load_instrument(path)
    assert inst.model() == MODEL          # adaptations keep the construct and item ids
    assert set(inst.likert_items) == set(load_instrument().likert_items)
    assert inst.attention_check == ("ATT1", 6) and inst.nps_item == "NPS"


def test_restaurant_adaptation_channels():
    inst = load_instrument(Path(ce.load_instrument().path).parent / "examples" / "restaurant.yaml")
    assert list(inst.field("channel").choices) == ["dine_in", "delivery", "takeaway", "phone", "app"]
    assert {i.touchpoint for i in inst.items if i.touchpoint} <= {"dine_in", "delivery", "takeaway", "phone", "app",
                                                                   "any"}


def test_persian_messages_keep_ids_ascii(tmp_path):
    ce.set_language("fa")
    with pytest.raises(InstrumentError) as info:
        load_instrument(BAD / "scale_label_count.yaml")
    assert str(info.value) == ("scale_label_count.yaml:11: scales.agree5.labels.en: مقیاس 'agree5' ۵ گزینه دارد "
                               "(۱ تا ۵) اما ۴ برچسب en. برای هر گزینه، از کمینه تا بیشینه، دقیقاً یک برچسب بنویسید.")
    with pytest.raises(InstrumentError, match="گویهٔ 'FUN9' وجود ندارد"):
        load_instrument().item("FUN9")
