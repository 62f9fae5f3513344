"""Languages, digits and Persian glyphs in figures."""
import matplotlib.pyplot as plt
import pytest

import cem_edu as ce
from cem_edu import i18n


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
    i18n.register_fonts()
    tofu = _text_width("\ue000" * 5)  # private-use code points have no glyph anywhere: the box width
    persian = _text_width("رضایت")    # five Persian letters
    assert persian != pytest.approx(tofu, rel=0.05)
    # shaped text is narrower than the isolated letters laid side by side
    isolated = sum(_text_width(ch) for ch in "رضایت")
    assert persian < isolated


def test_vazirmatn_is_registered_with_matplotlib():
    from matplotlib import font_manager

    i18n.register_fonts()
    names = {f.name for f in font_manager.fontManager.ttflist}
    assert "Vazirmatn" in names
    path = font_manager.findfont(font_manager.FontProperties(family="Vazirmatn"))
    assert path.endswith("Vazirmatn-Regular.ttf")
