"""PLS path diagram as SmartPLS draws it: constructs as circles with R² inside, indicators as boxes,
outer loadings on the arrows to reflective indicators (mode A) and outer weights on the arrows
from formative indicators (mode B), path coefficients between constructs (with the bootstrap
p-value in parentheses when the model was bootstrapped; dashed when p ≥ .05). Constructs are
laid out in layers from exogenous (left) to endogenous (right), mirrored for Persian.
"""
from __future__ import annotations

import numpy as np

from ..i18n import get_language, numerals, t
from ._theme import PALETTE, prepare
from .path import _layers

__all__ = ["pls_path_diagram"]


def pls_path_diagram(result, ax=None, *, labels: dict | None = None, language: str | None = None,
                     decimals: int = 3):
    """Draw the PLS path diagram of a :class:`~cem_edu.pls.result.PLSResult`; returns the Axes.

    Parameters
    ----------
    result : ``ce.pls(...)`` result.
    labels : optional display names {construct or item: text} (e.g. Persian construct names).
    language : "fa" or "en" (default: the kit's language); Persian mirrors the layout and
        writes Persian digits.
    decimals : digits of the numbers on the arrows.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

    prepare()
    lang = language or get_language()
    labels = labels or {}
    spec = result.spec
    names = spec.constructs
    layer = _layers(names, list(spec.paths))
    nlayers = max(layer.values()) + 1
    by_layer: dict = {}
    for c in names:
        by_layer.setdefault(layer[c], []).append(c)
    xsp, ysp = 4.6, 3.6
    pos = {}
    for k, cs in by_layer.items():
        outer = k == 0 or k == nlayers - 1
        heights = [max(ysp, 0.75 * len(spec.blocks[c]) + 0.9) if outer else ysp for c in cs]
        top = sum(heights) / 2
        for c, h in zip(cs, heights):
            pos[c] = (k * xsp, top - h / 2)
            top -= h
    ind_pos = {}
    for c in names:
        items = spec.blocks[c]
        cx, cy = pos[c]
        k = layer[c]
        for i, it in enumerate(items):
            off = ((len(items) - 1) / 2 - i) * 0.75
            if k == 0:
                ind_pos[it] = (cx - 2.7, cy + off)
            elif k == nlayers - 1:
                ind_pos[it] = (cx + 2.7, cy + off)
            else:
                ind_pos[it] = (cx - off * 1.4, cy + (1.9 if cy >= 0 else -1.9))
    allpos = {**pos, **ind_pos}
    if lang == "fa":
        allpos = {v: (-x, y) for v, (x, y) in allpos.items()}
    if ax is None:
        xs = [p[0] for p in allpos.values()]
        ys = [p[1] for p in allpos.values()]
        _, ax = plt.subplots(figsize=(min(max(6.0, (max(xs) - min(xs)) * 0.85 + 3), 16),
                                      min(max(3.5, (max(ys) - min(ys)) * 0.85 + 2), 11)))
    ax.set_aspect("equal")
    ax.axis("off")

    def fmt(x):
        s = f"{x:.{decimals}f}"
        return numerals(s, lang)

    radius, box_w, box_h = 0.75, 0.95, 0.42
    r2 = result.r2
    for c in names:
        x, y = allpos[c]
        ax.add_patch(Circle((x, y), radius, fc="#dbe9f6", ec=PALETTE["positive"], lw=1.5, zorder=2))
        ax.text(x, y + (0.15 if c in r2.index else 0), str(labels.get(c, c)), ha="center", va="center",
                fontsize=8.5, zorder=3)
        if c in r2.index:
            ax.text(x, y - 0.3, fmt(r2[c]), ha="center", va="center", fontsize=8, zorder=3, color="0.25")
    for it, (x, y) in ((i, allpos[i]) for i in ind_pos):
        ax.add_patch(FancyBboxPatch((x - box_w / 2, y - box_h / 2), box_w, box_h, boxstyle="round,pad=0.02",
                                    fc="#fff4c2", ec="0.35", lw=1.0, zorder=2))
        ax.text(x, y, str(labels.get(it, it)), ha="center", va="center", fontsize=7.5, zorder=3)

    def edge(v, toward):
        x, y = allpos[v]
        dx, dy = toward[0] - x, toward[1] - y
        d = np.hypot(dx, dy) or 1.0
        if v in pos:
            s = radius
        else:
            s = min((box_w / 2) / (abs(dx / d) + 1e-9), (box_h / 2) / (abs(dy / d) + 1e-9)) + 0.03
        return x + dx / d * s, y + dy / d * s

    def arrow(a, b, text, dashed=False, color="0.25", size=7.5):
        p1, p2 = edge(a, allpos[b]), edge(b, allpos[a])
        ax.add_patch(FancyArrowPatch(p1, p2, arrowstyle="-|>", mutation_scale=11, lw=1.1, color=color,
                                     linestyle="--" if dashed else "-", zorder=1))
        ax.text((p1[0] + p2[0]) / 2, (p1[1] + p2[1]) / 2, text, fontsize=size, ha="center", va="center", zorder=4,
                bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none", alpha=0.85))

    for frame, mode in ((result.loadings, "A"), (result.weights, "B")):
        for r in frame[frame["mode"] == mode].itertuples():
            if mode == "A":
                arrow(r.construct, r.item, fmt(r.est))
            else:
                arrow(r.item, r.construct, fmt(r.est))
    boot = bool(result.settings.get("bootstrap"))
    for r in result.paths.itertuples():
        text = fmt(r.est)
        dashed = False
        if boot and np.isfinite(r.pvalue):
            text += f" ({fmt(r.pvalue)})"
            dashed = r.pvalue >= 0.05
        arrow(r.rhs, r.lhs, text, dashed=dashed, color=PALETTE["negative"], size=8)
    xs = [p[0] for p in allpos.values()]
    ys = [p[1] for p in allpos.values()]
    ax.set_xlim(min(xs) - 1.3, max(xs) + 1.3)
    ax.set_ylim(min(ys) - 1.2, max(ys) + 1.2)
    ax.set_title(t("plots.pls.title_boot" if boot else "plots.pls.title", language=lang), fontsize=10)
    return ax
