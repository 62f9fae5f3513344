"""Path diagram of a fitted SEM/CFA drawn with matplotlib only (no graphviz).

Latent variables are ellipses, observed variables boxes; arrows carry the standardised
(``std_all``) or unstandardised estimates; significant paths (p < .05) are drawn solid, the
others dashed. Layout: observed indicators on the outer rows/columns, the structural part in
layers from exogenous (left) to endogenous (right) — reversed for Persian (right-to-left).
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..errors import DataError
from ..i18n import get_language, numerals, t, verbatim
from ..validation import check_type
from ._theme import PALETTE, prepare

__all__ = ["path_diagram"]


def _layers(lv, edges):
    """Longest-path layering of the latent variables along the regressions (cause -> effect)."""
    layer = {v: 0 for v in lv}
    for _ in range(len(lv) + 1):
        changed = False
        for a, b in edges:
            if a in layer and b in layer and layer[b] < layer[a] + 1:
                layer[b] = layer[a] + 1
                changed = True
        if not changed:
            break
    return layer


def _number(x, decimals: int, lang: str) -> str:
    """A number on an arrow, with ``decimals`` digits (Persian digits in fa)."""
    s = f"{x:.{decimals}f}"
    return numerals(s, lang)


def _mirror(allpos: dict, lang: str) -> dict:
    """Positions mirrored left-right for Persian (right-to-left reading order)."""
    if lang == "fa":
        return {v: (-x, y) for v, (x, y) in allpos.items()}
    return allpos


def _box_edge(x, y, dx, dy, d, box_w, box_h):
    """Where the line from a box's centre in direction (dx, dy)/d leaves the box (plus a small gap)."""
    s = min((box_w / 2) / (abs(dx / d) + 1e-9), (box_h / 2) / (abs(dy / d) + 1e-9)) + 0.03
    return x + dx / d * s, y + dy / d * s


def _arrow_label(ax, x, y, text, size):
    """A number on an arrow, on a white patch so the line does not cross it."""
    ax.text(x, y, text, fontsize=size, ha="center", va="center", zorder=4,
            bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none", alpha=0.85))


def _fit_limits(ax, allpos: dict, xpad: float, ypad: float) -> None:
    """Axis limits around every node with a margin."""
    xs = [p[0] for p in allpos.values()]
    ys = [p[1] for p in allpos.values()]
    ax.set_xlim(min(xs) - xpad, max(xs) + xpad)
    ax.set_ylim(min(ys) - ypad, max(ys) + ypad)


def _new_axes(allpos: dict, scale: float):
    """A figure sized to the diagram (at least 6 × 3.5 in, at most 16 × 11 in)."""
    import matplotlib.pyplot as plt

    xs = [p[0] for p in allpos.values()]
    ys = [p[1] for p in allpos.values()]
    w = max(6.0, (max(xs) - min(xs)) * scale + 3)
    h = max(3.5, (max(ys) - min(ys)) * scale + 2)
    _, ax = plt.subplots(figsize=(min(w, 16), min(h, 11)))
    return ax


def path_diagram(result, ax=None, standardized: bool = True, *, group: int = 1, labels: dict | None = None,
                 language: str | None = None, show_residuals: bool = False, decimals: int = 2):
    """Draw the path diagram of a FitResult; returns the Axes.

    Parameters
    ----------
    result : FitResult from :func:`cem_edu.fit`.
    standardized : label arrows with ``std_all`` (default) or unstandardised ``est``.
    group : which group of a multigroup model (1-based).
    labels : optional display names {variable: text} (e.g. Persian construct names).
    show_residuals : also write residual variances under the boxes.
    """
    prepare()
    lang = language or get_language()
    if labels is not None:
        check_type(labels, Mapping, what="path_diagram(labels=...)", expected=t("check.expect.labels", lang),
                   language=lang)
    est = result.estimates
    groups = sorted(set(int(g) for g in est["group"]) - {0})
    if group not in groups:
        raise DataError(t("plots.path.bad_group", lang, group=verbatim(repr(group)), k=len(groups)))
    est = est[(est["group"] == group) | (est["group"] == 0)]
    val = "std_all" if standardized else "est"
    lv = list(result.model.names.lv)
    load = est[est["op"] == "=~"]
    reg = est[est["op"] == "~"]
    cov = est[(est["op"] == "~~") & (est["lhs"] != est["rhs"])]
    pos, ind_pos = _sem_positions(lv, load, reg)
    allpos = _mirror({**pos, **ind_pos}, lang)
    if ax is None:
        ax = _new_axes(allpos, 0.9)
    ax.set_aspect("equal")
    ax.axis("off")
    canvas = _SEMCanvas(ax, allpos, lv, labels or {}, decimals, lang)
    canvas.nodes()
    for r in load.itertuples():
        canvas.arrow(r.lhs, r.rhs, getattr(r, val), r.pvalue)
    for r in reg.itertuples():
        canvas.arrow(r.rhs, r.lhs, getattr(r, val), r.pvalue, color=PALETTE["negative"])
    for r in cov.itertuples():
        if r.lhs in allpos and r.rhs in allpos:
            canvas.arrow(r.lhs, r.rhs, getattr(r, val), r.pvalue, style="<|-|>", rad=0.35, color="0.45")
    if show_residuals:
        res = est[(est["op"] == "~~") & (est["lhs"] == est["rhs"])]
        for r in res.itertuples():
            if r.lhs in ind_pos:
                x, y = allpos[r.lhs]
                ax.text(x, y - 0.55, canvas.fmt(getattr(r, val)), fontsize=7, ha="center", color="0.4")
    _fit_limits(ax, allpos, 1.5, 1.2)
    key = "plots.path.title_std" if standardized else "plots.path.title_est"
    ax.set_title(t(key, language=lang), fontsize=10)
    return ax


def _sem_positions(lv, load, reg) -> tuple[dict, dict]:
    """Node positions: latent (and observed structural) variables in layers along the regressions,
    each factor's indicators fanned out on its outer side; a CFA (one layer): factors in a row,
    indicators below."""
    ov_reg = [v for v in dict.fromkeys(list(reg["lhs"]) + list(reg["rhs"])) if v not in lv]
    nodes = lv + ov_reg
    layer = _layers(nodes, list(zip(reg["rhs"], reg["lhs"])))
    nlayers = max(layer.values()) + 1 if layer else 1
    xsp = 4.0
    if nlayers == 1:   # a CFA: factors in a row, indicators below
        pos = {f: (i * xsp, 0.0) for i, f in enumerate(lv)}
        ind_pos = {}
        for f in lv:
            items = list(load[load["lhs"] == f]["rhs"])
            for i, v in enumerate(items):
                ind_pos.setdefault(v, (pos[f][0] + (i - (len(items) - 1) / 2) * 1.2, -2.6))
        return pos, ind_pos
    by_layer = {}
    for v in nodes:
        by_layer.setdefault(layer[v], []).append(v)
    pos = {}
    for k, vs in by_layer.items():
        for i, v in enumerate(vs):
            pos[v] = (k * xsp, (len(vs) - 1) / 2 * 3.2 - i * 3.2)
    # indicators: fanned out on the outside of their factor (left for first layer, right for last,
    # above/below otherwise)
    ind_pos = {}
    for f in lv:
        items = list(load[load["lhs"] == f]["rhs"])
        fx, fy = pos[f]
        k = layer[f]
        for i, v in enumerate(items):
            off = (i - (len(items) - 1) / 2) * (0.8 if k in (0, nlayers - 1) else 1.25)
            if k == 0:
                ind_pos.setdefault(v, (fx - 2.6, fy + off))
            elif k == nlayers - 1:
                ind_pos.setdefault(v, (fx + 2.6, fy + off))
            else:
                ind_pos.setdefault(v, (fx + off, fy + (2.0 if fy >= 0 else -2.0)))
    return pos, ind_pos


class _SEMCanvas:
    """Draws a SEM diagram's nodes (latent: ellipses, observed: boxes) and its labelled arrows."""

    box_w, box_h, ell_w, ell_h = 1.0, 0.55, 2.1, 1.0

    def __init__(self, ax, allpos: dict, lv: list, labels: dict, decimals: int, lang: str):
        self.ax, self.allpos, self.lv, self.labels, self.decimals, self.lang = ax, allpos, lv, labels, decimals, lang

    def fmt(self, x) -> str:
        """A number with the diagram's decimals and digits."""
        return _number(x, self.decimals, self.lang)

    def nodes(self) -> None:
        """Every variable as an ellipse (latent) or a box (observed) with its display name."""
        from matplotlib.patches import Ellipse, FancyBboxPatch

        ax, box_w, box_h = self.ax, self.box_w, self.box_h
        for v, (x, y) in self.allpos.items():
            if v in self.lv:
                ax.add_patch(Ellipse((x, y), self.ell_w, self.ell_h, fc="#eef3fb", ec=PALETTE["positive"], lw=1.5,
                                     zorder=2))
            else:
                ax.add_patch(FancyBboxPatch((x - box_w / 2, y - box_h / 2), box_w, box_h,
                                            boxstyle="round,pad=0.02", fc="white", ec="0.3", lw=1.2, zorder=2))
            ax.text(x, y, str(self.labels.get(v, v)), ha="center", va="center", fontsize=9, zorder=3)

    def edge_point(self, v, toward):
        """Where an arrow toward ``toward`` leaves the node ``v`` (ellipse or box outline)."""
        x, y = self.allpos[v]
        dx, dy = toward[0] - x, toward[1] - y
        d = np.hypot(dx, dy) or 1.0
        if v in self.lv:
            a, b = self.ell_w / 2, self.ell_h / 2
            s = 1.0 / np.sqrt((dx / d / a) ** 2 + (dy / d / b) ** 2)
            return x + dx / d * s, y + dy / d * s
        return _box_edge(x, y, dx, dy, d, self.box_w, self.box_h)

    def arrow(self, a, b, value, pvalue, style="-|>", rad=0.0, color="0.2") -> None:
        """An arrow from ``a`` to ``b`` labelled with ``value``; dashed when p ≥ .05."""
        from matplotlib.patches import FancyArrowPatch

        allpos = self.allpos
        if a not in allpos or b not in allpos:
            return
        p1 = self.edge_point(a, allpos[b])
        p2 = self.edge_point(b, allpos[a])
        ls = "-" if (not np.isfinite(pvalue) or pvalue < 0.05) else "--"
        self.ax.add_patch(FancyArrowPatch(p1, p2, arrowstyle=style, mutation_scale=12, lw=1.2, color=color,
                                          linestyle=ls, connectionstyle=f"arc3,rad={rad}", zorder=1))
        mx, my = (p1[0] + p2[0]) / 2, (p1[1] + p2[1]) / 2
        if rad:
            mx += rad * (p2[1] - p1[1]) * 0.5
            my -= rad * (p2[0] - p1[0]) * 0.5
        _arrow_label(self.ax, mx, my, self.fmt(value), 8)
