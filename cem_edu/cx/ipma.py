"""Importance–performance map analysis (IPMA) on a fitted structural equation model."""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..errors import DataError, ModelError
from ..i18n import t, verbatim
from ..validation import check_columns
from ._common import as_frame, recode_reverse, scale_range

__all__ = ["ipma", "ipma_table", "performance", "total_effects_on", "IPMA_QUADRANTS"]

#: Martilla & James (1977) quadrant names, split at the mean importance and mean performance.
IPMA_QUADRANTS = ("Concentrate here", "Keep up the good work", "Low priority", "Possible overkill")


def total_effects_on(result, target: str) -> pd.Series:
    """Unstandardised total effects of every variable on ``target`` from a fitted model.

    ``result`` may offer ``total_effects()`` (a square DataFrame with entry [effect, cause],
    as ``cem_edu.sem`` returns, or a long table with lhs/rhs/est), or be a Series/dict
    ``{construct: effect}`` already. Zero effects (variables not upstream of the target) and
    the target itself are dropped.
    """
    if isinstance(result, Mapping):
        eff = pd.Series(dict(result), dtype=float)
    elif isinstance(result, pd.Series):
        eff = result.astype(float)
    else:
        getter = getattr(result, "total_effects", None)
        if getter is None:
            raise ModelError(t("cx.err.ipma_needs_fit"))
        te = getter() if callable(getter) else getter
        if isinstance(te, pd.DataFrame) and {"lhs", "rhs"} <= set(te.columns):
            col = "est" if "est" in te.columns else te.columns[-1]
            sub = te[te["lhs"] == target]
            eff = pd.Series(sub[col].to_numpy(dtype=float), index=sub["rhs"].astype(str))
        elif isinstance(te, pd.DataFrame):
            if target not in te.index:
                raise ModelError(t("cx.err.ipma_unknown_target", target=target, variables=verbatim(te.index)))
            eff = te.loc[target].astype(float)
        else:
            raise ModelError(t("cx.err.ipma_effects_type"))
    eff = eff.drop(labels=[target], errors="ignore")
    eff = eff[eff.abs() > 1e-12]
    if eff.empty:
        raise ModelError(t("cx.err.ipma_no_effect", target=target))
    return eff


def _indicators(result, inst, constructs) -> dict[str, list[str]]:
    est = getattr(result, "estimates", None)
    out: dict[str, list[str]] = {}
    if isinstance(est, pd.DataFrame) and {"lhs", "op", "rhs"} <= set(est.columns):
        loads = est[est["op"] == "=~"]
        if "group" in loads.columns:
            loads = loads[loads["group"] == loads["group"].iloc[0]] if len(loads) else loads
        for lhs, rhs in zip(loads["lhs"], loads["rhs"]):
            out.setdefault(str(lhs), []).append(str(rhs))
    if inst is not None and hasattr(inst, "items_by_construct"):
        for c, ids in inst.items_by_construct().items():
            out.setdefault(c, list(ids))
    missing = [c for c in constructs if not out.get(c)]
    if missing:
        raise DataError(t("cx.err.ipma_no_indicators", constructs=verbatim(missing)))
    return {c: out[c] for c in constructs}


def _factor_score_weights(result, construct: str, items: list[str]) -> dict[str, float]:
    """w_i ∝ λ_i / θ_i (Bartlett factor-score weights of a single-factor block)."""
    est = getattr(result, "estimates", None)
    if not isinstance(est, pd.DataFrame):
        raise ModelError(t("cx.err.ipma_factor_score_needs_fit"))
    w = {}
    for it in items:
        lam = est[(est["op"] == "=~") & (est["lhs"] == construct) & (est["rhs"] == it)]["est"]
        theta = est[(est["op"] == "~~") & (est["lhs"] == it) & (est["rhs"] == it)]["est"]
        if lam.empty or theta.empty or float(theta.iloc[0]) <= 0:
            raise ModelError(t("cx.err.ipma_no_loading", item=it, construct=construct))
        w[it] = float(lam.iloc[0]) / float(theta.iloc[0])
    return w


def performance(data, indicators: Mapping[str, list[str]], scale=None, weights=None, inst=None) -> pd.DataFrame:
    """Performance of each construct on a 0–100 scale (the IPMA performance axis).

    Each answer is rescaled to 0–100 on its item's scale, x̃ = (x − min) / (max − min) · 100,
    a respondent's construct score is the weighted mean Σ wᵢ x̃ᵢ / Σ wᵢ over answered items, and
    the performance is the mean over respondents.

    Parameters
    ----------
    indicators : {construct: [item columns]}.
    scale : (min, max) for every item, or {item: (min, max)}; default: the instrument's scales,
        else the observed minimum and maximum of each item.
    weights : None (equal weights) or {construct: {item: weight}}.
    inst : optional instrument (item scales; reverse-keyed items are recoded).

    Returns a DataFrame: construct, performance, n (respondents with a score).
    """
    frame = as_frame(data)
    cols = [i for ids in indicators.values() for i in ids]
    check_columns(frame, cols, what="ipma performance")
    num = recode_reverse(frame, inst, cols, data)
    rows, person = [], {}
    for c, ids in indicators.items():
        resc = {}
        for it in ids:
            if isinstance(scale, Mapping):
                lo, hi = scale.get(it, (np.nan, np.nan))
            elif scale is not None:
                lo, hi = scale
            elif inst is not None:
                lo, hi = scale_range(inst, it, default=(num[it].min(), num[it].max()))
            else:
                lo, hi = num[it].min(), num[it].max()
            if not hi > lo:
                raise DataError(t("cx.err.ipma_empty_scale", item=it, lo=lo, hi=hi))
            resc[it] = (num[it] - lo) / (hi - lo) * 100
        block = pd.DataFrame(resc)
        w = np.array([1.0 if not weights or c not in weights else float(weights[c][it]) for it in ids])
        answered = block.notna().to_numpy()
        wsum = (answered * w).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            score = np.where(wsum > 0, np.nan_to_num(block.to_numpy()) @ w / wsum, np.nan)
        person[c] = score
        valid = ~np.isnan(score)
        rows.append({"construct": c, "performance": float(np.nanmean(score)) if valid.any() else np.nan,
                     "n": int(valid.sum())})
    out = pd.DataFrame(rows)
    out.attrs["scores"] = pd.DataFrame(person, index=frame.index)
    return out


def ipma_table(importance, performance_values) -> pd.DataFrame:
    """Combine importance and performance (Series or dicts keyed by construct) into an IPMA table.

    Adds the Martilla & James (1977) quadrant, split at the mean importance and the mean
    performance of the constructs shown: "Concentrate here" (importance ≥ mean, performance <
    mean), "Keep up the good work" (≥, ≥), "Low priority" (<, <), "Possible overkill" (<, ≥).
    Sorted by priority = importance × (100 − performance), the target gain if the construct
    reached full performance.
    """
    imp = pd.Series(importance, dtype=float)
    perf = pd.Series(performance_values, dtype=float)
    common = [c for c in imp.index if c in perf.index]
    out = pd.DataFrame({"construct": common, "importance": imp[common].to_numpy(),
                        "performance": perf[common].to_numpy()})
    mi, mp = out["importance"].mean(), out["performance"].mean()
    hi_i, hi_p = out["importance"] >= mi, out["performance"] >= mp
    out["quadrant"] = np.select([hi_i & ~hi_p, hi_i & hi_p, ~hi_i & ~hi_p], list(IPMA_QUADRANTS[:3]),
                                default=IPMA_QUADRANTS[3])
    out["potential"] = out["importance"] * (100 - out["performance"])
    out = out.sort_values("potential", ascending=False).reset_index(drop=True)
    out.attrs.update(mean_importance=mi, mean_performance=mp)
    return out



def _select(eff: pd.Series, constructs, target: str) -> pd.Series:
    """The total effects of ``constructs`` only (all when None); a construct without one is an error."""
    if constructs is None:
        return eff
    unknown = [c for c in constructs if c not in eff.index]
    if unknown:
        raise ModelError(t("cx.err.ipma_no_total_effect", names=", ".join(map(repr, unknown)), target=target))
    return eff[list(constructs)]

def ipma(result, data, target: str = "loyalty", inst=None, *, constructs=None, indicators=None, scale=None,
         weights: str | Mapping = "equal") -> pd.DataFrame:
    """Importance–performance map of the drivers of ``target`` from a fitted CB-SEM.

    importance_j  = unstandardised total effect of construct j on the target (direct + indirect),
                    from ``result.total_effects()``, expressed per point of the 0–100 scales;
    performance_j = mean construct score rescaled to 0–100, (x − min)/(max − min) · 100 per item,
                    then the (weighted) mean of the construct's items.

    This is the IPMA of SmartPLS and seminr (Ringle & Sarstedt 2016), transferred to a
    covariance-based model. Two choices differ from PLS and are documented here:

    * **A PLS result** (``ce.pls``) gives exactly the PLS IPMA of Ringle & Sarstedt (2016):
      importance = unstandardised total effects on the 0–100 rescaled construct scores, performance
      from the unstandardised outer weights (``PLSResult.ipma_inputs``); ``weights`` must stay at its
      default (the PLS weights are used).
    * **Weights.** PLS uses the rescaled outer weights of each indicator. A CB-SEM has no outer
      weights; we use equal weights (``weights="equal"``, the default: the construct score is the
      item mean, as ``inst.score`` computes it) or Bartlett factor-score weights
      (``weights="factor_score"``: wᵢ ∝ λᵢ/θᵢ from the fitted loadings and residual variances,
      normalised to sum to 1), or your own per-item weights (``weights={construct: {item: w}}``,
      normalised to sum to 1 within each construct). With the PLS model's unstandardised outer
      weights (standardised weight / SD of the rescaled item) and the PLS total effects on the
      rescaled scores as ``result``, this is exactly the PLS IPMA of Ringle & Sarstedt (2016);
      tests/test_cx_ipma_pls.py shows it on the mobi data. (PLS total effects on rescaled scores
      are already in 0–100 points; the marker-range factor below is 1 only when all items share
      one response scale, as in mobi.)
    * **Importance metric.** A latent variable carries the scale of its marker (first) indicator.
      Rescaling predictor and target to 0–100 multiplies the unstandardised effect by
      range(marker of j) / range(marker of target); with a common response scale (as in the
      bundled instrument) the factor is 1 and the importance *is* the SEM total effect: one more
      point of performance of j moves the target's performance by importance_j points.

    Parameters
    ----------
    result : fitted model (``ce.fit``), or a Series/dict of total effects on the target.
    data : the data the model was fitted on (DataFrame or ``ce.clean`` result).
    target : the outcome construct (default "loyalty").
    inst : the instrument (item scales, reverse keys, indicators).
    constructs : restrict to these drivers (default: every construct with a total effect ≠ 0).
    indicators : {construct: [items]} when neither the model estimates nor ``inst`` give them.
    scale : (min, max) or {item: (min, max)}; default the instrument's scales.
    weights : "equal", "factor_score", or {construct: {item: weight}} for every construct shown
        and the target (e.g. PLS unstandardised outer weights).

    Returns
    -------
    DataFrame: construct, importance, performance, quadrant, potential, sorted by potential
    = importance × (100 − performance). ``attrs``: target, target_performance, weights, the
    mean lines (mean_importance, mean_performance).

    References
    ----------
    Ringle, C. M., & Sarstedt, M. (2016). Gain more insight from your PLS-SEM results: the
    importance-performance map analysis. Industrial Management & Data Systems 116(9), 1865–1886.
    Martilla, J. A., & James, J. C. (1977). Importance-performance analysis. Journal of Marketing 41(1), 77–79.
    Hair, J. F., Hult, G. T. M., Ringle, C. M., & Sarstedt, M. (2022). A primer on PLS-SEM, 3rd ed.
    """
    if callable(getattr(result, "ipma_inputs", None)):        # a PLS result (ce.pls): Ringle & Sarstedt (2016)
        return _pls_ipma(result, data, target, inst, constructs=constructs, scale=scale, weights=weights)
    custom = isinstance(weights, Mapping)
    if not custom and weights not in ("equal", "factor_score"):
        raise DataError(t("cx.err.ipma_weights_unknown", weights=weights))
    eff = total_effects_on(result, target)
    eff = _select(eff, constructs, target)
    names = list(eff.index) + [target]
    inds = dict(indicators) if indicators is not None else _indicators(result, inst, names)
    if target not in inds:
        inds.update(_indicators(result, inst, [target]))
    w = None
    if custom:
        w = {}
        for c in names:
            missing = [it for it in inds[c] if it not in weights.get(c, {})]
            if missing:
                raise DataError(t("cx.err.ipma_missing_weights", items=verbatim(missing), construct=c))
            raw = {it: float(weights[c][it]) for it in inds[c]}
            total = sum(raw.values())
            if not np.isfinite(total) or total == 0:
                raise DataError(t("cx.err.ipma_weights_sum", construct=c, total=total))
            w[c] = {k: v / total for k, v in raw.items()}
    elif weights == "factor_score":
        w = {}
        for c in names:
            raw = _factor_score_weights(result, c, inds[c])
            total = sum(raw.values())
            w[c] = {k: v / total for k, v in raw.items()}
    perf = performance(data, {c: inds[c] for c in names}, scale=scale, weights=w, inst=inst)
    perf = perf.set_index("construct")

    def _range(c):
        first = inds[c][0]
        if isinstance(scale, Mapping):
            lo, hi = scale.get(first, (0, 1))
        elif scale is not None:
            lo, hi = scale
        elif inst is not None:
            lo, hi = scale_range(inst, first, default=(np.nan, np.nan))
        else:
            return np.nan
        return float(hi) - float(lo)

    r_target = _range(target)
    factor = pd.Series({c: (_range(c) / r_target) if np.isfinite(_range(c) / r_target) else 1.0 for c in eff.index})
    importance = eff * factor
    out = ipma_table(importance, perf["performance"].drop(labels=[target]))
    out.attrs.update(target=target, target_performance=float(perf.loc[target, "performance"]),
                     weights="custom" if custom else weights,
                     total_effects=eff.to_dict())
    return out


def _item_range(item, frame, scale, inst):
    if isinstance(scale, Mapping):
        return scale.get(item, (np.nan, np.nan))
    if scale is not None:
        return scale
    col = pd.to_numeric(frame[item], errors="coerce")
    if inst is not None:
        return scale_range(inst, item, default=(col.min(), col.max()))
    return col.min(), col.max()


def _pls_ipma(result, data, target, inst, *, constructs, scale, weights):
    """IPMA of a PLS result (Ringle & Sarstedt 2016; see :func:`ipma`)."""
    if weights != "equal":
        raise DataError(t("cx.err.ipma_pls_weights"))
    frame = as_frame(data)
    blocks = result.spec.blocks
    if target not in blocks:
        raise ModelError(t("cx.err.ipma_pls_target", target=target, constructs=verbatim(blocks)))
    ranges = {it: _item_range(it, frame, scale, inst) for c in blocks for it in blocks[c]}
    eff, w = result.ipma_inputs(target, ranges)
    eff = _select(eff, constructs, target)
    names = list(eff.index) + [target]
    norm = {c: {k: v / sum(w[c].values()) for k, v in w[c].items()} for c in names}
    perf = performance(data, {c: blocks[c] for c in names}, scale=ranges, weights=norm, inst=inst)
    perf = perf.set_index("construct")
    out = ipma_table(eff, perf["performance"].drop(labels=[target]))
    out.attrs.update(target=target, target_performance=float(perf.loc[target, "performance"]), weights="pls",
                     total_effects=eff.to_dict())
    return out
