"""Issue #23: in a Persian notebook every table reads right to left with Persian headings and digits.

``ce.set_language("fa")`` installs an HTML formatter for DataFrames and ``CleanData`` in the Jupyter
kernel (``cem_edu.notebook.frame_html``); the frames themselves keep their (API) column names.
Tested without a browser: the formatter's HTML is checked directly, and through IPython's own
``DisplayFormatter`` in a stand-in kernel."""
from __future__ import annotations

import re

import pandas as pd
import pytest

import cem_edu as ce
from cem_edu import notebook
from cem_edu.i18n import to_persian_digits

LATIN_DIGIT_IN_NUMBER_CELL = re.compile(r'class="ltr num" dir="ltr">[^<]*[0-9]')


@pytest.fixture(scope="module")
def survey():
    inst = ce.load_instrument()
    return inst, ce.clean(ce.load_dataset("cem_survey"), inst)


def _headings(page: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<th[^>]*>(.*?)</th>", page, flags=re.S)]


def _check_rtl(page: str):
    assert page.startswith('<div dir="rtl" lang="fa" class="cem-edu-output fa">')
    assert 'class="ltr num" dir="ltr">' in page
    assert not LATIN_DIGIT_IN_NUMBER_CELL.search(page)


def test_reliability_table_in_persian(survey):
    inst, data = survey
    table = ce.reliability(data, inst)
    page = notebook.frame_html(table, "fa")
    _check_rtl(page)
    heads = _headings(page)
    for fa in ("سازه", "تعداد گویه", "آلفا (α)", "کران پایین آلفا", "کران بالای آلفا", "آلفای استاندارد",
               "امگا (ω)", "پایایی ترکیبی (CR)", "میانگین واریانس استخراج‌شده (AVE)"):
        assert fa in heads, fa
    for en in ("n_items", "alpha", "alpha_ci_lower", "alpha_std", "omega", "cr", "ave", "construct"):
        assert en not in heads, en
    alpha = table.loc["functional", "alpha"]
    assert f'>{to_persian_digits(f"{alpha:.3f}")}<' in page
    assert list(table.columns)[:3] == ["n_items", "n", "alpha"]  # the frame itself is unchanged


def test_describe_items_in_persian(survey):
    inst, data = survey
    page = notebook.frame_html(ce.describe_items(data, inst), "fa")
    _check_rtl(page)
    heads = _headings(page)
    for fa in ("گویه", "سازه", "٪ گمشده", "میانگین", "انحراف معیار", "چولگی", "کشیدگی", "همبستگی گویه با بقیه"):
        assert fa in heads, fa
    assert not {"item", "missing_pct", "mean", "sd", "item_rest_r"} & set(heads)
    assert '<span class="ltr" dir="ltr">FUN1</span>' in page  # item ids stay left to right


def test_list_datasets_in_persian():
    page = notebook.frame_html(ce.list_datasets(), "fa")
    _check_rtl(page)
    heads = _headings(page)
    assert {"نام", "توضیح", "مجوز", "منبع"} <= set(heads)
    assert not {"name", "description", "licence", "source"} & set(heads)
    assert ">۶۰۰<" in page  # cem_survey's n


def test_cleaning_log_in_persian(survey):
    _, data = survey
    page = notebook._clean_data_html(data)  # the language is en here: CleanData's own HTML
    assert page == data._repr_html_()
    ce.set_language("fa")
    page = notebook._clean_data_html(data)
    assert 'dir="rtl"' in page and page.count("<table") == 1
    heads = _headings(page)
    assert {"مرحله", "چه شد", "چرا", "ردیف‌ها", "n پیش", "n پس"} <= set(heads)
    assert not {"step", "what", "rows_affected", "n_before"} & set(heads)
    assert "<td>خواندن</td>" in page and "نشانه‌گذاری: پاسخ‌دهی شتاب‌زده" in page
    assert "flag:speeder" not in page and ">read<" not in page
    assert list(data.log.columns) == ["step", "what", "why", "rows_affected", "n_before", "n_after"]


def test_unknown_names_stay_and_english_is_pandas():
    frame = pd.DataFrame({"zz_custom": [1.5, -2.25], "mean": [3, 4]}, index=pd.Index(["a.xlsx", "b"], name="file"))
    page = notebook.frame_html(frame, "fa")
    heads = _headings(page)
    assert "zz_custom" in heads and "file" in heads and "میانگین" in heads
    assert '<span class="ltr num" dir="ltr">-۲٫۲۵۰</span>' in page
    assert '<span class="ltr" dir="ltr">a.xlsx</span>' in page
    assert notebook.frame_html(frame, "en") == frame._repr_html_()


def test_set_language_installs_and_removes_the_formatter(monkeypatch):
    import IPython
    import IPython.display
    from IPython.core.formatters import DisplayFormatter

    shell = type("ZMQInteractiveShell", (), {"display_formatter": DisplayFormatter()})()
    shown = []
    monkeypatch.setattr(IPython, "get_ipython", lambda: shell)
    monkeypatch.setattr(IPython.display, "display", lambda obj: shown.append(obj))
    html = shell.display_formatter.formatters["text/html"]
    frame = pd.DataFrame({"mean": [0.5]})
    mine = "<p>someone's own DataFrame HTML</p>"

    def own_printer(df):
        return mine

    html.for_type(pd.DataFrame, own_printer)  # someone's own formatter, put back afterwards
    ce.set_language("fa")
    page = html(frame)
    assert page.startswith('<div dir="rtl"') and "میانگین" in page and "۰٫۵۰۰" in page
    assert len(shown) == 1 and "cem-edu-rtl" in shown[0].data
    from cem_edu.intake import CleanData

    assert html.lookup_by_type(CleanData) is notebook._clean_data_printer
    ce.set_language("en")
    assert html(frame) == mine
    assert CleanData not in html.type_printers
    html.pop(pd.DataFrame)
    ce.set_language("fa")
    ce.set_language("en")
    assert 'dir="rtl"' not in html(frame) and "mean" in html(frame)


def test_in_a_real_kernel_persian_tables_then_english_again():
    """The whole path in a Jupyter kernel: ce.set_language("fa") -> style sheet + Persian tables;
    ce.set_language("en") -> pandas' own HTML again."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    cells = ['import cem_edu as ce\nce.set_language("fa")\ninst = ce.load_instrument()\n'
             'data = ce.clean(ce.load_dataset("cem_survey"), inst)\ndata',
             "ce.reliability(data, inst)",
             'ce.set_language("en")\nce.list_datasets()']
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    # rich outputs only (a warning printed on stderr is a stream output without HTML)
    html = [[o["data"]["text/html"] for o in c.outputs if "text/html" in o.get("data", {})] for c in nb.cells]
    assert html[0][0].startswith('<style id="cem-edu-rtl">')
    assert "۵۳۱ سطر ماند" in html[0][1] and "<th>مرحله</th>" in html[0][1]
    assert html[1][0].startswith('<div dir="rtl"') and "آلفا (α)" in html[1][0]
    assert html[2][0].startswith('<style id="cem-edu-rtl">')
    assert 'dir="rtl"' not in html[2][1] and "<th>licence</th>" in html[2][1]


def test_row_multiindex_names_are_translated_and_a_broken_table_falls_back(monkeypatch):
    frame = pd.DataFrame({"construct": ["a", "b"], "item": ["x", "y"], "mean": [1.0, 3.5]}).set_index(["construct", "item"])
    page = notebook.frame_html(frame, "fa")
    assert "<th>سازه / گویه</th>" in page and ">۳٫۵۰۰<" in page
    monkeypatch.setattr(notebook, "frame_html", lambda f: 1 / 0)
    with pytest.warns(UserWarning, match="could not draw this table in Persian"):
        assert notebook._frame_printer(frame) == frame._repr_html_()
