"""The customer rating matrix of Meyer & Schwager (2007): revenue × satisfaction quadrants."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import DataError
from ..i18n import t
from ..validation import check_columns
from ._common import as_frame, to_numeric

__all__ = ["rating_matrix", "quadrant_summary", "hitouch_example", "QUADRANTS"]

#: Quadrant names in display order (high revenue first).
QUADRANTS = ("Model", "At risk", "Growth", "Dangling")
_QUADRANT_KEYS = {"Model": "model", "At risk": "at_risk", "Growth": "growth", "Dangling": "dangling"}


def quadrant_label(quadrant: str, language: str | None = None) -> str:
    """Display name of a quadrant in the current (or given) language."""
    return t(f"cx.quadrant.{_QUADRANT_KEYS[quadrant]}", language=language)


def _values(x, data, name):
    if x is None:
        return None
    if isinstance(x, str) and data is not None:
        check_columns(data, [x], what="rating_matrix")
        return to_numeric(data[x], x)
    s = x if isinstance(x, pd.Series) else pd.Series(np.asarray(x, dtype=object))
    return to_numeric(s, str(s.name) if s.name is not None else name)


def rating_matrix(revenue, satisfaction, forecast=None, revenue_threshold=None, satisfaction_threshold=None,
                  labels=None, *, data=None) -> pd.DataFrame:
    """Place customers in the customer rating matrix of Meyer & Schwager (2007).

    Revenue (billed) is the vertical axis, satisfaction the horizontal one; bubble size is the
    forecast revenue (orders placed but not paid, and potential orders).

    ============  ================  ====================
    quadrant      revenue           satisfaction
    ============  ================  ====================
    Model         high (≥ τ_r)      high (≥ τ_s)
    At risk       high              low (< τ_s)
    Growth        low (< τ_r)       high
    Dangling      low               low
    ============  ================  ====================

    Parameters
    ----------
    revenue, satisfaction : Series/arrays aligned row by row (or column names with ``data=``).
    forecast : optional forecast revenue (bubble size).
    revenue_threshold, satisfaction_threshold : cut points τ_r, τ_s; default the medians of the
        customers kept. The article's HiTouch example uses τ_r = 10 (million dollars).
    labels : optional customer names (default: the index).
    data : optional DataFrame; then the other arguments may be its column names.

    Returns
    -------
    DataFrame indexed by customer with revenue, satisfaction, [forecast,] high_revenue,
    high_satisfaction, quadrant (English names above, an ordered categorical) and
    quadrant_fa (Persian display names). ``attrs`` holds the thresholds used, ``n_excluded``
    and the ``excluded`` labels.

    Notes
    -----
    **Ties go to the high side**: a value exactly at a threshold counts as high (≥), so with the
    median default at least half of the customers are "high". Customers with a missing revenue
    or satisfaction are excluded and reported in ``attrs`` (a missing forecast keeps the customer
    and draws the smallest bubble).

    Reference
    ---------
    Meyer, C., & Schwager, A. (2007). Understanding customer experience. Harvard Business Review
    85(2), 116–126 (exhibit "Rating customers", the HiTouch composite).
    """
    frame = as_frame(data) if data is not None else None
    rev = _values(revenue, frame, "revenue")
    sat = _values(satisfaction, frame, "satisfaction")
    fc = _values(forecast, frame, "forecast")
    n = len(rev)
    if len(sat) != n or (fc is not None and len(fc) != n):
        raise DataError(t("cx.err.rating_lengths", n=n, k=len(sat)))
    if labels is None:
        index = frame.index if frame is not None else (rev.index if isinstance(revenue, pd.Series) else pd.RangeIndex(n))
    elif isinstance(labels, str) and frame is not None:
        check_columns(frame, [labels], what="rating_matrix(labels=...)")
        index = pd.Index(frame[labels].astype(str), name=labels)
    else:
        index = pd.Index(list(labels), name="customer")
        if len(index) != n:
            raise DataError(t("cx.err.rating_labels", n=len(index), k=n))
    out = pd.DataFrame({"revenue": rev.to_numpy(), "satisfaction": sat.to_numpy()}, index=index)
    if fc is not None:
        out["forecast"] = fc.to_numpy()
        if (out["forecast"].dropna() < 0).any():
            raise DataError(t("cx.err.rating_negative_forecast"))
    bad = out["revenue"].isna() | out["satisfaction"].isna()
    excluded = list(out.index[bad])
    out = out[~bad].copy()
    if out.empty:
        raise DataError(t("cx.err.rating_no_customer"))
    tau_r = float(out["revenue"].median()) if revenue_threshold is None else float(revenue_threshold)
    tau_s = float(out["satisfaction"].median()) if satisfaction_threshold is None else float(satisfaction_threshold)
    out["high_revenue"] = out["revenue"] >= tau_r
    out["high_satisfaction"] = out["satisfaction"] >= tau_s
    quad = np.select(
        [out["high_revenue"] & out["high_satisfaction"], out["high_revenue"] & ~out["high_satisfaction"],
         ~out["high_revenue"] & out["high_satisfaction"]],
        ["Model", "At risk", "Growth"], default="Dangling")
    out["quadrant"] = pd.Categorical(quad, categories=list(QUADRANTS), ordered=True)
    out["quadrant_fa"] = [quadrant_label(q, "fa") for q in quad]
    out.attrs.update(revenue_threshold=tau_r, satisfaction_threshold=tau_s, n_excluded=len(excluded),
                     excluded=[str(x) for x in excluded],
                     threshold_rule="value >= threshold is high (ties go to the high side)")
    return out


def quadrant_summary(matrix: pd.DataFrame) -> pd.DataFrame:
    """Customers, revenue and forecast per quadrant of a :func:`rating_matrix` result."""
    agg = {"customers": ("revenue", "size"), "revenue": ("revenue", "sum"), "mean_satisfaction": ("satisfaction", "mean")}
    if "forecast" in matrix.columns:
        agg["forecast"] = ("forecast", "sum")
    out = matrix.groupby("quadrant", observed=False).agg(**agg)
    out["share_revenue"] = out["revenue"] / out["revenue"].sum() if out["revenue"].sum() else np.nan
    out["quadrant_fa"] = [quadrant_label(q, "fa") for q in out.index]
    return out


def hitouch_example() -> pd.DataFrame:
    """An illustrative customer list in the spirit of the HiTouch exhibit (Meyer & Schwager 2007).

    The article shows a composite firm's customers as bubbles: billed revenue 0–25 M$,
    satisfaction from low to high, high value above 10 M$. Customer A (at risk) has the second-
    highest billings and forecast; customer B (growth) has low billings, high satisfaction and a
    large forecast. The numbers below are invented for teaching (the article gives no table);
    revenue and forecast in M$, satisfaction on a 0–100 index.
    """
    rows = [
        ("A", 21.0, 28, 14.0), ("B", 5.5, 82, 11.0), ("C", 23.5, 78, 15.0), ("D", 16.0, 71, 6.0),
        ("E", 12.5, 35, 4.0), ("F", 3.0, 30, 1.0), ("G", 7.0, 44, 2.5), ("H", 8.5, 88, 7.0),
        ("I", 2.0, 66, 3.0), ("J", 14.0, 62, 5.0), ("K", 1.5, 20, 0.5), ("L", 6.0, 58, 4.5),
    ]
    return pd.DataFrame(rows, columns=["customer", "revenue", "satisfaction", "forecast"]).set_index("customer")
