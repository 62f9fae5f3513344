"""Error messages of the analysis engine (sem/, pls/, plots/, psychometrics/, i18n) in Persian and English.

Representative calls with bad input: in Persian the message is Persian (no English sentence left),
in English it is the text the kit always gave. The rule itself (no literal message in a raise of
CemError/DataError/ModelError/InstrumentError) is checked over the whole package by
tests/test_messages_i18n.py.
"""
from __future__ import annotations

import re
import warnings

import matplotlib
import pytest

import cem_edu as ce
from cem_edu import i18n
from cem_edu.errors import CemError, DataError, ModelError
from cem_edu.sem.invariance import chen_rule

matplotlib.use("Agg")

PERSIAN = re.compile("[\u0600-\u06FF]")


def _persian(text: str) -> bool:
    """Persian words, and no English sentence: no run of three Latin words outside quotes/code."""
    bare = re.sub(r"'[^']*'|\"[^\"]*\"|\([^)]*=[^)]*\)|[A-Za-z_]+\([^)]*\)", "", text)
    return bool(PERSIAN.search(text)) and not re.search(r"[A-Za-z]{2,} [A-Za-z]{2,} [A-Za-z]{2,}", bare)


@pytest.fixture(autouse=True)
def _english_after():
    yield
    i18n.set_language("en")


@pytest.fixture(scope="module")
def bundled():
    inst = ce.load_instrument()
    return inst, ce.clean(ce.load_dataset("cem_survey"), inst)


@pytest.mark.parametrize("kwargs, en", [
    ({"group_sizes": [0, 5]}, "group sizes must be positive counts, got [0, 5]"),
    ({"group_sizes": [3, 5], "balance": 1.5}, "balance must be in (0, 1], got 1.5: it is the smallest group's "
     "size as a share of the largest's below which groups count as unequal"),
    ({"group_sizes": [3, 5], "rule": "medium"}, "unknown invariance rule 'medium'; use rule='auto', 'large' or "
     "'small' (Chen 2007)"),
])
def test_invariance_rule_errors_in_both_languages(kwargs, en):
    with pytest.raises(ModelError) as err:
        chen_rule(**kwargs)
    assert str(err.value) == en
    i18n.set_language("fa")
    with pytest.raises(ModelError) as err:
        chen_rule(**kwargs)
    assert _persian(str(err.value)), str(err.value)


def test_invariance_bad_sizes_in_persian_digits():
    i18n.set_language("fa")
    with pytest.raises(ModelError, match=r"\[۰, ۵\]"):
        chen_rule([0, 5])


def test_invariance_refuses_a_bad_rule_before_fitting_in_persian():
    i18n.set_language("fa")
    with pytest.raises(ModelError, match="قاعدهٔ هم‌ارزی ناشناخته 'medium'"):
        ce.invariance("f =~ a + b + c", None, group="g", rule="medium")


def test_unknown_language_in_the_current_language():
    i18n.set_language("fa")
    with pytest.raises(CemError) as err:
        ce.set_language("de")
    assert str(err.value) == "زبان 'de' شناخته نیست؛ یکی از en, fa را انتخاب کنید"
    assert i18n.get_language() == "fa"


def test_pls_ipma_of_an_exogenous_target(bundled):
    inst, data = bundled
    res = ce.pls(inst.model(), data, progress=False)
    ranges = {it: (1, 7) for items in res.spec.blocks.values() for it in items}
    with pytest.raises(ModelError, match="^no construct has an effect on 'functional'$"):
        res.ipma_inputs("functional", ranges)
    i18n.set_language("fa")
    with pytest.raises(ModelError) as err:
        ce.ipma(res, data, target="functional", inst=inst)
    assert str(err.value) == "هیچ سازه‌ای بر 'functional' اثر ندارد"


def test_ordinal_empty_category_in_a_group_is_still_a_data_error_in_persian():
    from pathlib import Path

    import pandas as pd

    ref = Path(__file__).parent / "reference" / "sem_ordinal"
    data = pd.read_csv(ref / "hs_ordinal.csv")
    data.loc[(data["school"] == "Pasteur") & (data["x1"] == 3), "x1"] = 2   # nobody in Pasteur chose 3
    i18n.set_language("fa")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(DataError) as err:
            ce.fit((ref / "hs_three.lav").read_text(), data, ordered=True, group="school")
    msg = str(err.value)
    assert "x1" in msg and "Pasteur" in msg and _persian(msg), msg


def test_plots_wrong_arguments_in_persian(bundled):
    from cem_edu import plots

    _, data = bundled
    items = ["FUN1", "FUN2", "FUN3", "FUN4", "MEC1", "MEC2"]
    pa = ce.parallel_analysis(data.data[items], seed=1, n_iter=5)
    with pytest.raises(DataError, match=r"^scree\(show='all'\): show must be \"both\", \"pc\" \(components\) "
                                        r"or \"fa\" \(factors\)$"):
        plots.scree(pa, show="all", language="en")
    with pytest.raises(DataError) as err:
        plots.scree(pa, show="all", language="fa")
    assert _persian(str(err.value)), str(err.value)
    with pytest.raises(DataError) as err:             # a parallel analysis is not a loadings table
        plots.loadings(pa, language="fa")
    assert _persian(str(err.value)) and "ParallelResult" in str(err.value)
    with pytest.raises(DataError) as err:             # the language reaches the column check
        plots.likert(data, items=["FUN1", "NOPE"], language="fa")
    assert "'NOPE'" in str(err.value) and _persian(str(err.value)), str(err.value)
    with pytest.raises(DataError, match="'NOPE' are not in the data"):
        plots.item_histograms(data, items=["FUN1", "NOPE"], language="en")


def test_thesis_tests_say_bad_input_in_their_language():
    """The language= of one_sample_t / normality / correlation_table reaches their input checks
    (the current language stays English)."""
    import pandas as pd

    d = pd.DataFrame({"a": [1, 2, 3, 4.0], "b": [2, 3, 1, 4.0], "c": ["x", "y", "z", "w"]})
    calls = [
        (lambda lang: ce.one_sample_t(d, {"A": ["a", "b"]}, language=lang), "midpoint of the answer scale"),
        (lambda lang: ce.one_sample_t(d, {"A": ["a", "c"]}, midpoint=3, language=lang), "not numeric"),
        (lambda lang: ce.normality(d, ["a", "c"], language=lang), "not numeric"),
        (lambda lang: ce.normality(d, ["a", "nope"], language=lang), "'nope' are not in the data"),
        (lambda lang: ce.correlation_table(d, {"A": ["a", "b"]}, language=lang), "two constructs"),
    ]
    for call, en in calls:
        with pytest.raises(DataError, match=en):
            call("en")
        with pytest.raises(DataError) as err:
            call("fa")
        assert _persian(str(err.value)), str(err.value)


def test_intake_findings_and_dataset_hint_in_persian(bundled):
    import pandas as pd

    from cem_edu.intake import check_values

    inst, _ = bundled
    raw = pd.read_csv(ce.dataset_path("cem_survey"), dtype=str)
    raw.loc[[2, 8], "FUN2"] = "8"
    _, found = check_values(raw, inst, out_of_range="missing", language="en")
    assert [f.what for f in found if f.column == "FUN2"] == ["values outside 1–7 set to missing"]
    _, found = check_values(raw, inst, out_of_range="missing", language="fa")
    assert [f.what for f in found if f.column == "FUN2"] == ["مقادیر بیرون از ۱ تا ۷ گمشده شدند"]
    i18n.set_language("fa")
    with pytest.raises(DataError, match=r"^مجموعه‌دادهٔ 'cem_survy' شناخته نیست \(آیا منظور 'cem_survey' است؟\)؛"):
        ce.load_dataset("cem_survy")


def test_list_datasets_describes_in_the_given_language():
    en = ce.list_datasets()
    assert en.loc[en["name"] == "holzinger_swineford", "description"].item() == \
        "Mental ability tests of 7th/8th graders in two schools (9 tests, 3 factors)"
    fa = ce.list_datasets("fa")
    assert fa["name"].tolist() == en["name"].tolist()
    assert fa.loc[fa["name"] == "holzinger_swineford", "description"].item() == \
        "آزمون‌های توانایی ذهنی دانش‌آموزان پایهٔ هفتم و هشتم در دو مدرسه (۹ آزمون، ۳ عامل)"
    assert all(PERSIAN.search(d) for d in fa["description"])
    i18n.set_language("fa")
    assert ce.list_datasets()["description"].tolist() == fa["description"].tolist()


def test_reading_a_bad_file_says_so_in_the_given_language(tmp_path, bundled):
    from cem_edu.intake import read_data

    inst, _ = bundled
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("a,b\n1,2\n3,4,5\n", encoding="utf-8")
    dup = tmp_path / "dup.csv"
    dup.write_text("a,b,a\n1,2,3\n", encoding="utf-8")
    for path in (tmp_path / "nope.csv", ragged, dup):
        with pytest.raises(DataError) as en:
            read_data(path)
        with pytest.raises(DataError) as fa:
            read_data(path, language="fa")
        assert not PERSIAN.search(str(en.value)) and _persian(str(fa.value)), (str(en.value), str(fa.value))
        with pytest.raises(DataError) as via_clean:
            ce.clean(path, inst, language="fa")
        assert str(via_clean.value) == str(fa.value)
    other = tmp_path / "other.csv"
    other.write_text("q1,q2\n1,2\n", encoding="utf-8")
    with pytest.raises(DataError) as err:                  # no column matches the instrument's items
        read_data(other, inst, language="fa")
    assert _persian(str(err.value)), str(err.value)


def test_progress_bar_label_in_the_current_language(capsys, bundled):
    _, data = bundled
    items = ["FUN1", "FUN2", "FUN3", "FUN4"]
    i18n.set_language("fa")
    ce.parallel_analysis(data.data[items], seed=1, n_iter=3, progress=True)
    assert "تحلیل موازی" in capsys.readouterr().err


def test_path_diagram_of_a_group_the_model_does_not_have():
    """group=5 of a two-group model drew an empty figure; now it is a clear error."""
    from cem_edu import plots

    hs = ce.load_dataset("holzinger_swineford")
    res = ce.fit("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6", hs, group="school")
    with pytest.raises(DataError, match=r"^path_diagram\(group=5\): no such group; the model has 2 group\(s\), "
                                        r"numbered from 1 to 2$"):
        plots.path_diagram(res, group=5, language="en")
    with pytest.raises(DataError) as err:
        plots.path_diagram(res, group="Pasteur", language="fa")
    assert str(err.value) == ("path_diagram(group='Pasteur'): چنین گروهی نیست؛ مدل ۲ گروه دارد که از ۱ تا ۲ "
                              "شماره‌گذاری شده‌اند")
    assert plots.path_diagram(res, group=2, language="fa") is not None


def test_cx_figures_name_a_missing_column_in_the_figure_language(bundled):
    from cem_edu import plots

    inst, data = bundled
    gaps = ce.gap(data, inst)
    with pytest.raises(DataError, match=r"^gap_plot\(label_column=\.\.\.\): column\(s\) 'nope'"):
        plots.gap_plot(gaps, label_column="nope", language="en")
    with pytest.raises(DataError) as err:
        plots.gap_plot(gaps, label_column="nope", language="fa")
    assert str(err.value).startswith("gap_plot(label_column=...): ستون(های) 'nope' در داده پیدا نشد")
    with pytest.raises(DataError) as err:
        plots.funnel(data, stage="NOPE", language="fa")
    assert str(err.value).startswith("funnel(stage=...): ستون(های) 'NOPE' در داده پیدا نشد")
