"""Figures of a latent moderation (``cem_edu.psychometrics.moderation``): Johnson–Neyman plot and simple slopes."""
from __future__ import annotations

import numpy as np

from ..i18n import get_language, numerals, t
from ._theme import apply_direction, persian_tick_digits, prepare

__all__ = ["johnson_neyman", "simple_slopes"]


def johnson_neyman(result, ax=None, *, span: float = 3.0, language: str | None = None):
    """Slope of X on Y against the moderator (latent units), with its confidence band.

    The band is the Wald interval of ω(w) = b1 + b3·w at ``result.level``; vertical dashed lines mark
    the Johnson–Neyman boundaries, where the band touches zero (Bauer & Curran 2005). The moderator
    runs over ±``span`` latent SDs. Returns the Axes.
    """
    import matplotlib.pyplot as plt

    prepare()
    lang = language or result.language or get_language()
    sd = result.moderator_sd
    w = np.linspace(-span * sd, span * sd, 201)
    s = result.slope_at(w)
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    ax.fill_between(w, s["ci_lower"], s["ci_upper"], alpha=0.25, label=t("plots.mod.band", lang,
                                                                           level=round(100 * result.level)))
    ax.plot(w, s["slope"], lw=2, label=t("plots.mod.slope", lang, x=result.x))
    ax.axhline(0, color="0.3", lw=1)
    for b in result.jn:
        if w[0] <= b <= w[-1]:
            ax.axvline(b, ls="--", color="C3", lw=1)
    sig = s["p"] < 1 - result.level
    if sig.any():
        ax.fill_between(w, s["ci_lower"].min(), s["ci_upper"].max(), where=sig.to_numpy(), color="C2", alpha=0.07,
                        label=t("plots.mod.significant", lang))
    ax.set_xlabel(t("plots.mod.moderator", lang, z=result.z))
    ax.set_ylabel(t("plots.mod.slope_axis", lang, x=result.x, y=result.y))
    ax.set_title(t("plots.mod.jn_title", lang))
    ax.legend(fontsize=8)
    apply_direction(ax, lang)
    persian_tick_digits(ax, lang)
    return ax


def simple_slopes(result, ax=None, *, span: float = 2.0, language: str | None = None):
    """Model-implied Y (latent) against X at the probed moderator values (−1, 0, +1 SD by default).

    Lines are ŷ = (b1 + b3·w)·x + b2·w over x in ±``span`` latent SDs of X. Returns the Axes.
    """
    import matplotlib.pyplot as plt

    prepare()
    lang = language or result.language or get_language()
    e = result.fit.estimates
    var_x = float(e[(e["op"] == "~~") & (e["lhs"] == result.x) & (e["rhs"] == result.x)]["est"].iloc[0])
    b2 = float(result.paths.set_index("label").loc["b2", "est"])
    x = np.linspace(-span, span, 50) * np.sqrt(var_x)
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    for row in result.simple_slopes.itertuples():
        ax.plot(x, row.slope * x + b2 * row.moderator,
                label=t("plots.mod.at", lang, z=result.z, sd=numerals(f"{row.sd:+g}", lang),
                         slope=numerals(f"{row.slope:.2f}", lang)))
    ax.set_xlabel(t("plots.mod.x_axis", lang, x=result.x))
    ax.set_ylabel(t("plots.mod.y_axis", lang, y=result.y))
    ax.set_title(t("plots.mod.slopes_title", lang))
    ax.legend(fontsize=8)
    apply_direction(ax, lang)
    persian_tick_digits(ax, lang)
    return ax
