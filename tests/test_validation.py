"""cem_edu.validation: the one column check at the boundary (scikit-learn's check_* style), its
messages in English and Persian, and the modules that call it instead of their own copies (#17)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from cem_edu import i18n
from cem_edu.errors import DataError, InstrumentError
from cem_edu.validation import (check_columns, check_group_column, describe_missing, missing_columns,
                                pair_suggestions, suggest)

ROOT = Path(__file__).resolve().parents[1]

HS = pd.DataFrame({c: [1.0, 2.0, 3.0] for c in ["x1", "x2", "x3", "x4", "school", "grade"]})


def test_present_columns_pass_and_come_back_as_a_list():
    assert check_columns(HS, ("x1", "x2")) == ["x1", "x2"]
    assert check_columns(HS, "x3") == ["x3"]          # one name as a string, not its letters
    assert check_columns(list(HS.columns), ["grade"]) == ["grade"]
    assert missing_columns(HS, ["x9", "x1", "x9", "q"]) == ["x9", "q"]   # order kept, each once


def test_missing_column_names_what_where_and_the_closest_columns():
    with pytest.raises(DataError) as e:
        check_columns(HS, ["x1", "xx3", "zzz"], what="key_drivers")
    assert str(e.value) == ("key_drivers: column(s) 'xx3' (did you mean x3), 'zzz' not found; the data has: "
                            "x1, x2, x3, x4, school, grade. Pass the right column name or rename the column in the data.")
    with pytest.raises(DataError) as e:
        check_columns(HS, ["xx3"], what="key_drivers", language="fa")
    assert str(e.value) == ("key_drivers: ستون(های) 'xx3' (منظورتان این است: x3) در داده پیدا نشد؛ ستون‌های "
                            "داده: x1, x2, x3, x4, school, grade. نام درست ستون را بدهید یا نام ستون را در داده تغییر دهید.")


def test_a_callers_message_key_its_fields_and_its_error_class():
    with pytest.raises(DataError, match=r"^model variable\(s\) not in the data: 'x_4' \(did you mean x4\);"):
        check_columns(HS, ["x1", "x_4"], key="sem.data.missing_columns")
    with pytest.raises(DataError, match=r"^construct 'visual': column\(s\) 'X1' \(did you mean x1\) are not in"):
        check_columns(HS, ["X1"], key="psy.missing_columns", construct="visual")
    with pytest.raises(InstrumentError, match=r"^the model's items 'q1' are not columns of the data"):
        check_columns(HS, ["q1"], key="sources.err.items_absent", error=InstrumentError)
    # the count is a number: Persian digits in fa; the names keep their Latin digits
    with pytest.raises(DataError) as e:
        check_columns(HS, ["SAT1", "SAT2"], key="instrument.err.score_missing", language="fa")
    assert str(e.value).startswith("۲ ستون گویه که برای نمره‌گذاری لازم است در داده نیست: SAT1, SAT2.")


def test_long_lists_are_cut_with_a_count():
    names = [f"q{i}" for i in range(1, 11)]
    assert describe_missing(names, HS, hints=False).endswith("'q8', … (+2)")
    assert describe_missing(names, HS, "fa", hints=False).endswith("'q8', … (+۲)")


def test_group_column():
    assert check_group_column(HS, None) is None
    assert check_group_column(HS, "school") == "school"
    with pytest.raises(DataError, match=r"^group column 'schol' is not in the data; columns like it: school\.$"):
        check_group_column(HS, "schol")
    with pytest.raises(DataError, match=r"columns like it: x1, x2, x3, x4, school, grade\.$"):
        check_group_column(HS, "qqqqqq")


def test_suggestions_ignore_case_and_separators_and_pair_each_column_once():
    assert suggest("FUN2", ["fun_2", "SAT1"]) == "fun_2"
    assert suggest("FUN2", ["abc"]) is None
    assert pair_suggestions(["FUN1", "FUN2"], ["fun_1", "X"]) == {"FUN1": "fun_1", "FUN2": None}


# ---------------------------------------------------------------- callers that had their own copy
def test_cx_message_is_in_persian_too():
    """Regression: cx.require_columns wrote English whatever the language."""
    from cem_edu.cx.nps import nps

    previous = i18n.get_language()
    i18n.set_language("fa")
    try:
        with pytest.raises(DataError) as e:
            nps(pd.DataFrame({"NPS": [9, 10, 3], "segment": ["a", "b", "a"]}), by="segmnt")
    finally:
        i18n.set_language(previous)
    assert str(e.value).startswith("nps(by=...): ستون(های) 'segmnt' (منظورتان این است: segment) در داده پیدا نشد")


def test_resolve_spec_and_collapse_categories_name_close_columns():
    """Regression: the psychometrics and ordinal checks named no close column."""
    from cem_edu.psychometrics.constructs import resolve_spec
    from cem_edu.sem.categorical import collapse_categories

    with pytest.raises(DataError, match=r"column\(s\) 'x_2' \(did you mean x2\) are not in the data"):
        resolve_spec({"visual": ["x1", "x_2"]}, HS)
    with pytest.raises(DataError, match=r"^group column 'grad' is not in the data; columns like it: grade\.$"):
        collapse_categories(HS, ["x1"], group="grad")


def test_plots_refuse_a_wrong_type_with_a_sentence(tmp_path):
    """A list as path_diagram's labels, a string as heatmap's matrix, a number as construct_map's
    instrument: a DataError that says what to pass (in the plot's language), not an AttributeError."""
    import matplotlib

    matplotlib.use("Agg")
    import cem_edu as ce

    hs = pd.read_csv(ROOT / "datasets" / "holzinger_swineford.csv")
    res = ce.fit("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6", hs)
    with pytest.raises(DataError, match=r"^path_diagram\(labels=\.\.\.\) expects a dict that maps each variable to its display name; got list\.$"):
        ce.plots.path_diagram(res, labels=["a"])
    with pytest.raises(DataError, match=r"^heatmap\(matrix=\.\.\.\) expects a DataFrame .*; got 'abc'\.$"):
        ce.plots.heatmap("abc")
    with pytest.raises(DataError, match="می‌خواهد؛ 'abc' داده شد"):
        ce.plots.heatmap("abc", language="fa")
    with pytest.raises(DataError, match=r"construct_map\(inst=\.\.\.\) expects an Instrument"):
        ce.plots.construct_map(3)
    ax = ce.plots.construct_map(ROOT / "questionnaire" / "cem.yaml")   # a path is read as the questionnaire
    assert ax.texts
