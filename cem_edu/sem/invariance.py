"""Measurement invariance across groups: configural, metric, scalar and strict models.

Each level adds equality constraints across groups (lavaan ``group.equal``):

=========== ==========================================
configural  same pattern of loadings, nothing equal
metric      + loadings (weak invariance)
scalar      + intercepts (strong invariance; latent means free in groups 2..G)
strict      + residual variances
=========== ==========================================

Nested models are compared with the likelihood-ratio test Δχ² = χ²_restricted − χ²_free on
Δdf degrees of freedom (with MLR the Satorra–Bentler (2001) scaled difference
T_d = Δχ² / c_d, c_d = (df₀c₀ − df₁c₁)/(df₀ − df₁), lavaan's ``lavTestLRT`` default), and by
the change in approximate fit. Guidance (not rules): Chen (2007) flags non-invariance when
ΔCFI ≤ −0.010 together with ΔRMSEA ≥ 0.015 (or ΔSRMR ≥ 0.030 for loadings, ≥ 0.010 for
intercepts/residuals); Putnick & Bornstein (2016) review these cut-offs and recommend
reporting Δχ² together with ΔCFI/ΔRMSEA, since Δχ² is very sensitive with large samples.
Partial invariance: free selected parameters with ``group_partial`` (e.g. ``["x3~1"]``).

References: Meredith (1993) Psychometrika 58; Chen (2007) SEM 14(3); Putnick & Bornstein
(2016) Developmental Review 41; Satorra & Bentler (2001) Psychometrika 66.
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import ModelError
from ..i18n import get_language, t
from .result import _clean  # JSON-safe scalars, as in FitResult.to_dict

__all__ = ["invariance", "InvarianceResult", "LEVELS"]

LEVELS = {
    "configural": None,
    "metric": ["loadings"],
    "scalar": ["loadings", "intercepts"],
    "strict": ["loadings", "intercepts", "residuals"],
}
COLUMNS = ["npar", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea_ci_lower", "rmsea_ci_upper", "srmr",
           "aic", "bic"]
ROBUST = ["chisq_scaled", "chisq_scaling_factor", "cfi_robust", "tli_robust", "rmsea_robust"]




def _lrt(f0: pd.Series, f1: pd.Series, robust: bool) -> tuple[float, float, float]:
    """Δχ², Δdf, p of the restricted model f1 against the freer model f0."""
    from scipy import special

    d_df = float(f1["df"] - f0["df"])
    d_chi = float(f1["chisq"] - f0["chisq"])
    if robust and "chisq_scaling_factor" in f1.index and d_df > 0:
        c0, c1 = float(f0["chisq_scaling_factor"]), float(f1["chisq_scaling_factor"])
        cd = (f1["df"] * c1 - f0["df"] * c0) / d_df
        d_chi = d_chi / cd if cd > 0 else np.nan
    p = float(special.chdtrc(d_df, d_chi)) if d_df > 0 and np.isfinite(d_chi) else np.nan
    return d_chi, d_df, p


@dataclass(frozen=True, eq=False)
class InvarianceResult:
    """``table``: one row per level (fit measures + comparison with the previous level);
    ``fits``: the FitResult of each level; ``guidance``: text per comparison."""

    table: pd.DataFrame
    fits: dict = field(repr=False)
    group: str = ""
    estimator: str = "ML"
    guidance: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """{"configural": {fit measures}, "metric": {... + delta_*}, "scalar": ..., "strict": ...}."""
        out = {}
        for level, res in self.fits.items():
            d = {k: _clean(v) for k, v in res.fit.items()}
            row = self.table.loc[level]
            for k in ("delta_chisq", "delta_df", "delta_pvalue", "delta_cfi", "delta_rmsea", "delta_srmr"):
                if k in row.index:
                    d[k] = _clean(row[k])
            if level in self.guidance:
                d["guidance"] = self.guidance[level]
            out[level] = d
        return out

    def __str__(self) -> str:
        lines = [t("invariance.title", group=self.group, estimator=self.estimator), ""]
        show = self.table.copy()
        for col in ("npar", "df", "delta_df"):  # counts print as integers
            if col in show.columns:
                show[col] = show[col].map(lambda v: "" if pd.isna(v) else str(int(v)))
        lines.append(show.to_string(float_format=lambda v: f"{v:.3f}", na_rep=""))
        lines.append("")
        for level, text in self.guidance.items():
            lines.append(f"{level}: {text}")
        lines.append("")
        lines.append(t("invariance.note"))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<InvarianceResult group={self.group!r} levels={list(self.fits)}>"

    def _repr_html_(self) -> str:
        table = self.table.to_html(float_format=lambda v: f"{v:.3f}", na_rep="")
        notes = "".join(f"<li><b>{html.escape(k)}</b>: {html.escape(v)}</li>" for k, v in self.guidance.items())
        lang = get_language()
        attr = ' dir="rtl"' if lang == "fa" else ""
        return (f"<div class='cem-edu-output {lang}'{attr}>"
                f"<p>{html.escape(t('invariance.title', group=self.group, estimator=self.estimator))}</p>"
                f"{table}<ul>{notes}</ul><p><i>{html.escape(t('invariance.note'))}</i></p></div>")


def _guidance(level: str, d_cfi: float, d_rmsea: float, d_srmr: float, p: float) -> str:
    srmr_cut = 0.030 if level == "metric" else 0.010
    flags = []
    if np.isfinite(d_cfi) and d_cfi <= -0.010:
        flags.append(t("invariance.flag_cfi", value=f"{d_cfi:.3f}"))
    if np.isfinite(d_rmsea) and d_rmsea >= 0.015:
        flags.append(t("invariance.flag_rmsea", value=f"{d_rmsea:.3f}"))
    if np.isfinite(d_srmr) and d_srmr >= srmr_cut:
        flags.append(t("invariance.flag_srmr", value=f"{d_srmr:.3f}", cut=f"{srmr_cut:.3f}"))
    chi = t("invariance.chi_sig", p=f"{p:.3f}") if np.isfinite(p) and p < 0.05 else \
        t("invariance.chi_ns", p=f"{p:.3f}")
    if len(flags) >= 2 or (flags and not np.isfinite(d_rmsea)):
        verdict = t("invariance.verdict_not", level=level, flags="; ".join(flags))
    elif flags:
        verdict = t("invariance.verdict_mixed", level=level, flags="; ".join(flags))
    else:
        verdict = t("invariance.verdict_ok", level=level)
    return f"{verdict} {chi}"


def invariance(model: str, data, group: str, estimator: str | None = None, group_partial=None,
               missing: str = "listwise", levels=None, std_lv: bool = False, ordered=None) -> InvarianceResult:
    """Fit the configural, metric, scalar and strict models and compare them.

    Parameters
    ----------
    model : lavaan syntax of the measurement model (one group's pattern).
    data : DataFrame (or CleanData); group : the column with the groups.
    estimator : "ML" or "MLR" (then scaled Δχ² and robust CFI/RMSEA are reported too).
    group_partial : parameters left free across groups (partial invariance), e.g.
        ``["x3 ~ 1", "visual =~ x2"]``.
    missing : "listwise" or "fiml" ("listwise" or "pairwise" with ``ordered``).
    levels : default ("configural", "metric", "scalar", "strict"); with ``ordered``
        ("configural", "thresholds", "loadings", "intercepts").
    ordered : True or a list of columns: ordinal items, WLSMV, the ladder of Wu & Estabrook (2016) as
        semTools' ``measEq.syntax`` (see :func:`cem_edu.sem.wls.ordinal_invariance`).

    Returns
    -------
    InvarianceResult with ``.table`` (rows = levels; columns npar chisq df pvalue cfi tli rmsea
    rmsea_ci_lower rmsea_ci_upper srmr aic bic, delta_chisq delta_df delta_pvalue delta_cfi
    delta_rmsea delta_srmr) and ``.to_dict()``.

    Example
    -------
    >>> res = invariance(hs_model, hs, group="school")   # doctest: +SKIP
    >>> res.table[["chisq", "df", "cfi", "delta_cfi"]]     # doctest: +SKIP
    """
    from . import fit

    if ordered is not None and ordered is not False:     # ordinal items: sem/wls.py (issue #18)
        if group_partial or std_lv:
            raise ModelError(t("sem.ordinal.not_available", what="group_partial/std_lv (invariance)"))
        from .wls import ordinal_invariance
        return ordinal_invariance(model, data, group, ordered=ordered, estimator=estimator, missing=missing,
                                  levels=levels or ("configural", "thresholds", "loadings", "intercepts"))
    levels = levels or ("configural", "metric", "scalar", "strict")
    estimator = "ML" if estimator is None else str(estimator).upper()
    robust = estimator == "MLR"
    fits = {}
    for level in levels:
        fits[level] = fit(model, data, estimator=estimator, missing=missing, group=group,
                          group_equal=LEVELS[level], group_partial=group_partial if LEVELS[level] else None,
                          std_lv=std_lv, progress=False, _warn_listwise=(level == levels[0]))
    cols = COLUMNS + (ROBUST if robust else [])
    rows = []
    guidance = {}
    prev = None
    for level, res in fits.items():
        f = res.fit
        row = {c: float(f[c]) if c in f.index else np.nan for c in cols}
        if prev is not None:
            fp = fits[prev].fit
            d_chi, d_df, p = _lrt(fp, f, robust)
            cfi_k = "cfi_robust" if robust and np.isfinite(f.get("cfi_robust", np.nan)) else "cfi"
            rm_k = "rmsea_robust" if robust and np.isfinite(f.get("rmsea_robust", np.nan)) else "rmsea"
            row.update(delta_chisq=d_chi, delta_df=d_df, delta_pvalue=p,
                       delta_cfi=float(f[cfi_k] - fp[cfi_k]), delta_rmsea=float(f[rm_k] - fp[rm_k]),
                       delta_srmr=float(f["srmr"] - fp["srmr"]))
            guidance[level] = _guidance(level, row["delta_cfi"], row["delta_rmsea"], row["delta_srmr"], p)
        else:
            row.update(delta_chisq=np.nan, delta_df=np.nan, delta_pvalue=np.nan, delta_cfi=np.nan,
                       delta_rmsea=np.nan, delta_srmr=np.nan)
        rows.append(row)
        prev = level
    table = pd.DataFrame(rows, index=pd.Index(list(fits), name="level"))
    return InvarianceResult(table=table, fits=fits, group=group, estimator=estimator, guidance=guidance)
