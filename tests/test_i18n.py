"""Languages, digits and Persian glyphs in figures."""
import matplotlib.pyplot as plt
import pytest

import cem_edu as ce
from cem_edu import i18n
from cem_edu.plots import register_fonts


def test_set_language_switches_catalogue():
    assert ce.t("construct") == "Construct"
    ce.set_language("fa")
    assert ce.get_language() == "fa"
    assert ce.t("construct") == "سازه"


def test_unknown_language_is_a_clear_error():
    with pytest.raises(ce.CemError, match="unknown language 'de'; choose one of en, fa"):
        ce.set_language("de")


def test_missing_key_is_returned_as_is():
    assert ce.t("no_such_key_xyz") == "no_such_key_xyz"


def test_digit_conversions():
    assert i18n.to_ascii_digits("۱۲٫۵ و ٣٤") == "12٫5 و 34"
    assert i18n.to_persian_digits(3.25) == "۳٫۲۵"
    assert i18n.format_number(0.8123, 2, language="fa") == "۰٫۸۱"
    assert i18n.format_number(0.8123, 2, language="en") == "0.81"


def _text_width(text: str) -> float:
    fig = plt.figure()
    try:
        artist = fig.text(0, 0, text, fontsize=20)
        fig.canvas.draw()
        return artist.get_window_extent().width
    finally:
        plt.close(fig)


def test_persian_title_renders_with_real_glyphs_not_tofu():
    register_fonts()
    tofu = _text_width("\ue000" * 5)  # private-use code points have no glyph anywhere: the box width
    persian = _text_width("رضایت")    # five Persian letters
    assert persian != pytest.approx(tofu, rel=0.05)
    # shaped text is narrower than the isolated letters laid side by side
    isolated = sum(_text_width(ch) for ch in "رضایت")
    assert persian < isolated


def test_vazirmatn_is_registered_with_matplotlib():
    from matplotlib import font_manager

    register_fonts()
    names = {f.name for f in font_manager.fontManager.ttflist}
    assert "Vazirmatn" in names
    path = font_manager.findfont(font_manager.FontProperties(family="Vazirmatn"))
    assert path.endswith("Vazirmatn-Regular.ttf")


def test_i18n_imports_neither_matplotlib_nor_ipython():
    """Issue #17: the lowest layer does not reach into the plotting or the notebook layer."""
    import subprocess
    import sys

    code = ("import sys, cem_edu.i18n as i; i.set_language('fa'); assert i.t('construct') == 'سازه';"
            "print(sorted(m for m in ('matplotlib', 'IPython', 'pandas', 'cem_edu.plots', 'cem_edu.notebook')"
            " if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    # and `import cem_edu` stays light: ce.set_language is loaded on first use
    code = "import sys, cem_edu; print(sorted(m for m in ('matplotlib', 'IPython', 'pandas') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_i18n_set_language_leaves_matplotlib_alone_ce_set_language_registers_the_font():
    import matplotlib

    from cem_edu import notebook

    register_fonts.cache_clear()  # as in a fresh kernel: the font not registered yet
    with matplotlib.rc_context({"font.sans-serif": ["DejaVu Sans"]}):
        before = dict(matplotlib.rcParams)
        assert i18n.set_language("fa") == "fa" and i18n.get_language() == "fa"
        assert dict(matplotlib.rcParams) == before
        assert not hasattr(i18n, "register_fonts") and not hasattr(i18n, "RTL_CSS")
        # the notebook's switch (ce.set_language) does the plotting part
        assert ce.set_language is notebook.set_language
        assert ce.set_language("fa") == "fa"
        assert matplotlib.rcParams["font.sans-serif"] == ["DejaVu Sans", "Vazirmatn"]
    register_fonts.cache_clear()
