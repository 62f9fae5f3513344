"""The construct map of a questionnaire: experience clues → satisfaction → outcomes."""
from __future__ import annotations

import os
import textwrap

from ..i18n import get_language, numerals, t
from ..instrument.model import Instrument, load_instrument
from ..validation import check_type
from ._theme import PALETTE, prepare

__all__ = ["construct_map"]


def _box(ax, x, y, text, color, width=0.27, height=None, dashed=False):
    from matplotlib.patches import FancyBboxPatch

    if height is None:
        height = 0.045 + 0.045 * (text.count("\n") + 1)
    ax.add_patch(FancyBboxPatch((x - width / 2, y - height / 2), width, height,
                                boxstyle="round,pad=0.01,rounding_size=0.02", linewidth=1.6,
                                edgecolor=color, facecolor=color + "22", linestyle="--" if dashed else "-"))
    ax.text(x, y, text, ha="center", va="center", fontsize=9.5, linespacing=1.25)


def _arrow(ax, start, end, color="#555555", dashed=False, label=None):
    ax.annotate("", xy=end, xytext=start,
                arrowprops={"arrowstyle": "-|>", "color": color, "lw": 1.3,
                            "linestyle": "--" if dashed else "-", "shrinkA": 0, "shrinkB": 0})
    if label:
        ax.text((start[0] + end[0]) / 2, (start[1] + end[1]) / 2 + 0.03, label, ha="center", va="bottom",
                fontsize=8.5, color=color)


def construct_map(inst, ax=None, language: str | None = None, show_items: bool = True):
    """Draw the instrument's constructs as the CEM chain the questionnaire measures.

    Experience clues (functional, mechanic, humanic; Berry, Carbone & Haeckel 2002) lead
    to satisfaction, which leads to the behavioural outcomes (loyalty, word of mouth,
    purchase intent; Zeithaml, Berry & Parasuraman 1996). Expectations sit above the
    clues, joined by a dashed line: the expectation–experience gap (Meyer & Schwager 2007).
    Boxes show the construct name in the current language and its item ids; in Persian
    the chain reads right to left.

    Parameters
    ----------
    inst : Instrument, or the path of a questionnaire file
    ax : matplotlib Axes, optional
    language : "fa" or "en" (default: the current language)
    show_items : print the item ids under each name

    Returns
    -------
    matplotlib Axes
    """
    import matplotlib.pyplot as plt

    prepare()
    lang = language or get_language()
    if isinstance(inst, (str, os.PathLike)):
        inst = load_instrument(inst)
    check_type(inst, Instrument, what="construct_map(inst=...)", expected=t("check.expect.instrument", lang),
               language=lang)
    if ax is None:
        _, ax = plt.subplots(figsize=(11, 6.2))
    groups = inst.items_by_construct()
    experience = inst.constructs_by_role("experience")
    expectation = inst.constructs_by_role("expectation")
    mediator = inst.mediator if inst.mediator in groups else None
    outcomes = [c for c in inst.constructs_by_role("outcome") if c != mediator]
    mirror = lang == "fa"

    def X(x):  # noqa: N802 - a coordinate transform
        return 1 - x if mirror else x

    def label(cid):
        name = inst.construct(cid).name[lang]
        if len(name) > 26:   # break before a parenthesis, else at word boundaries
            name = name.replace(" (", "\n(", 1) if " (" in name else "\n".join(textwrap.wrap(name, 26))
        if not show_items:
            return name
        ids = groups[cid]
        shown = ", ".join(ids) if len(ids) <= 4 else f"{ids[0]} … {ids[-1]}"
        n = numerals(len(ids), lang)
        return f"{name}\n{shown}" if len(ids) <= 4 else f"{name}\n{shown} ({n})"

    def rows(n, top=0.72, bottom=0.12):
        if n == 1:
            return [(top + bottom) / 2]
        return [top - k * (top - bottom) / (n - 1) for k in range(n)]

    x_exp, x_mid, x_out = 0.15, 0.5, 0.85
    exp_y = rows(len(experience))
    for cid, y in zip(experience, exp_y):
        _box(ax, X(x_exp), y, label(cid), PALETTE.get(cid, "#4c72b0"))
    s = -1 if mirror else 1          # reading direction
    half = 0.135                     # half a box width

    if mediator:
        y_mid = rows(1)[0]
        _box(ax, X(x_mid), y_mid, label(mediator), PALETTE.get(mediator, "#e7298a"))
        for y in exp_y:
            _arrow(ax, (X(x_exp) + s * half, y), (X(x_mid) - s * half, y_mid))
        sources = [(X(x_mid) + s * half, y_mid)]
    else:
        sources = [(X(x_exp) + s * half, y) for y in exp_y]
    out_y = rows(len(outcomes))
    nps = inst.nps_item
    for cid, y in zip(outcomes, out_y):
        _box(ax, X(x_out), y, label(cid), PALETTE.get(cid, "#55a868"))
        for sx, sy in sources:
            _arrow(ax, (sx, sy), (X(x_out) - s * half, y))
    if nps:
        _box(ax, X(x_out), -0.02, t("instrument.plot.nps", language=lang), "#777777", dashed=True)
    if expectation:
        cid = expectation[0]
        y_top = 0.93
        _box(ax, X(x_exp), y_top, label(cid), PALETTE.get(cid, "#999999"), dashed=True)
        _arrow(ax, (X(x_exp), y_top - 0.07), (X(x_exp), exp_y[0] + 0.07), color="#777777", dashed=True)
        ax.text(X(x_exp) + s * 0.015, (y_top + exp_y[0]) / 2,
                t("instrument.plot.gap", language=lang), ha="right" if mirror else "left", va="center",
                fontsize=8.5, color="#555555")
    head_y = 1.04
    ax.text(X(x_exp), head_y, t("instrument.plot.experience", language=lang), ha="center", fontsize=10,
            weight="bold")
    if mediator:
        ax.text(X(x_mid), head_y, t("instrument.plot.evaluation", language=lang), ha="center", fontsize=10,
                weight="bold")
    ax.text(X(x_out), head_y, t("instrument.plot.outcomes", language=lang), ha="center", fontsize=10,
            weight="bold")
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.1, 1.1)
    ax.set_axis_off()
    ax.set_title(t("instrument.plot.title", language=lang, name=inst.title[lang]), fontsize=12)
    return ax
