"""Figures of the CX analytics: NPS bars, gap forest plot, journey heatmap, funnel,
customer rating matrix (bubble chart) and the importance–performance map."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..i18n import format_number, get_language, t
from ._theme import PALETTE, apply_direction, prepare

__all__ = ["nps_bar", "gap_plot", "journey_heatmap", "funnel", "rating_matrix", "ipma_map"]


def _label(kind: str, value, lang) -> str:
    from ..cx._common import label
    return label(kind, str(value), language=lang)


def _ax(ax, figsize):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def nps_bar(result, ax=None, overall: bool = True, annotate: bool = True, *, language: str | None = None):
    """Diverging stacked bars of detractors / passives / promoters per segment, NPS written at the end.

    Detractors extend left of 0, promoters right of the passives, which straddle 0 (half each
    side), so the bar's balance shows the NPS. ``result`` is an :class:`~cem_edu.cx.NPSResult`.
    """
    lang = language or get_language()
    prepare()
    tab = result.table if overall else result.table.drop(index="overall", errors="ignore")
    if not overall and tab.empty:
        tab = result.table
    tab = tab.iloc[::-1]
    ax = _ax(ax, (7.5, 0.6 * len(tab) + 1.6))
    names = [t("cx.plot.overall", language=lang) if i == "overall"
             else _label(result.by, i, lang) if result.by else str(i) for i in tab.index]
    y = np.arange(len(tab))
    det, pas, pro = tab["pct_detractors"].to_numpy(), tab["pct_passives"].to_numpy(), tab["pct_promoters"].to_numpy()
    left = -pas / 2 - det
    ax.barh(y, det, left=left, color=PALETTE["negative"], label=t("cx.col.detractors", language=lang))
    ax.barh(y, pas, left=-pas / 2, color=PALETTE["neutral"], label=t("cx.col.passives", language=lang))
    ax.barh(y, pro, left=pas / 2, color=PALETTE["positive"], label=t("cx.col.promoters", language=lang))
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(y, names)
    ax.set_xlim(-105, 125)
    ax.set_xlabel(t("cx.plot.share", language=lang))
    if annotate:
        for yi, (_, row) in zip(y, tab.iterrows()):
            ax.text(pas[yi] / 2 + pro[yi] + 2, yi, f"NPS {format_number(row['nps'], 0, language=lang)}", va="center", fontsize=9)
    ax.set_title(t("cx.plot.nps_title", language=lang))
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, -0.45), ncol=3, frameon=False)
    apply_direction(ax, lang)
    return ax


def gap_plot(gaps: pd.DataFrame, ax=None, label_column: str = "group", *, language: str | None = None):
    """Forest plot of expectation–experience gaps (P − E) with their CIs; shortfalls in red."""
    lang = language or get_language()
    from ..cx.gap import GAP_COLUMNS
    from ..validation import check_columns

    check_columns(gaps, [label_column], what="gap_plot(label_column=...)", language=lang)
    prepare()
    tab = gaps.iloc[::-1].reset_index(drop=True)
    ax = _ax(ax, (7, 0.45 * len(tab) + 1.5))
    seg_cols = [c for c in gaps.columns if c not in GAP_COLUMNS]
    names = []
    for _, r in tab.iterrows():
        name = str(r[label_column])
        name = _label("construct", name, lang) if name in ("functional", "mechanic", "humanic") else name
        if seg_cols:
            name += f" · {r[seg_cols[0]]}"
        names.append(name)
    y = np.arange(len(tab))
    colors = [PALETTE["negative"] if (u < 0) else (PALETTE["positive"] if lo > 0 else PALETTE["neutral"])
              for lo, u in zip(tab["ci_lower"].fillna(0), tab["ci_upper"].fillna(0))]
    ax.errorbar(tab["gap"], y, xerr=[tab["gap"] - tab["ci_lower"], tab["ci_upper"] - tab["gap"]], fmt="none",
                ecolor="grey", capsize=3)
    ax.scatter(tab["gap"], y, c=colors, zorder=3, s=40)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(y, names)
    ax.set_xlabel(t("cx.plot.gap_axis", language=lang))
    ax.set_title(t("cx.plot.gap_title", language=lang))
    apply_direction(ax, lang)
    return ax


def journey_heatmap(journey, value: str = "gap", ax=None, annotate: bool = True, show_n: bool = True,
                    cmap: str | None = None, *, language: str | None = None):
    """Heatmap of the journey map: channels as rows, stages as columns, ``value`` in the cells
    ("gap", "experience" or "n"); gaps use a diverging palette centred at 0, empty cells are blank."""
    lang = language or get_language()
    prepare()
    grid = journey.pivot(value, translate=True, language=lang)
    counts = journey.pivot("n", translate=True, language=lang)
    ax = _ax(ax, (1.35 * grid.shape[1] + 2.5, 0.7 * grid.shape[0] + 1.8))
    if annotate:
        text = grid.copy().astype(object)
        for r in grid.index:
            for c in grid.columns:
                v, n = grid.loc[r, c], counts.loc[r, c]
                if pd.isna(v):
                    text.loc[r, c] = ""
                else:
                    num = format_number(v, 0 if value == "n" else 2, language=lang)
                    text.loc[r, c] = num + (f"\n(n={format_number(n, 0, language=lang)})" if show_n and value != "n" else "")
        annot = text.to_numpy()
    else:
        annot = False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PendingDeprecationWarning)  # seaborn 0.13 calls cmap.set_bad
        _draw_heatmap(grid, value, ax, annot, cmap, lang)
    ax.set_xlabel(t("cx.col.stage", language=lang))
    ax.set_ylabel(t("cx.col.channel", language=lang))
    ax.set_title(t("cx.plot.journey_title", language=lang, value=t(f"cx.col.{value}", language=lang)))
    ax.tick_params(axis="x", rotation=30)
    ax.tick_params(axis="y", rotation=0)
    if lang == "fa":
        ax.invert_xaxis()  # the journey reads right to left in Persian
    return ax


def _draw_heatmap(grid, value, ax, annot, cmap, lang):
    import seaborn as sns

    if value == "gap":
        values = grid.to_numpy(dtype=float)
        lim = np.nanmax(np.abs(values)) if np.isfinite(values).any() else 1
        sns.heatmap(grid.astype(float), ax=ax, cmap=cmap or "RdBu", center=0, vmin=-lim, vmax=lim, annot=annot,
                    fmt="", linewidths=0.5, cbar_kws={"label": t("cx.col.gap", language=lang)})
    else:
        sns.heatmap(grid.astype(float), ax=ax, cmap=cmap or "viridis", annot=annot, fmt="", linewidths=0.5,
                    cbar_kws={"label": t(f"cx.col.{value}", language=lang)})


def funnel(data, ax=None, stage: str = "stage", stages=None, *, language: str | None = None):
    """Funnel of respondents reaching each journey stage (bars centred, widest at the top).

    ``data`` is the responses (with a ``stage`` column) or a :func:`cem_edu.cx.funnel_table`.
    """
    lang = language or get_language()
    from ..cx import STAGES, funnel_table
    from ..intake import as_frame
    from ..validation import check_columns

    prepare()
    if isinstance(data, pd.DataFrame) and "reached" in data.columns:
        tab = data
    else:
        check_columns(as_frame(data), [stage], what="funnel(stage=...)", language=lang)
        tab = funnel_table(data, stage=stage, stages=stages or STAGES)
    ax = _ax(ax, (7, 0.55 * len(tab) + 1.5))
    y = np.arange(len(tab))[::-1]
    width = tab["reached"].to_numpy(dtype=float)
    ax.barh(y, width, left=-width / 2, color=PALETTE["positive"], alpha=0.85)
    for yi, (_, r) in zip(y, tab.iterrows()):
        pct = "" if pd.isna(r["pct_reached"]) else f" ({format_number(r['pct_reached'], 0, language=lang)}%)"
        ax.text(0, yi, f"{format_number(r['reached'], 0, language=lang)}{pct}", ha="center", va="center", color="white",
                fontsize=9, fontweight="bold")
    ax.set_yticks(y, [_label("stage", s, lang) for s in tab["stage"]])
    ax.set_xticks([])
    ax.set_title(t("cx.plot.funnel_title", language=lang))
    ax.grid(False)
    apply_direction(ax, lang)
    return ax


def rating_matrix(matrix: pd.DataFrame, ax=None, annotate: bool = True, max_bubble: float = 1500.0,
                  units: str = "", *, language: str | None = None):
    """Bubble chart of the customer rating matrix (Meyer & Schwager 2007).

    Satisfaction on the x axis, revenue on the y axis, bubble area ∝ forecast revenue,
    dashed lines at the thresholds of :func:`cem_edu.cx.rating_matrix`, quadrant names in the corners.
    """
    lang = language or get_language()
    from ..cx.rating_matrix import QUADRANTS, quadrant_label

    prepare()
    ax = _ax(ax, (7.5, 6))
    colors = {"Model": PALETTE["positive"], "At risk": PALETTE["negative"], "Growth": PALETTE["loyalty"],
              "Dangling": PALETTE["neutral"]}
    if "forecast" in matrix.columns and matrix["forecast"].notna().any():
        f = matrix["forecast"].fillna(0).to_numpy(dtype=float)
        sizes = 40 + max_bubble * f / (f.max() if f.max() > 0 else 1)
    else:
        sizes = np.full(len(matrix), 120.0)
    for q in QUADRANTS:
        m = (matrix["quadrant"] == q).to_numpy()
        if m.any():
            ax.scatter(matrix["satisfaction"][m], matrix["revenue"][m], s=sizes[m], alpha=0.55, color=colors[q],
                       edgecolor="black", linewidth=0.6, label=quadrant_label(q, lang))
    tr, ts = matrix.attrs.get("revenue_threshold"), matrix.attrs.get("satisfaction_threshold")
    if tr is not None:
        ax.axhline(tr, ls="--", color="black", lw=0.9)
    if ts is not None:
        ax.axvline(ts, ls="--", color="black", lw=0.9)
    if annotate:
        for name, r in matrix.iterrows():
            ax.annotate(str(name), (r["satisfaction"], r["revenue"]), ha="center", va="center", fontsize=8)
    corners = {"At risk": (0.02, 0.97, "left", "top"), "Model": (0.98, 0.97, "right", "top"),
               "Dangling": (0.02, 0.03, "left", "bottom"), "Growth": (0.98, 0.03, "right", "bottom")}
    for q, (x, y, ha, va) in corners.items():
        ax.text(x, y, quadrant_label(q, lang), transform=ax.transAxes, ha=ha, va=va, fontsize=11, fontweight="bold",
                color=colors[q] if q != "Dangling" else "dimgrey")
    ax.set_xlabel(t("cx.col.satisfaction", language=lang))
    ax.set_ylabel(t("cx.col.revenue", language=lang) + (f" ({units})" if units else ""))
    ax.set_title(t("cx.plot.rating_title", language=lang) + "\n" + t("cx.plot.bubble", language=lang), fontsize=11)
    ax.margins(0.12)
    apply_direction(ax, lang)
    return ax


def ipma_map(table: pd.DataFrame, ax=None, annotate: bool = True, *, language: str | None = None):
    """Importance–performance map: importance (total effect) on x, performance (0–100) on y,
    dashed lines at the means; the lower-right quadrant ("Concentrate here") is shaded."""
    lang = language or get_language()
    prepare()
    ax = _ax(ax, (6.5, 5))
    x, y = table["importance"].to_numpy(dtype=float), table["performance"].to_numpy(dtype=float)
    from ._theme import PALETTE as P

    colors = [P.get(c, P["positive"]) for c in table["construct"]]
    ax.scatter(x, y, s=90, c=colors, edgecolor="black", zorder=3)
    mi = table.attrs.get("mean_importance", float(np.mean(x)))
    mp = table.attrs.get("mean_performance", float(np.mean(y)))
    ax.axvline(mi, ls="--", color="grey", lw=0.9)
    ax.axhline(mp, ls="--", color="grey", lw=0.9)
    xmax = max(float(np.max(x)) * 1.25, mi * 1.5, 1e-6)
    ax.axvspan(mi, xmax, ymin=0, ymax=1, alpha=0.0)
    ax.fill_between([mi, xmax], 0, mp, color=P["negative"], alpha=0.08, zorder=0)
    labels = []
    if annotate:
        for xi, yi, c in zip(x, y, table["construct"]):
            labels.append(ax.annotate(_label("construct", c, lang), (xi, yi), textcoords="offset points", xytext=(6, 6),
                                      fontsize=9, arrowprops={"arrowstyle": "-", "color": "grey", "lw": 0.6,
                                                              "shrinkA": 0, "shrinkB": 5}))
    ax.text(0.98, 0.02, _label("ipma_quadrant", "Concentrate here", lang), transform=ax.transAxes, ha="right",
            va="bottom", color=P["negative"], fontsize=9)
    ax.set_xlim(min(0, float(np.min(x)) * 1.2), xmax)
    ax.set_ylim(0, 100)
    ax.set_xlabel(t("cx.plot.importance_axis", language=lang))
    ax.set_ylabel(t("cx.plot.performance_axis", language=lang))
    target = table.attrs.get("target", "")
    ax.set_title(t("cx.plot.ipma_title", language=lang, target=_label("construct", target, lang) if target else ""))
    apply_direction(ax, lang)
    _spread_labels(ax, labels)
    return ax


def _spread_labels(ax, labels, pad: float = 2.0) -> None:
    """Move point labels up, lowest first, until none overlaps another (constructs of similar
    importance and performance otherwise print on top of each other)."""
    if len(labels) < 2:
        return
    from matplotlib.text import Text

    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    placed = []
    for lab in sorted(labels, key=lambda a: (a.xy[1], a.xy[0])):
        for _ in range(len(labels) * 4):
            box = Text.get_window_extent(lab, renderer)  # the text alone, without its leader line
            hit = next((b for b in placed if b.overlaps(box)), None)
            if hit is None:
                break
            dx, dy = lab.xyann
            lab.xyann = (dx, dy + (hit.y1 - box.y0 + pad) * 72.0 / fig.dpi)
        placed.append(Text.get_window_extent(lab, renderer))
