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
the change in approximate fit. Guidance (not rules) from Chen (2007), whose abstract notes that
"Unequal sample sizes affect changes across all 3 levels of invariance: Changes are bigger when
sample sizes are equal rather than when they are unequal", so the cut-offs depend on the total N
and the balance of the groups (Chen 2007, p. 501; :data:`CHEN_2007`):

=============================== ======= ======== ================= ==========================
rule                            ΔCFI    ΔRMSEA   ΔSRMR (loadings)  ΔSRMR (intercepts/residuals)
=============================== ======= ======== ================= ==========================
N > 300 and equal groups        −.010   .015     .030              .010
N ≤ 300 or unequal groups       −.005   .010     .025              .005
=============================== ======= ======== ================= ==========================

Non-invariance is flagged when the CFI drop reaches its cut-off *supplemented by* a rise in RMSEA
or SRMR reaching theirs; one flag alone makes the level questionable. Groups count as equal when
the smallest is at least ``balance`` (default 0.8) times the largest — the kit's convention, since
Chen contrasts equal with clearly unequal designs. The rule applied is stored in
``InvarianceResult.rule`` and printed with the result. Putnick & Bornstein (2016) review these
cut-offs and recommend reporting Δχ² together with ΔCFI/ΔRMSEA, since Δχ² is very sensitive with
large samples.
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
from ..results import Result, json_safe, output_html

__all__ = ["invariance", "InvarianceResult", "LEVELS", "CHEN_2007", "chen_rule"]

LEVELS = {
    "configural": None,
    "metric": ["loadings"],
    "scalar": ["loadings", "intercepts"],
    "strict": ["loadings", "intercepts", "residuals"],
}
COLUMNS = ["npar", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea_ci_lower", "rmsea_ci_upper", "srmr",
           "aic", "bic"]
ROBUST = ["chisq_scaled", "chisq_scaling_factor", "cfi_robust", "tli_robust", "rmsea_robust"]

#: Chen (2007, p. 501) cut-offs for the change in fit from one level to the next: the CFI drop,
#: the RMSEA rise and the SRMR rise (loadings = metric step; intercepts = scalar and strict steps).
CHEN_2007 = {
    "large": {"cfi": 0.010, "rmsea": 0.015, "srmr_loadings": 0.030, "srmr_intercepts": 0.010},
    "small": {"cfi": 0.005, "rmsea": 0.010, "srmr_loadings": 0.025, "srmr_intercepts": 0.005},
}


def chen_rule(group_sizes, balance: float = 0.8, rule: str = "auto") -> dict:
    """Which of Chen's (2007) two sets of cut-offs applies to these group sizes.

    ``"large"`` (ΔCFI −.010, ΔRMSEA .015, ΔSRMR .030/.010) when the total N > 300 and the groups are
    equal (smallest / largest ≥ ``balance``); ``"small"`` (−.005, .010, .025/.005) when N ≤ 300 or the
    groups are unequal. ``rule="large"`` or ``"small"`` forces a set (the reason then says so).

    Returns {"rule", "n", "group_sizes", "balanced", "reason", **cut-offs}.

    Reference: Chen, F. F. (2007). Sensitivity of goodness of fit indexes to lack of measurement
    invariance. Structural Equation Modeling, 14(3), 464–504.
    """
    from ..errors import ModelError
    from ..i18n import numerals

    sizes = [int(n) for n in group_sizes]
    if not sizes or min(sizes) <= 0:
        raise ModelError(t("invariance.bad_sizes", sizes=numerals(sizes)))
    if not 0 < balance <= 1:
        raise ModelError(t("invariance.bad_balance", balance=balance))
    n = int(sum(sizes))
    balanced = min(sizes) / max(sizes) >= balance
    if rule == "auto":
        name = "large" if n > 300 and balanced else "small"
        reason = "auto"
    elif rule in CHEN_2007:
        name, reason = rule, "forced"
    else:
        raise ModelError(t("invariance.bad_rule", rule=rule))
    return {"rule": name, "n": n, "group_sizes": sizes, "balanced": bool(balanced), "reason": reason,
            **CHEN_2007[name]}


def _rule_text(rule: dict, language: str | None = None) -> str:
    """One sentence naming the rule applied, in ``language`` (default: the current one)."""
    from ..i18n import to_persian_digits

    c = rule
    lang = language or get_language()
    num = to_persian_digits if lang == "fa" else str     # Persian digits in Persian text
    key = "invariance.rule_" + c["rule"] + ("_forced" if c["reason"] == "forced" else "")
    return t(key, language=lang, n=c["n"], sizes=num(" / ".join(map(str, c["group_sizes"]))),
             cfi=num(f"{c['cfi']:.3f}"), rmsea=num(f"{c['rmsea']:.3f}"), srmr_l=num(f"{c['srmr_loadings']:.3f}"),
             srmr_i=num(f"{c['srmr_intercepts']:.3f}"),
             balance=t("invariance.equal" if c["balanced"] else "invariance.unequal", language=lang))


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
class InvarianceResult(Result):
    """``table``: one row per level (fit measures + comparison with the previous level);
    ``fits``: the FitResult of each level; ``guidance``: text per comparison."""

    table: pd.DataFrame
    fits: dict = field(repr=False)
    group: str = ""
    estimator: str = "ML"
    guidance: dict = field(default_factory=dict)
    rule: dict = field(default_factory=dict)

    @property
    def rule_text(self) -> str:
        """The sentence that names the Chen (2007) cut-offs applied (see :func:`chen_rule`)."""
        return _rule_text(self.rule) if self.rule else ""

    def rule_sentence(self, language: str | None = None) -> str:
        """:attr:`rule_text` in ``language`` (the report passes its own)."""
        return _rule_text(self.rule, language) if self.rule else ""

    def guidance_in(self, language: str | None = None) -> dict:
        """:attr:`guidance` in ``language``: the decision for each step, from the stored differences."""
        if not self.rule:
            return {}
        return {level: _guidance(level, row["delta_cfi"], row["delta_rmsea"], row["delta_srmr"], row["delta_pvalue"],
                                 self.rule, language)
                for level, row in self.table.iterrows() if level in self.guidance}

    def to_dict(self) -> dict:
        """{"configural": {fit measures}, "metric": {... + delta_*}, "scalar": ..., "strict": ...}."""
        out = {}
        for level, res in self.fits.items():
            d = {k: json_safe(v) for k, v in res.fit.items()}
            row = self.table.loc[level]
            for k in ("delta_chisq", "delta_df", "delta_pvalue", "delta_cfi", "delta_rmsea", "delta_srmr"):
                if k in row.index:
                    d[k] = json_safe(row[k])
            if level in self.guidance:
                d["guidance"] = self.guidance[level]
            if self.rule:
                d["cutoffs"] = dict(self.rule)
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
        if self.rule:
            lines.append(self.rule_text)
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
        return output_html(f"<p>{html.escape(t('invariance.title', group=self.group, estimator=self.estimator))}</p>"
                           f"{table}<p>{html.escape(self.rule_text)}</p><ul>{notes}</ul>"
                           f"<p><i>{html.escape(t('invariance.note'))}</i></p>")


def decide(level: str, d_cfi: float, d_rmsea: float, d_srmr: float, rule: dict,
           language: str | None = None) -> tuple[str, list]:
    """Chen's (2007) decision for one step: ("ok" | "questionable" | "not", flags).

    "not" when ΔCFI ≤ −cfi *and* (ΔRMSEA ≥ rmsea or ΔSRMR ≥ srmr); "questionable" when only some of
    the indices reach their cut-offs; ``rule`` is a :func:`chen_rule` dict. The SRMR cut-off is the
    loadings one for the metric step and the intercepts one for the scalar and strict steps.
    """
    srmr_cut = rule["srmr_loadings"] if level == "metric" else rule["srmr_intercepts"]
    # compare at the printed precision (3 decimals) so that a printed -0.010 meets a -0.010 cut-off
    cfi_hit = bool(np.isfinite(d_cfi) and round(d_cfi, 6) <= -rule["cfi"])
    rmsea_hit = bool(np.isfinite(d_rmsea) and round(d_rmsea, 6) >= rule["rmsea"])
    srmr_hit = bool(np.isfinite(d_srmr) and round(d_srmr, 6) >= srmr_cut)
    flags = []
    if cfi_hit:
        flags.append(t("invariance.flag_cfi", language=language, value=f"{d_cfi:.3f}", cut=f"{-rule['cfi']:.3f}"))
    if rmsea_hit:
        flags.append(t("invariance.flag_rmsea", language=language, value=f"{d_rmsea:.3f}", cut=f"{rule['rmsea']:.3f}"))
    if srmr_hit:
        flags.append(t("invariance.flag_srmr", language=language, value=f"{d_srmr:.3f}", cut=f"{srmr_cut:.3f}"))
    if cfi_hit and (rmsea_hit or srmr_hit):
        return "not", flags
    return ("questionable" if flags else "ok"), flags


def _guidance(level: str, d_cfi: float, d_rmsea: float, d_srmr: float, p: float, rule: dict,
              language: str | None = None) -> str:
    decision, flags = decide(level, d_cfi, d_rmsea, d_srmr, rule, language)
    chi = t("invariance.chi_sig", language=language, p=f"{p:.3f}") if np.isfinite(p) and p < 0.05 else \
        t("invariance.chi_ns", language=language, p=f"{p:.3f}")
    if decision == "not":
        verdict = t("invariance.verdict_not", language=language, level=level, flags="; ".join(flags))
    elif decision == "questionable":
        verdict = t("invariance.verdict_mixed", language=language, level=level, flags="; ".join(flags))
    else:
        verdict = t("invariance.verdict_ok", language=language, level=level)
    return f"{verdict} {chi}"


def invariance(model: str, data, group: str, estimator: str | None = None, group_partial=None,
               missing: str = "listwise", levels=None, std_lv: bool = False, ordered=None, rule: str = "auto",
               balance: float = 0.8) -> InvarianceResult:
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
    rule : which Chen (2007) cut-offs to apply: "auto" (default: "large" when N > 300 and the
        groups are equal, else "small"; see :func:`chen_rule`), or "large" / "small" to force one.
    balance : smallest / largest group size at or above which groups count as equal (0.8).

    Returns
    -------
    InvarianceResult with ``.rule`` (the cut-offs applied and why), ``.table`` (rows = levels; columns npar chisq df pvalue cfi tli rmsea
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
    chen_rule([1], balance=balance, rule=rule)     # bad rule / balance: fail before fitting
    fits = {}
    for level in levels:
        fits[level] = fit(model, data, estimator=estimator, missing=missing, group=group,
                          group_equal=LEVELS[level], group_partial=group_partial if LEVELS[level] else None,
                          std_lv=std_lv, progress=False, _warn_listwise=(level == levels[0]))
    first = fits[levels[0]]
    chen = chen_rule(np.asarray(first.stats.n), balance=balance, rule=rule)
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
            guidance[level] = _guidance(level, row["delta_cfi"], row["delta_rmsea"], row["delta_srmr"], p, chen)
        else:
            row.update(delta_chisq=np.nan, delta_df=np.nan, delta_pvalue=np.nan, delta_cfi=np.nan,
                       delta_rmsea=np.nan, delta_srmr=np.nan)
        rows.append(row)
        prev = level
    table = pd.DataFrame(rows, index=pd.Index(list(fits), name="level"))
    return InvarianceResult(table=table, fits=fits, group=group, estimator=estimator, guidance=guidance,
                           rule=chen)
