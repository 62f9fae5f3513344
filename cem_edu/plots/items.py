"""Figures of item answers: diverging stacked Likert bars and item histograms."""
from __future__ import annotations

import textwrap

import numpy as np

from ..psychometrics.constructs import item_text, resolve_spec, scale_bounds
from ..i18n import get_language, numerals, t
from ..intake import as_frame
from ._theme import PALETTE, apply_direction, prepare

__all__ = ["likert", "item_histograms"]


def _items(data, items, instrument, language=None):
    df = as_frame(data)
    spec = items if instrument is None else instrument
    if items is None or hasattr(items, "items_by_construct"):
        inst = items if instrument is None else instrument
        if inst is None:
            cols = resolve_spec(None, df, language=language)["scale"]
        else:
            cols = [c for v in inst.items_by_construct().values() for c in v if c in df.columns]
        return df, cols, inst if inst is not None else spec
    if isinstance(items, (str, dict)):
        cols = [c for v in resolve_spec(items, df, language=language).values() for c in v]
    else:
        cols = list(items)
    resolve_spec({"items": cols}, df, language=language)
    return df, cols, instrument


def _label(inst, item, lang, width=48):
    text = item_text(inst, item, lang)
    if text == item:
        return item
    text = textwrap.shorten(text, 90, placeholder="…")
    return f"{item}: " + "\n".join(textwrap.wrap(text, width))


def likert(data, items=None, ax=None, *, instrument=None, language: str | None = None, show_text: bool = True):
    """Diverging stacked bars of Likert answers, one bar per item.

    Answers below the scale's midpoint extend to the left (negative), above it to the right; the
    midpoint (neutral) answer is split evenly across zero. Bars show percentages of the item's
    answers (missing answers excluded). Item labels are the item wording in the current language
    when an Instrument is given (as ``items`` or ``instrument=``), else the column names.

    Parameters
    ----------
    data : DataFrame or CleanData
    items : list of columns, dict {construct: [columns]}, lavaan syntax, or an Instrument
    ax : matplotlib Axes, optional
    instrument : Instrument, optional — item wording and answer scale (1–7, 1–5, ...)
    language : "fa" or "en" (default: the current language)

    Returns
    -------
    matplotlib Axes

    Reference: Heiberger & Robbins (2014), Design of diverging stacked bar charts for Likert
    scales and other applications, Journal of Statistical Software 57(5).
    """
    import matplotlib.pyplot as plt
    from matplotlib import colormaps

    prepare()
    lang = language or get_language()
    df, cols, inst = _items(data, items, instrument, lang)
    values = df[cols].to_numpy(dtype=float)
    lows, highs = zip(*(scale_bounds(inst, c, values[:, j]) for j, c in enumerate(cols)))
    lo, hi = int(min(lows)), int(max(highs))
    points = np.arange(lo, hi + 1)
    k = len(points)
    counts = np.array([[np.sum(values[:, j] == p) for p in points] for j in range(len(cols))], dtype=float)
    total = counts.sum(axis=1, keepdims=True)
    pct = 100 * counts / np.where(total == 0, 1, total)
    mid = (lo + hi) / 2
    cmap = colormaps["RdBu"]
    colors = [cmap(0.1 + 0.8 * i / max(k - 1, 1)) for i in range(k)]
    if ax is None:
        _, ax = plt.subplots(figsize=(10, 0.55 * len(cols) + 1.6))
    y = np.arange(len(cols))[::-1]
    neg_start = -(pct[:, points < mid].sum(axis=1) + pct[:, points == mid].sum(axis=1) / 2)
    left = neg_start.copy()
    for i, p in enumerate(points):
        width = pct[:, i]
        label = numerals(p, lang)
        ax.barh(y, width, left=left, color=colors[i], edgecolor="white", linewidth=0.5, label=label, height=0.7)
        left = left + width
    ax.axvline(0, color="#444444", linewidth=0.8)
    labels = [_label(inst, c, lang) if show_text else c for c in cols]
    ax.set_yticks(y, labels, fontsize=8.5)
    ax.set_xlabel(t("plots.likert.xlabel", language=lang))
    ticks = ax.get_xticks()
    ax.set_xticks(ticks, [numerals(f"{abs(v):.0f}", lang) for v in ticks])
    ax.set_title(t("plots.likert.title", language=lang))
    ax.legend(title=t("plots.likert.answer", language=lang), ncol=k, loc="upper center",
              bbox_to_anchor=(0.5, -0.12 if len(cols) > 4 else -0.25), frameon=False, fontsize=8)
    apply_direction(ax, lang)
    return ax


def item_histograms(data, items=None, ax=None, *, instrument=None, language: str | None = None, ncols: int = 4):
    """Bar charts of the answer distribution of each item (a grid, one panel per item).

    ``ax`` may be an array of Axes with at least as many panels as items; returns the array of Axes.
    """
    import matplotlib.pyplot as plt

    prepare()
    lang = language or get_language()
    df, cols, inst = _items(data, items, instrument, lang)
    n = len(cols)
    if ax is None:
        nrows = int(np.ceil(n / ncols))
        _, ax = plt.subplots(nrows, min(ncols, n), figsize=(2.6 * min(ncols, n), 2.1 * nrows), squeeze=False,
                             sharey=True)
    axes = np.asarray(ax).ravel()
    for j, c in enumerate(cols):
        v = df[c].to_numpy(dtype=float)
        lo, hi = scale_bounds(inst, c, v)
        ok = v[np.isfinite(v)]
        if np.isfinite(lo) and float(lo).is_integer() and float(hi).is_integer() and hi - lo <= 20:
            pts = np.arange(int(lo), int(hi) + 1)
            share = [100 * np.mean(ok == p) if ok.size else 0 for p in pts]
            axes[j].bar(pts, share, color=PALETTE["positive"], width=0.8)
            axes[j].set_xticks(pts, [numerals(p, lang) for p in pts],
                               fontsize=7)
        else:
            axes[j].hist(ok, bins=15, color=PALETTE["positive"], weights=np.full(ok.size, 100 / max(ok.size, 1)))
        axes[j].set_title(c, fontsize=9)
        if j % ncols == 0:
            axes[j].set_ylabel(t("plots.likert.percent", language=lang))
    for extra in axes[n:]:
        extra.set_visible(False)
    return np.asarray(ax)
