"""Figures of factor analysis and validity: scree with parallel analysis, matrix heatmaps, loadings."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import DataError
from ..i18n import get_language, numerals, t
from ..validation import check_type
from ._theme import PALETTE, apply_direction, prepare

__all__ = ["scree", "heatmap", "htmt_heatmap", "loadings"]


def scree(result, ax=None, *, language: str | None = None, show: str = "both"):
    """Scree plot: eigenvalues by number, with parallel analysis thresholds when available.

    ``result`` is a ``ParallelResult`` (observed and simulated eigenvalues for components and
    factors), an ``EFAResult`` (eigenvalues of the correlation matrix) or a DataFrame of answers
    (parallel analysis is run with the default seed). ``show`` = "both" | "pc" | "fa".
    """
    import matplotlib.pyplot as plt

    from ..psychometrics.factor import EFAResult, ParallelResult, parallel_analysis

    prepare()
    lang = language or get_language()
    if show not in ("both", "pc", "fa"):
        raise DataError(t("plots.scree.bad_show", lang, show=show))
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4.2))
    if isinstance(result, EFAResult):
        ev = result.eigenvalues
        ax.plot(ev.index, ev.to_numpy(), "o-", color=PALETTE["positive"],
                label=t("plots.scree.observed_pc", language=lang))
        ax.axhline(1, color=PALETTE["neutral"], linestyle=":", linewidth=1)
    else:
        if not isinstance(result, ParallelResult):
            result = parallel_analysis(result)
        tab = result.table
        if show in ("both", "pc"):
            ax.plot(tab["k"], tab["pc"], "o-", color=PALETTE["positive"],
                    label=t("plots.scree.observed_pc", language=lang))
            ax.plot(tab["k"], tab["sim_pc_quantile"], "--", color=PALETTE["positive"], alpha=0.7,
                    label=t("plots.scree.random_pc", language=lang))
        if show in ("both", "fa"):
            ax.plot(tab["k"], tab["fa"], "^-", color=PALETTE["negative"],
                    label=t("plots.scree.observed_fa", language=lang))
            ax.plot(tab["k"], tab["sim_fa_quantile"], "--", color=PALETTE["negative"], alpha=0.7,
                    label=t("plots.scree.random_fa", language=lang))
        ax.set_title(t("factor.parallel_line", language=lang, f=result.n_factors, c=result.n_components,
                       iters=result.n_iter), fontsize=10)
    ax.axhline(0, color="#999999", linewidth=0.6)
    ax.set_xlabel(t("plots.scree.xlabel", language=lang))
    ax.set_ylabel(t("plots.scree.ylabel", language=lang))
    n_k = max(int(line.get_xdata()[-1]) for line in ax.get_lines() if len(line.get_xdata()))
    ticks = list(range(1, n_k + 1, max(1, int(np.ceil(n_k / 15)))))
    ax.set_xticks(ticks, [numerals(str(k), lang) for k in ticks])
    ax.legend(fontsize=8)
    apply_direction(ax, lang)
    return ax


def heatmap(matrix: pd.DataFrame, ax=None, *, title: str | None = None, vmin: float = -1, vmax: float = 1,
            cmap: str = "RdBu_r", digits: int = 2, mask_upper: bool = False, language: str | None = None,
            threshold: float | None = None):
    """Annotated heatmap of a square (or rectangular) matrix such as correlations or HTMT.

    Cells whose absolute value is at least ``threshold`` get a bold, boxed label.
    """
    import matplotlib.pyplot as plt

    prepare()
    lang = language or get_language()
    check_type(matrix, (pd.DataFrame, np.ndarray), what="heatmap(matrix=...)",
               expected=t("check.expect.matrix", lang), language=lang)
    m = pd.DataFrame(matrix)
    values = m.to_numpy(dtype=float)
    if mask_upper and values.shape[0] == values.shape[1]:
        values = np.where(np.triu(np.ones_like(values, dtype=bool), 1), np.nan, values)
    if ax is None:
        _, ax = plt.subplots(figsize=(1.0 + 0.75 * values.shape[1], 0.8 + 0.6 * values.shape[0]))
    im = ax.imshow(values, cmap=cmap, vmin=vmin, vmax=vmax, aspect="auto")
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            v = values[i, j]
            if not np.isfinite(v):
                continue
            strong = threshold is not None and abs(v) >= threshold and (i != j or values.shape[0] != values.shape[1])
            text = numerals(f"{v:.{digits}f}", lang)
            ax.text(j, i, text, ha="center", va="center", fontsize=8,
                    fontweight="bold" if strong else "normal",
                    color="white" if abs(v) > 0.75 * max(abs(vmin), abs(vmax)) else "black",
                    bbox={"boxstyle": "round,pad=0.15", "fill": False, "edgecolor": "black"} if strong else None)
    ax.set_xticks(range(values.shape[1]), [str(c) for c in m.columns], rotation=45, ha="right", fontsize=8.5)
    ax.set_yticks(range(values.shape[0]), [str(r) for r in m.index], fontsize=8.5)
    ax.grid(False)
    if title:
        ax.set_title(title, fontsize=10)
    # in Persian the tick labels move to the right (apply_direction): the colour bar goes left, else it
    # covers the labels
    ax.figure.colorbar(im, ax=ax, shrink=0.8, location="left" if lang == "fa" else "right")
    apply_direction(ax, lang)
    return ax


def htmt_heatmap(result, spec=None, ax=None, *, threshold: float = 0.85, language: str | None = None, **kw):
    """Heatmap of the HTMT matrix (lower triangle); values ≥ ``threshold`` (.85; Henseler et al. 2015)
    are boxed. ``result`` is the DataFrame of ``ce.htmt`` or the data (then give ``spec``)."""
    from ..psychometrics.reliability import htmt as _htmt

    lang = language or get_language()
    m = result if spec is None else _htmt(result, spec, **kw)
    return heatmap(m, ax=ax, vmin=0, vmax=1, cmap="Reds", mask_upper=True, threshold=threshold, language=lang,
                   title=t("plots.htmt.title", language=lang, threshold=numerals(f"{threshold:.2f}", lang)))


def loadings(result, ax=None, *, cut: float = 0.3, language: str | None = None):
    """Heatmap of factor loadings (items × factors) of an ``EFAResult`` or a loadings DataFrame;
    |λ| ≥ ``cut`` are boxed."""
    from ..psychometrics.factor import EFAResult

    lang = language or get_language()
    try:
        L = result.loadings if isinstance(result, EFAResult) else pd.DataFrame(result)
    except (TypeError, ValueError):
        raise DataError(t("plots.loadings.bad_result", lang, kind=type(result).__name__)) from None
    title = t("plots.loadings.title", language=lang)
    if isinstance(result, EFAResult):
        title += f" ({result.method}, {result.rotation})"
    return heatmap(L, ax=ax, vmin=-1, vmax=1, threshold=cut, language=lang, title=title)
