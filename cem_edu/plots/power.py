"""Power curve of a Monte Carlo power study (``cem_edu.power``)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..i18n import get_language, t, to_persian_digits
from ._theme import apply_direction, prepare

__all__ = ["power_curve"]


def power_curve(result: pd.DataFrame, params=None, ax=None, *, target: float = 0.80, ops=("~", ":="),
                language: str | None = None):
    """Power against sample size, one line per parameter.

    Parameters
    ----------
    result : the DataFrame returned by :func:`cem_edu.power`.
    params : parameters to draw, as ``"lhs op rhs"`` strings (e.g. ``"loyalty ~ satisfaction"``) or
        labels; default: every parameter whose op is in ``ops`` (regressions and ``:=`` effects).
    target : draws a dashed line at the usual 0.80 power.
    Returns the Axes.
    """
    import matplotlib.pyplot as plt

    prepare()
    lang = language or get_language()
    df = result.copy()
    df["name"] = np.where(df["op"] == ":=", df["lhs"], df["lhs"] + " " + df["op"] + " " + df["rhs"])
    if params is not None:
        want = {str(p).replace(" ", "") for p in params}
        keep = df["name"].str.replace(" ", "").isin(want) | df["label"].astype(str).isin(want)
        df = df[keep]
    else:
        df = df[df["op"].isin(ops)]
        if df.empty:
            df = result.assign(name=result["lhs"] + " " + result["op"] + " " + result["rhs"])
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    for name, part in df.groupby("name", sort=False):
        part = part.sort_values("n")
        ax.plot(part["n"], part["power"], "o-", label=name)
    ax.axhline(target, ls="--", color="0.4", lw=1)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(t("plots.power.xlabel", language=lang))
    ax.set_ylabel(t("plots.power.ylabel", language=lang))
    ax.set_title(t("plots.power.title", language=lang, target=f"{target:.2f}"))
    if lang == "fa":
        ax.set_xticks(sorted(df["n"].unique()))
        ax.set_xticklabels([to_persian_digits(str(int(v))) for v in sorted(df["n"].unique())])
    ax.legend(fontsize=8, loc="lower right")
    apply_direction(ax, lang)
    return ax
