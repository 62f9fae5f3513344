"""PLS path diagram as SmartPLS draws it: constructs as circles with R² inside, indicators as boxes,
outer loadings on the arrows to reflective indicators (mode A) and outer weights on the arrows
from formative indicators (mode B), path coefficients between constructs (with the bootstrap
p-value in parentheses when the model was bootstrapped; dashed when p ≥ .05). Constructs are
laid out in layers from exogenous (left) to endogenous (right), mirrored for Persian.
"""
from __future__ import annotations

import numpy as np

from ..i18n import get_language, t
from ._theme import PALETTE, prepare
from .path import _arrow_label, _box_edge, _fit_limits, _layers, _mirror, _new_axes, _number

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
    prepare()
    lang = language or get_language()
    labels = labels or {}
    spec = result.spec
    pos, ind_pos = _pls_positions(spec)
    allpos = _mirror({**pos, **ind_pos}, lang)
    if ax is None:
        ax = _new_axes(allpos, 0.85)
    ax.set_aspect("equal")
    ax.axis("off")
    canvas = _PLSCanvas(ax, allpos, pos, decimals, lang)
    canvas.nodes(spec.constructs, ind_pos, result.r2, labels)
    fmt = canvas.fmt
    for frame, mode in ((result.loadings, "A"), (result.weights, "B")):
        for r in frame[frame["mode"] == mode].itertuples():
            if mode == "A":
                canvas.arrow(r.construct, r.item, fmt(r.est))
            else:
                canvas.arrow(r.item, r.construct, fmt(r.est))
    boot = bool(result.settings.get("bootstrap"))
    for r in result.paths.itertuples():
        text = fmt(r.est)
        dashed = False
        if boot and np.isfinite(r.pvalue):
            text += f" ({fmt(r.pvalue)})"
            dashed = r.pvalue >= 0.05
        canvas.arrow(r.rhs, r.lhs, text, dashed=dashed, color=PALETTE["negative"], size=8)
    _fit_limits(ax, allpos, 1.3, 1.2)
    ax.set_title(t("plots.pls.title_boot" if boot else "plots.pls.title", language=lang), fontsize=10)
    return ax


def _pls_positions(spec) -> tuple[dict, dict]:
    """Constructs in layers along the paths (outer layers spaced by their block sizes), indicators
    left of the first layer, right of the last, above/below in between."""
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
    return pos, ind_pos


class _PLSCanvas:
    """Draws a PLS diagram's nodes (constructs: circles with R², indicators: boxes) and labelled arrows."""

    radius, box_w, box_h = 0.75, 0.95, 0.42

    def __init__(self, ax, allpos: dict, pos: dict, decimals: int, lang: str):
        self.ax, self.allpos, self.pos, self.decimals, self.lang = ax, allpos, pos, decimals, lang

    def fmt(self, x) -> str:
        """A number with the diagram's decimals and digits."""
        return _number(x, self.decimals, self.lang)

    def nodes(self, names, ind_pos: dict, r2, labels: dict) -> None:
        """Constructs as circles (R² inside for endogenous ones) and indicators as boxes."""
        from matplotlib.patches import Circle, FancyBboxPatch

        ax, allpos, box_w, box_h = self.ax, self.allpos, self.box_w, self.box_h
        for c in names:
            x, y = allpos[c]
            ax.add_patch(Circle((x, y), self.radius, fc="#dbe9f6", ec=PALETTE["positive"], lw=1.5, zorder=2))
            ax.text(x, y + (0.15 if c in r2.index else 0), str(labels.get(c, c)), ha="center", va="center",
                    fontsize=8.5, zorder=3)
            if c in r2.index:
                ax.text(x, y - 0.3, self.fmt(r2[c]), ha="center", va="center", fontsize=8, zorder=3, color="0.25")
        for it, (x, y) in ((i, allpos[i]) for i in ind_pos):
            ax.add_patch(FancyBboxPatch((x - box_w / 2, y - box_h / 2), box_w, box_h, boxstyle="round,pad=0.02",
                                        fc="#fff4c2", ec="0.35", lw=1.0, zorder=2))
            ax.text(x, y, str(labels.get(it, it)), ha="center", va="center", fontsize=7.5, zorder=3)

    def edge(self, v, toward):
        """Where an arrow toward ``toward`` leaves node ``v`` (circle or box outline)."""
        x, y = self.allpos[v]
        dx, dy = toward[0] - x, toward[1] - y
        d = np.hypot(dx, dy) or 1.0
        if v in self.pos:
            return x + dx / d * self.radius, y + dy / d * self.radius
        return _box_edge(x, y, dx, dy, d, self.box_w, self.box_h)

    def arrow(self, a, b, text, dashed=False, color="0.25", size=7.5) -> None:
        """A straight arrow from ``a`` to ``b`` with ``text`` at its middle."""
        from matplotlib.patches import FancyArrowPatch

        p1, p2 = self.edge(a, self.allpos[b]), self.edge(b, self.allpos[a])
        self.ax.add_patch(FancyArrowPatch(p1, p2, arrowstyle="-|>", mutation_scale=11, lw=1.1, color=color,
                                          linestyle="--" if dashed else "-", zorder=1))
        _arrow_label(self.ax, (p1[0] + p2[0]) / 2, (p1[1] + p2[1]) / 2, text, size)
