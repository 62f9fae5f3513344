"""CX figures: each returns its Axes, draws what it should, and speaks Persian when asked."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import cem_edu as ce  # noqa: E402
from cem_edu import cx  # noqa: E402


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _texts(ax):
    return [t.get_text() for t in ax.texts]


@pytest.mark.parametrize("lang", ["en", "fa"])
def test_nps_bar_draws_three_classes_per_segment(lang):
    ce.set_language(lang)
    r = cx.nps([10, 9, 3, 7, 8, 0], by=["a", "a", "a", "b", "b", "b"])
    ax = ce.plots.nps_bar(r)
    assert len(ax.patches) == 3 * 3  # a, b, overall
    widths = sorted(round(p.get_width(), 6) for p in ax.patches)
    assert widths[-1] == pytest.approx(100 * 2 / 3)
    if lang == "en":
        assert "NPS 33" in " ".join(_texts(ax))
    else:
        assert ax.get_title() == "شاخص خالص ترویج‌کنندگان به تفکیک بخش"
        assert any("۳۳" in s for s in _texts(ax))


def test_gap_plot_colours_confirmed_shortfalls_red():
    g = pd.DataFrame({"group": ["FUN1", "MEC1"], "gap": [-1.0, 0.2], "ci_lower": [-1.5, -0.1],
                      "ci_upper": [-0.5, 0.5]})
    ax = ce.plots.gap_plot(g)
    colors = ax.collections[-1].get_facecolors()
    # rows are drawn bottom-up: MEC1 first (neutral), FUN1 second (red)
    assert tuple(np.round(colors[1][:3], 3)) == tuple(np.round(matplotlib.colors.to_rgb("#d7191c"), 3))
    assert [t.get_text() for t in ax.get_yticklabels()] == ["MEC1", "FUN1"]


@pytest.mark.parametrize("lang", ["en", "fa"])
def test_journey_heatmap_grid_and_labels(lang):
    ce.set_language(lang)
    d = pd.DataFrame({"stage": ["purchase", "decision", "purchase"], "channel": ["app", "branch", "app"],
                      "s": [4.0, 5.0, 6.0]})
    jm = cx.journey_map(d, experience="s", target=6)
    ax = ce.plots.journey_heatmap(jm)
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert len(labels) == 6 and len(ax.get_yticklabels()) == 5
    assert (labels[0] == "Awareness") if lang == "en" else ("آگاهی" in labels)
    annotations = " ".join(_texts(ax))
    assert ("-1.00" in annotations and "n=2" in annotations) if lang == "en" else "۱٫۰۰" in annotations


def test_funnel_from_responses_and_table():
    s = pd.DataFrame({"stage": ["awareness", "purchase", "purchase", "repurchase"]})
    ax = ce.plots.funnel(s)
    widths = [p.get_width() for p in ax.patches]
    assert widths == [4, 3, 3, 3, 3, 1]
    ax2 = ce.plots.funnel(cx.funnel_table(s))
    assert [p.get_width() for p in ax2.patches] == widths


def test_rating_matrix_bubbles_and_threshold_lines():
    h = cx.hitouch_example()
    m = cx.rating_matrix(h["revenue"], h["satisfaction"], h["forecast"], revenue_threshold=10,
                         satisfaction_threshold=50)
    ax = ce.plots.rating_matrix(m, units="M$")
    sizes = np.concatenate([c.get_sizes() for c in ax.collections])
    assert len(sizes) == 12 and sizes.max() == pytest.approx(40 + 1500)
    hlines = [ln.get_ydata()[0] for ln in ax.lines]
    assert 10 in hlines
    assert {"Model", "At risk", "Growth", "Dangling"} <= set(_texts(ax))
    ce.set_language("fa")
    ax = ce.plots.rating_matrix(m)
    assert "در معرض خطر" in _texts(ax)


def test_ipma_map_axes():
    tab = cx.ipma_table({"functional": 0.4, "humanic": 0.2}, {"functional": 40, "humanic": 80})
    tab.attrs["target"] = "loyalty"
    ax = ce.plots.ipma_map(tab)
    assert ax.get_ylim() == (0, 100)
    assert "Loyalty" in ax.get_title()
    assert {"Functional clues", "Humanic clues"} <= set(_texts(ax))


def test_persian_tables_show_persian_values_not_english_keys():
    # issue #22: «سازه: humanic», «ربع: Concentrate here» in Persian tables
    import pandas as pd

    import cem_edu as ce
    from cem_edu import cx

    frame = pd.DataFrame({"construct": ["humanic", "satisfaction"], "quadrant": ["Concentrate here", "At risk"],
                          "stage": ["repurchase", "awareness"], "channel": ["branch", "app"],
                          "segment": ["business", "student"], "importance": [0.4, 0.7]})
    ce.set_language("fa")
    try:
        fa = cx.translate_columns(frame)
    finally:
        ce.set_language("en")
    assert list(fa.columns[:2]) == ["سازه", "ربع"]
    assert fa.iloc[0].tolist()[:5] == ["سرنخ‌های انسانی", "تمرکز کنید", "خرید دوباره", "شعبه (حضوری)", "مشتری حقوقی"]
    assert fa.iloc[1, 1] == "در معرض خطر" and fa.iloc[0, 5] == 0.4
    en = cx.translate_columns(frame)
    assert en.iloc[0].tolist()[:2] == ["humanic", "Concentrate here"]     # English keeps the data's values
