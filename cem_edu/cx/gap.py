"""Expectation–experience gaps (SERVQUAL-style P − E) with paired confidence intervals.

Each expectation item ("how good should … be") mirrors one experience item ("how good
was …"). The gap of a respondent is experience minus expectation (P − E, Parasuraman,
Zeithaml & Berry 1988): negative means the experience fell short of what was expected.
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import DataError
from ..i18n import t
from ..validation import check_columns
from ._common import as_frame, expectation_pairs, item_attr, recode_reverse, to_numeric

__all__ = ["gap", "paired_gap", "delivery_gap", "BAIN_2005", "GAP_COLUMNS"]

#: Columns of a :func:`gap` table (a segment column, when ``by`` is used, comes first).
GAP_COLUMNS = ("group", "expectation", "experience", "n", "n_missing", "mean_expectation", "mean_experience",
               "gap", "sd_gap", "se", "t", "df", "pvalue", "ci_lower", "ci_upper", "dz")

#: The "delivery gap" survey of 362 firms (Bain & Company; Allen, Reichheld, Hamilton & Markey 2005),
#: as reported by Meyer & Schwager (2007, HBR): 80% of the firms believed they delivered a superior
#: experience, 8% of their customers said so.
BAIN_2005 = {"firms": 362, "firms_believe_superior": 0.80, "customers_agree": 0.08,
             "source": "Bain & Company survey of 362 firms (Allen, Reichheld, Hamilton & Markey 2005), "
                       "reported by Meyer & Schwager (2007), Harvard Business Review 85(2), 116–126"}


def paired_gap(expectation, experience, ci: float = 0.95) -> dict:
    """Mean paired difference d = P − E with a paired-t CI and Cohen's d_z.

    Returns a dict: n, n_missing, mean_expectation, mean_experience, gap, sd_gap, se, t, df, pvalue,
    ci_lower, ci_upper, dz.

    d̄ = mean(P − E),  SE = s_d / √n,  CI = d̄ ± t₁₋α/₂,ₙ₋₁ · SE,  t = d̄ / SE,
    d_z = d̄ / s_d (Cohen 1988; Lakens 2013). Pairs with a missing value are dropped.
    """
    e = pd.Series(np.asarray(expectation, dtype=float))
    p = pd.Series(np.asarray(experience, dtype=float))
    ok = e.notna() & p.notna()
    e, p = e[ok].to_numpy(), p[ok].to_numpy()
    n = len(e)
    d = p - e
    nan = float("nan")
    out = {"n": n, "n_missing": int(len(ok) - n), "mean_expectation": e.mean() if n else nan, "mean_experience": p.mean() if n else nan,
           "gap": d.mean() if n else nan, "sd_gap": nan, "se": nan, "t": nan, "df": n - 1,
           "pvalue": nan, "ci_lower": nan, "ci_upper": nan, "dz": nan}
    if n >= 2:
        sd = d.std(ddof=1)
        se = sd / np.sqrt(n)
        q = stats.t.ppf(0.5 + ci / 2, n - 1)
        out.update(sd_gap=sd, se=se, ci_lower=out["gap"] - q * se, ci_upper=out["gap"] + q * se)
        if se > 0:
            tval = out["gap"] / se
            out.update(t=tval, pvalue=float(2 * stats.t.sf(abs(tval), n - 1)), dz=out["gap"] / sd)
    return out


def _pairs(pairs_or_inst) -> tuple[dict[str, str], object]:
    if pairs_or_inst is None:
        raise DataError(t("cx.err.gap_no_pairs"))
    if isinstance(pairs_or_inst, Mapping):
        return {str(k): str(v) for k, v in pairs_or_inst.items()}, None
    if isinstance(pairs_or_inst, (list, tuple)):
        return {str(a): str(b) for a, b in pairs_or_inst}, None
    pairs = expectation_pairs(pairs_or_inst)
    if not pairs:
        raise DataError(t("cx.err.gap_instrument_no_pairs"))
    return pairs, pairs_or_inst


def gap(data, pairs=None, by=None, level: str = "pair", groups: Mapping | None = None,
        ci: float = 0.95) -> pd.DataFrame:
    """Expectation–experience gap (P − E) per item pair, construct or touchpoint, with paired CIs.

    Parameters
    ----------
    data : DataFrame (or ``ce.clean`` result) with the expectation and experience items.
    pairs : the instrument (its ``expectation_pairs``) or a dict ``{expectation_item: experience_item}``
        (or a list of such tuples).
    by : optional column name (or aligned Series) of segments; gaps are computed per segment.
    level : ``"pair"`` (one row per item pair), ``"construct"`` or ``"touchpoint"`` (pairs pooled:
        each respondent's mean over the pairs of that group, from the instrument's item tags
        or the ``groups`` mapping), or ``"overall"`` (all pairs pooled).
    groups : ``{experience_item: group label}`` used for ``level="construct"``/``"touchpoint"``
        when no instrument is given.
    ci : confidence level.

    Returns
    -------
    DataFrame with columns [segment,] group, expectation, experience, n, n_missing (respondents
    without a complete pair, excluded), mean_expectation,
    mean_experience, gap, sd_gap, se, t, df, pvalue, ci_lower, ci_upper, dz.

    Notes
    -----
    For respondent i, d_i = P_i − E_i (pooled levels: the mean of the respondent's answered
    experience items minus the mean of the same pairs' expectation items, complete pairs only).
    gap = d̄, CI = d̄ ± t₁₋α/₂,ₙ₋₁ s_d/√n (paired t), Cohen's d_z = d̄ / s_d. A negative gap is
    a shortfall: the experience is below what the customer expected.

    References
    ----------
    Parasuraman, A., Zeithaml, V. A., & Berry, L. L. (1988). SERVQUAL. Journal of Retailing 64(1), 12–40.
    Meyer, C., & Schwager, A. (2007). Understanding customer experience. Harvard Business Review 85(2).
    Lakens, D. (2013). Calculating and reporting effect sizes. Frontiers in Psychology 4, 863.
    """
    frame = as_frame(data)
    mapping, inst = _pairs(pairs)
    cols = list(mapping) + list(mapping.values())
    check_columns(frame, cols, what="gap")
    if level not in ("pair", "construct", "touchpoint", "overall"):
        raise DataError(t("cx.err.gap_level", level=level))
    num = recode_reverse(frame, inst, cols, data)

    if level == "pair":
        units = [(f"{p}", [(e, p)]) for e, p in mapping.items()]
    else:
        buckets: dict[str, list] = {}
        for e, p in mapping.items():
            if level == "overall":
                key = "all"
            elif groups is not None and p in groups:
                key = str(groups[p])
            elif inst is not None:
                key = item_attr(inst, p, level) or item_attr(inst, e, level)
                if key is None:
                    raise DataError(t("cx.err.gap_no_tag", item=p, level=level))
                key = str(key)
            else:
                raise DataError(t("cx.err.gap_no_group", level=level, item=p))
            buckets.setdefault(key, []).append((e, p))
        units = list(buckets.items())

    if by is not None:
        seg = frame[by] if isinstance(by, str) else pd.Series(np.asarray(by, dtype=object), index=frame.index)
        seg_name = by if isinstance(by, str) else (getattr(by, "name", None) or "segment")
        levels = [lv for lv in pd.unique(seg.dropna())]
        try:
            levels = sorted(levels)
        except TypeError:
            pass
        segments = [(str(lv), seg == lv) for lv in levels]
    else:
        seg_name, segments = None, [(None, pd.Series(True, index=frame.index))]

    rows = []
    for seg_label, mask in segments:
        sub = num[mask.to_numpy()]
        for name, members in units:
            e_cols = [e for e, _ in members]
            p_cols = [p for _, p in members]
            if len(members) == 1:
                e_val, p_val = sub[e_cols[0]], sub[p_cols[0]]
            else:
                e_block = sub[e_cols].to_numpy()
                p_block = sub[p_cols].to_numpy()
                both = ~(np.isnan(e_block) | np.isnan(p_block))
                cnt = both.sum(axis=1)
                with np.errstate(invalid="ignore", divide="ignore"):
                    e_val = np.where(cnt > 0, np.where(both, e_block, 0).sum(axis=1) / cnt, np.nan)
                    p_val = np.where(cnt > 0, np.where(both, p_block, 0).sum(axis=1) / cnt, np.nan)
            res = paired_gap(e_val, p_val, ci=ci)
            row = {"group": name, "expectation": ", ".join(e_cols), "experience": ", ".join(p_cols), **res}
            if seg_name is not None:
                row = {seg_name: seg_label, **row}
            rows.append(row)
    out = pd.DataFrame(rows)
    out.attrs.update(level=level, ci=ci, sign="P - E")
    return out


def delivery_gap(customer_scores, firm_belief: float = BAIN_2005["firms_believe_superior"],
                 superior: float | None = None, ci: float = 0.95) -> pd.DataFrame:
    """The "delivery gap": how many customers call the experience superior vs what the firm believes.

    The published benchmark is :data:`BAIN_2005` (Meyer & Schwager 2007: of 362 firms, 80% believed
    they delivered a superior experience, while 8% of their customers agreed); ``firm_belief``
    defaults to its 80%. ``customer_scores`` (e.g. satisfaction or experience ratings) are required:
    the customers' share is the share of answers ≥ ``superior`` (default: the top box = the highest observed scale point),
    with a Wilson score interval:

        p̂ ± z√(p̂(1−p̂)/n + z²/4n²) / (1 + z²/n), centred at (p̂ + z²/2n)/(1 + z²/n)

    Returns a two-row DataFrame: view ("firm", "customers"), share, ci_lower, ci_upper, n, and
    the gap in percentage points (firm − customers) in ``attrs["gap_points"]``.

    Reference: Allen, J., Reichheld, F. F., Hamilton, B., & Markey, R. (2005). Closing the delivery
    gap. Bain & Company; reported by Meyer, C., & Schwager, A. (2007). Understanding customer
    experience. Harvard Business Review 85(2), 116–126. Wilson, E. B. (1927). JASA 22, 209–212.
    """
    if customer_scores is None:
        raise DataError(t("cx.delivery_gap.no_data"))
    s = to_numeric(customer_scores, getattr(customer_scores, "name", None) or "scores").dropna()
    if s.empty:
        raise DataError(t("cx.err.delivery_gap_empty"))
    cut = float(s.max()) if superior is None else float(superior)
    n = len(s)
    share = float((s >= cut).mean())
    z = stats.norm.ppf(0.5 + ci / 2)
    centre = (share + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(share * (1 - share) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    lo, hi = max(0.0, centre - half), min(1.0, centre + half)
    out = pd.DataFrame({"view": ["firm", "customers"], "share": [firm_belief, share],
                        "ci_lower": [np.nan, lo], "ci_upper": [np.nan, hi], "n": [None, n]})
    out.attrs["gap_points"] = 100 * (firm_belief - share)
    out.attrs["source"] = BAIN_2005["source"]
    return out
