"""Plots of items and factor analysis: they draw what the numbers say, in both languages."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import cem_edu as ce  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
HS = pd.read_csv(ROOT / "datasets" / "holzinger_swineford.csv")
SPEC = {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"], "speed": ["x7", "x8", "x9"]}


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")
    ce.set_language("en")


def test_likert_bars_sum_to_100_and_diverge():
    rng = np.random.default_rng(0)
    d = pd.DataFrame({"a": rng.integers(1, 6, 200), "b": rng.integers(1, 6, 200)})
    ax = ce.plots.likert(d, ["a", "b"])
    widths = {}
    for p in ax.patches:
        y = round(p.get_y() + p.get_height() / 2)
        widths.setdefault(y, []).append((p.get_x(), p.get_width()))
    for bars in widths.values():
        assert sum(w for _, w in bars) == pytest.approx(100)
        assert min(x for x, _ in bars) < 0 < max(x + w for x, w in bars)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b"][::-1] or \
        [t.get_text() for t in ax.get_yticklabels()] == ["a", "b"]


def test_likert_with_instrument_uses_item_text_in_persian():
    inst = ce.load_instrument()
    data = ce.clean(ce.load_dataset("cem_survey"), inst)
    ce.set_language("fa")
    ax = ce.plots.likert(data, inst.items_by_construct()["satisfaction"], instrument=inst)
    labels = " ".join(t.get_text() for t in ax.get_yticklabels())
    assert inst.item("SAT1").text["fa"][:10] in labels.replace("\n", " ")
    assert ax.get_title() == ce.t("plots.likert.title", language="fa")


def test_item_histograms_one_panel_per_item():
    axes = ce.plots.item_histograms(HS, ["x1", "x2", "x3"])
    visible = [a for a in np.ravel(axes) if a.get_visible()]
    assert [a.get_title() for a in visible] == ["x1", "x2", "x3"]


def test_scree_with_parallel_analysis_draws_observed_and_random():
    pa = ce.parallel_analysis(HS[[f"x{i}" for i in range(1, 10)]], n_iter=5, seed=1)
    ax = ce.plots.scree(pa)
    ys = [line.get_ydata() for line in ax.get_lines() if len(line.get_ydata()) == 9]
    np.testing.assert_allclose(ys[0], pa.table["pc"])
    assert len(ys) == 4


def test_htmt_heatmap_boxes_values_over_threshold():
    h = ce.htmt(HS, SPEC)
    ax = ce.plots.htmt_heatmap(h, threshold=0.45)
    boxed = [t.get_text() for t in ax.texts if t.get_bbox_patch() is not None]
    assert boxed == [f"{h.loc['speed', 'visual']:.2f}"]  # 0.47 is the only value >= .45


def test_loadings_heatmap_from_efa():
    res = ce.efa(HS[[f"x{i}" for i in range(1, 10)]], 3)
    ax = ce.plots.loadings(res, cut=0.5)
    assert len(ax.texts) == 27
    assert "oblimin" in ax.get_title()
