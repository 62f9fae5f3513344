"""Item statistics: the first table of every questionnaire study.

``describe_items(data, spec)`` gives, per item, n, % missing, mean, SD, median, min, max, skew,
kurtosis (``psych::describe``'s defaults, type 3), standard error, % of answers at the floor and the
ceiling of the answer scale, and the item–rest correlation within its construct (psych::alpha's
``r.drop``).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..intake import as_frame
from .constructs import check_items, resolve_spec, scale_bounds

__all__ = ["describe_items", "skew", "kurtosis"]


def _centred(x) -> tuple[int, np.ndarray, float] | None:
    """n, deviations from the mean and their sum of squares over the finite values, or None when
    skewness and kurtosis are undefined (fewer than 2 values, or no variance)."""
    x = np.asarray(x, dtype=float)
    x = x[np.isfinite(x)]
    if x.size < 2:
        return None
    d = x - x.mean()
    m2 = (d ** 2).sum()
    return None if m2 == 0 else (x.size, d, m2)


def skew(x: np.ndarray) -> float:
    """Sample skewness, psych::skew type 3: b1 = g1·((n − 1)/n)^{3/2}, g1 = m3 / m2^{3/2}.

    Reference: Joanes & Gill (1998), The Statistician 47(1), 183–189 (type 3 = MINITAB/BMDP b1).
    """
    c = _centred(x)
    if c is None:
        return np.nan
    n, d, m2 = c
    g1 = np.sqrt(n) * (d ** 3).sum() / m2 ** 1.5
    return float(g1 * (1 - 1 / n) ** 1.5)


def kurtosis(x: np.ndarray) -> float:
    """Excess kurtosis, psych::kurtosi type 3: b2 = (g2 + 3)·(1 − 1/n)² − 3, g2 = m4/m2² − 3.

    Reference: Joanes & Gill (1998), The Statistician 47(1), 183–189.
    """
    c = _centred(x)
    if c is None:
        return np.nan
    n, d, m2 = c
    g2 = n * (d ** 4).sum() / m2 ** 2 - 3
    return float((g2 + 3) * (1 - 1 / n) ** 2 - 3)


def _item_rest(x: np.ndarray) -> np.ndarray:
    from ..stats.moments import pairwise_cov  # noqa: PLC0415

    k = x.shape[1]
    if k < 2:
        return np.full(k, np.nan)
    C = pairwise_cov(x)
    out = np.empty(k)
    for i in range(k):
        keep = np.arange(k) != i
        out[i] = (C[:, i].sum() - C[i, i]) / np.sqrt(C[i, i] * C[np.ix_(keep, keep)].sum())
    return out


def describe_items(data, spec=None) -> pd.DataFrame:
    """Descriptive statistics per item, one row per item.

    Parameters
    ----------
    data : DataFrame or CleanData
    spec : Instrument, lavaan syntax, dict {construct: [columns]} or None
        Groups items into constructs (for the item–rest correlation) and, for an Instrument, gives
        each item's answer scale (for floor/ceiling). Without it all numeric columns are one scale
        and floor/ceiling use the observed minimum and maximum.

    Returns
    -------
    DataFrame indexed by item with columns construct, n, missing_pct, mean, sd, median, min, max,
    skew, kurtosis, se, floor_pct, ceiling_pct, item_rest_r.

    Notes
    -----
    sd uses n − 1; skew and kurtosis are psych::describe's default (type 3):
    b1 = g1·((n − 1)/n)^{3/2}, b2 = (g2 + 3)(1 − 1/n)² − 3; se = sd/√n. floor_pct and ceiling_pct
    are the percentages of answers equal to the scale's lowest and highest point (values above
    15 % are a common warning sign of a floor or ceiling effect; Terwee et al. 2007).
    item_rest_r is the correlation of the item with the sum of the other items of its construct
    (pairwise covariances, psych::alpha's r.drop); NaN for single-item constructs.

    References
    ----------
    Revelle, psych::describe. Terwee et al. (2007), Journal of Clinical Epidemiology 60, 34–42.
    """
    df = as_frame(data)
    sp = resolve_spec(spec, df)
    rows = []
    for construct, cols in sp.items():
        x = check_items(df, cols, where=f"({construct})", allow_constant=True)
        rest = _item_rest(x) if len(cols) > 1 and np.all(np.nanstd(x, axis=0) > 0) else np.full(len(cols), np.nan)
        for j, c in enumerate(cols):
            v = x[:, j]
            ok = v[np.isfinite(v)]
            n = ok.size
            lo, hi = scale_bounds(spec, c, v)
            sd = float(np.std(ok, ddof=1)) if n > 1 else np.nan
            rows.append({
                "item": c, "construct": construct, "n": n,
                "missing_pct": 100.0 * (1 - n / len(v)) if len(v) else np.nan,
                "mean": float(ok.mean()) if n else np.nan, "sd": sd,
                "median": float(np.median(ok)) if n else np.nan,
                "min": float(ok.min()) if n else np.nan, "max": float(ok.max()) if n else np.nan,
                "skew": skew(ok), "kurtosis": kurtosis(ok),
                "se": sd / np.sqrt(n) if n else np.nan,
                "floor_pct": 100.0 * float(np.mean(ok == lo)) if n else np.nan,
                "ceiling_pct": 100.0 * float(np.mean(ok == hi)) if n else np.nan,
                "item_rest_r": rest[j],
            })
    out = pd.DataFrame(rows).set_index("item")
    out["n"] = out["n"].astype(int)
    return out
