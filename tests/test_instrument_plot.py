"""cem_edu.plots.construct_map: the boxes, arrows and labels of the construct map."""
from __future__ import annotations

import matplotlib.pyplot as plt
import pytest
from matplotlib.patches import FancyBboxPatch

import cem_edu as ce
from cem_edu.instrument import load_instrument


@pytest.fixture(scope="module")
def inst():
    return load_instrument()


def _texts(ax):
    return [t.get_text() for t in ax.texts]


def test_construct_map_english(inst):
    fig, ax = plt.subplots()
    out = ce.plots.construct_map(inst, ax=ax)
    assert out is ax
    texts = _texts(ax)
    for name in ("Functional clues\nFUN1, FUN2, FUN3, FUN4", "Mechanic clues\n(environment and channels)\nMEC1, MEC2, MEC3, MEC4",
                 "Satisfaction\nSAT1, SAT2, SAT3, SAT4", "Expectations\nEXP1 … EXP6 (6)", "NPS: one item, 0–10",
                 "expectation–experience gap", "Experience clues", "Behavioural outcomes"):
        assert name in texts, name
    boxes = [p for p in ax.patches if isinstance(p, FancyBboxPatch)]
    assert len(boxes) == 9   # 3 clues + expectations + satisfaction + 3 outcomes + NPS
    arrows = [c for c in ax.get_children() if type(c).__name__ == "Annotation"]
    assert len(arrows) == 7  # 3 clues -> satisfaction -> 3 outcomes, expectations -> clues
    assert ax.get_title() == "Construct map — Bank Customer Experience Questionnaire"
    # English reads left to right: the clues are left of the outcomes
    x = {t.get_text().split("\n")[0]: t.get_position()[0] for t in ax.texts}
    assert x["Functional clues"] < x["Satisfaction"] < x["Loyalty"]
    plt.close(fig)


def test_construct_map_persian_reads_right_to_left(inst):
    ce.set_language("fa")
    ax = ce.plots.construct_map(inst)
    x = {t.get_text().split("\n")[0]: t.get_position()[0] for t in ax.texts}
    assert x["سرنخ‌های کارکردی"] > x["رضایت"] > x["وفاداری"]
    assert "EXP1 … EXP6 (۶)" in [t.get_text().split("\n")[-1] for t in ax.texts]
    assert ax.get_title() == "نقشهٔ سازه‌ها — پرسش‌نامهٔ تجربهٔ مشتری بانک"
    plt.close(ax.figure)
