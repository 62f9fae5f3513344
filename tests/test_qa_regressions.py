"""Regressions found by using the kit as its users do (QA pass): each test names the bug it pins."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import cem_edu as ce


def test_alpha_of_negatively_correlated_items_gives_nan_item_stats_not_a_crash():
    # five random class-survey answers: the summed item correlations are negative, and
    # psych::alpha returns r.cor = NaN where we used to raise "ValueError: math domain error"
    x = pd.DataFrame([[2, 4, 5, 7], [1, 5, 1, 7], [7, 3, 7, 3], [3, 7, 3, 6], [1, 7, 6, 5]],
                     columns=["MEC1", "MEC2", "MEC3", "MEC4"], dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = ce.alpha(x)
    # psych 2.2.9: alpha(x, check.keys=FALSE)
    assert res.alpha == pytest.approx(-3.030303, abs=1e-6)
    items = res.items
    assert items["r_cor"].isna().all()
    assert items["raw_r"].to_numpy() == pytest.approx([0.5993643, 0.0, 0.8410044, -0.7007649], abs=1e-6)
    assert items["r_drop"].to_numpy() == pytest.approx([-0.5001716, -0.6064784, -0.3249668, -0.8928416], abs=1e-6)


ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]


def test_cli_reliability_with_instrument_cleans_like_the_api(tmp_path, capsys):
    # `cem-edu reliability DATA --instrument Q.yaml` used to compute alpha on the raw file: reverse-keyed
    # items unrecoded (functional alpha 0.205 instead of 0.827), labels and out-of-range values unseen
    import json

    from cem_edu.cli import main

    out = tmp_path / "rel.json"
    assert main(["reliability", str(ROOT / "datasets" / "cem_survey.csv"), "--instrument",
                 str(ROOT / "questionnaire" / "cem.yaml"), "--json", str(out)]) == 0
    err = capsys.readouterr().err
    assert "600 rows read, 69 dropped, 531 kept" in err
    assert "FUN4, HUM3, LOY4" in err
    inst = ce.load_instrument()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = ce.reliability(ce.clean(ce.load_dataset("cem_survey"), inst), inst)
    got = json.loads(out.read_text())
    for construct in ref.index:
        assert got[construct]["alpha"] == pytest.approx(ref.loc[construct, "alpha"], abs=1e-12)
        assert got[construct]["omega"] == pytest.approx(ref.loc[construct, "omega"], abs=1e-12)
    assert got["functional"]["alpha"] == pytest.approx(0.827386, abs=1e-6)


def test_cli_reliability_with_instrument_maps_persian_labels(tmp_path, capsys):
    from cem_edu.cli import main

    raw = pd.read_csv(ROOT / "datasets" / "cem_survey.csv", dtype=str)
    labels = ce.load_instrument().scales["agree7"].labels["fa"]
    raw["SAT1"] = raw["SAT1"].map(lambda v: labels[int(v) - 1] if isinstance(v, str) and v.isdigit() else v)
    path = tmp_path / "labels.csv"
    raw.to_csv(path, index=False, encoding="utf-8-sig")
    assert main(["reliability", str(path), "--instrument", str(ROOT / "questionnaire" / "cem.yaml")]) == 0
    assert "531 kept" in capsys.readouterr().err


def test_cli_warnings_are_one_line_each(tmp_path, capsys):
    # warnings reached the terminal as "/…/bin/cem-edu:6: EstimationWarning: …" plus "  sys.exit(main())"
    from cem_edu.cli import main

    hs = pd.read_csv(ROOT / "datasets" / "holzinger_swineford.csv")
    hs.loc[:9, "x1"] = np.nan
    data = tmp_path / "hs.csv"
    hs.to_csv(data, index=False)
    model = tmp_path / "m.lav"
    model.write_text("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\n")
    assert main(["fit", str(model), str(data), "--quiet"]) == 0
    err = capsys.readouterr().err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert lines and all(ln.startswith("cem-edu: warning: ") for ln in lines), err
    assert any("listwise deletion dropped 10 of 301 rows" in ln for ln in lines)
    assert "sys.exit" not in err and "Warning:" not in err


def test_report_names_the_one_missing_item_column(tmp_path):
    # a file with every bundled item but FUN3 was told "the data do not have the bundled questionnaire's
    # item columns; give --instrument ..." — wrong and unhelpful; cleaning names the column
    raw = pd.read_csv(ROOT / "datasets" / "cem_survey.csv").drop(columns=["FUN3"])
    path = tmp_path / "no_fun3.csv"
    raw.to_csv(path, index=False)
    with pytest.raises(ce.DataError, match=r"column 'FUN3' of the instrument is missing from the data"):
        ce.report(str(path), out=tmp_path / "r.html", progress=False, bootstrap=0)
    unrelated = pd.read_csv(ROOT / "datasets" / "holzinger_swineford.csv")
    with pytest.raises(ce.DataError, match="give --instrument"):
        ce.report(unrelated, out=tmp_path / "r.html", progress=False, bootstrap=0)


def test_readme_tour_invariance_line_runs_on_the_bundled_data():
    # the README tour said ce.invariance(inst.model(structural=False), data, group="channel"), which stops
    # with "only 26 complete rows in group 'phone' for 28 model variables" on the bundled data
    import re

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = re.search(r"^ce\.invariance\(", text, re.M).start()
    depth, end = 0, start
    for end, ch in enumerate(text[start:], start):  # up to the matching parenthesis
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if ch == ")" and depth == 0:
            break
    call = text[start:end + 1]
    inst = ce.load_instrument()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = ce.clean(ce.load_dataset("cem_survey"), inst)
        res = eval(call, {"ce": ce, "inst": inst, "data": data})  # noqa: S307 - our own README
    table = res.table
    assert list(table.index) == ["configural", "metric", "scalar", "strict"]
    assert np.isfinite(table["chisq"]).all()


@pytest.mark.parametrize("lang", ["en", "fa"])
def test_heatmap_colour_bar_does_not_cover_the_row_labels(lang):
    # in the Persian report the HTMT colour bar sat on top of the row labels (moved to the right for RTL)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = ["functional", "mechanic", "humanic", "satisfaction", "loyalty", "word_of_mouth", "purchase_intent"]
    m = pd.DataFrame(np.eye(7) * 0.6 + 0.4, index=names, columns=names)
    ax = ce.plots.htmt_heatmap(m, language=lang)
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    bars = [a for a in fig.axes if a is not ax]
    assert len(bars) == 1
    bar = bars[0].get_tightbbox(renderer)
    for label in ax.get_yticklabels():
        box = label.get_window_extent(renderer)
        overlap = min(box.x1, bar.x1) - max(box.x0, bar.x0)
        assert overlap <= 0, f"colour bar covers the label {label.get_text()!r} ({lang})"
    plt.close(fig)


def test_persian_report_cx_tables_have_no_english_codes():
    # the fa report showed the IPMA quadrants ("Keep up the good work"), construct ids, the target
    # ("... برای loyalty") and the NPS channels ("app", "overall") in English
    from cem_edu.report import build_report

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = build_report(ce.load_dataset("cem_survey"), lang="fa", bootstrap=0, progress=False)
    cx = next(s for s in res.sections if s.id == "cx")
    html = "\n".join(str(b) for b in cx.blocks)
    ipma = html[html.index("اهمیت"):]
    for english in ("Keep up the good work", "Low priority", "Possible overkill", "Concentrate here",
                    ">satisfaction<", ">construct<", "برای loyalty"):
        assert english not in ipma, english
    assert "ادامه دهید" in ipma and "وفاداری" in ipma
    nps = html[: html.index("اهمیت")]
    assert ">app<" not in nps and ">overall<" not in nps and ">channel<" not in nps
    assert ">اپلیکیشن</td>" in nps and ">کل</td>" in nps


@pytest.mark.parametrize("lang", ["en", "fa"])
def test_ipma_map_labels_do_not_overlap(lang):
    # the bundled report's IPMA: three clues at similar importance and performance printed their names
    # on top of each other
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.text import Annotation, Text

    table = pd.DataFrame({"construct": ["satisfaction", "humanic", "functional", "mechanic"],
                          "importance": [0.715, 0.353, 0.246, 0.151],
                          "performance": [66.70, 65.00, 68.19, 66.71]})
    table.attrs["target"] = "loyalty"
    previous = ce.get_language()
    ce.set_language(lang)
    try:
        ax = ce.plots.ipma_map(table)
    finally:
        ce.set_language(previous)
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [Text.get_window_extent(a, renderer) for a in ax.texts if isinstance(a, Annotation)]
    assert len(boxes) == 4
    for i in range(4):
        for j in range(i + 1, 4):
            assert not boxes[i].overlaps(boxes[j]), (lang, i, j)
    plt.close(fig)


def test_persian_nps_and_action_plan_texts_use_persian_digits_only():
    # "NPS = -1.0 (فاصله اطمینان 95٪: -7.8 تا 5.9)؛ تعداد = ۵۱۵" and "(عملکرد فعلی 67 از ۱۰۰)": numbers
    # formatted before t() kept their Latin digits next to Persian ones
    import re

    res = pd.DataFrame({"construct": ["satisfaction", "humanic"], "importance": [0.7, 0.35],
                        "performance": [66.7, 65.0], "quadrant": ["Keep up the good work", "Low priority"]})
    res.attrs["target"] = "loyalty"
    scores = pd.Series([10, 9, 8, 7, 6, 3, 10, 0, 9, 5, 10, 2])
    previous = ce.get_language()
    ce.set_language("fa")
    try:
        head = str(ce.nps(scores)).splitlines()[0]
        html_head = ce.nps(scores)._repr_html_().split("</p>")[0]
        plan = ce.action_plan(res)
    finally:
        ce.set_language(previous)
    for text in [head, html_head, *plan["what"], *plan["evidence"], *plan["expected_impact"]]:
        assert not re.search(r"[0-9]", text), text
    assert "۶۷" in plan["what"].iloc[0]


def test_notebook_html_of_results_reads_right_to_left_in_persian():
    # CleanData, NPSResult, JourneyMap and InvarianceResult rendered Persian text in left-to-right HTML
    inst = ce.load_instrument()
    hs = pd.read_csv(ROOT / "datasets" / "holzinger_swineford.csv")
    previous = ce.get_language()
    out = {}
    try:
        for lang in ("en", "fa"):
            ce.set_language(lang)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                data = ce.clean(ce.load_dataset("cem_survey"), inst)
                objs = [data, ce.nps(data.data["NPS"], by=data.data["channel"]), ce.journey_map(data, inst),
                        ce.invariance("visual =~ x1 + x2 + x3", hs, group="school", levels=("configural", "metric"))]
            out[lang] = [o._repr_html_() for o in objs]
    finally:
        ce.set_language(previous)
    for h in out["fa"]:
        assert h.startswith("<div class='cem-edu-output fa' dir=\"rtl\">") and h.endswith("</div>"), h[:80]
    for h in out["en"]:
        assert h.startswith("<div class='cem-edu-output en'>") and "dir=" not in h[:60], h[:80]


def test_collect_csv_export_writes_whole_numbers():
    import pandas as pd

    from cem_edu.collect.server import _whole_numbers

    frame = pd.DataFrame({"FUN1": [3.0, None, 7.0], "spend": [1.5, 2.0, None], "channel": ["app", "web", "app"]})
    text = _whole_numbers(frame).to_csv(index=False)
    assert text.splitlines()[1:] == ["3,1.5,app", ",2.0,web", "7,,app"]


def test_bartlett_line_never_says_p_equals_zero():
    import pandas as pd

    import cem_edu as ce
    from conftest import ROOT

    d = pd.read_csv(ROOT / "datasets" / "holzinger_swineford.csv")[[f"x{i}" for i in range(1, 10)]]
    assert "p < 0.001 (n = 301)" in str(ce.bartlett(d))
    ce.set_language("fa")
    assert "p < ۰٫۰۰۱" in str(ce.bartlett(d))
