"""What the model sections share: fitting without the listwise warning, the fit table and sentence."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..i18n import format_number, to_persian_digits
from .context import Context
from .html import Writer

FIT_KEYS = ["ntotal", "npar", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea_ci_lower", "rmsea_ci_upper",
            "srmr", "aic", "bic"]
# WLSMV: the mean- and variance-adjusted ("scaled and shifted") statistic and the indices from it
ORDINAL_FIT_KEYS = ["ntotal", "npar", "chisq", "df", "pvalue", "chisq_scaled", "df_scaled", "pvalue_scaled",
                    "chisq_scaling_factor", "chisq_shift", "cfi_scaled", "tli_scaled", "rmsea_scaled",
                    "rmsea_ci_lower_scaled", "rmsea_ci_upper_scaled", "cfi_robust", "tli_robust", "rmsea_robust", "srmr"]
_COUNTS = {"ntotal", "npar", "df"}


def measurement_syntax(spec: dict[str, list[str]]) -> str:
    """The measurement part of a model (``construct =~ items``) as lavaan syntax."""
    return "\n".join(f"{c} =~ " + " + ".join(items) for c, items in spec.items()) + "\n"


def fit_quietly(ctx: Context, model: str, **kwargs):
    """``ce.fit`` with the report's missing-data rule and without the listwise-deletion warning (the
    report states the loss in a callout instead)."""
    from ..sem import fit

    return fit(model, ctx.data, missing=ctx.missing, ordered=ctx.ordered, _warn_listwise=False, **kwargs)


def fit_table(out: Writer, res) -> pd.DataFrame:
    """lavaan's fitMeasures names and values, formatted (counts as integers, p APA style)."""
    fit = res.fit
    keys = ORDINAL_FIT_KEYS if "chisq_shift" in fit.index else FIT_KEYS
    values = []
    for k in keys:
        v = fit.get(k, np.nan)
        values.append(out.num(int(v)) if k in _COUNTS and np.isfinite(v) else
                      out.p(v) if k.startswith("pvalue") else out.num(v))
    names = [out.t(f"report.measure.{k}") for k in keys]
    return pd.DataFrame({out.t("report.col.value"): values}, index=pd.Index(names, name=out.t("report.col.measure")))


def fit_sentence(out: Writer, fit) -> str:
    """One sentence: the verdict by Hu & Bentler's (1999) cut-offs and the APA-style statistics (for
    WLSMV the scaled-and-shifted statistic and the indices computed from it)."""
    if "chisq_shift" in fit.index:
        fit = fit.copy()
        for k in ("chisq", "pvalue", "cfi", "tli", "rmsea", "rmsea_ci_lower", "rmsea_ci_upper"):
            fit[k] = fit[k + "_scaled"]
    cfi, rmsea, srmr = fit.get("cfi", np.nan), fit.get("rmsea", np.nan), fit.get("srmr", np.nan)
    if cfi >= 0.95 and rmsea <= 0.06 and srmr <= 0.08:
        quality = out.t("report.fit_good")
    elif cfi >= 0.90 and rmsea <= 0.08:
        quality = out.t("report.fit_ok")
    else:
        quality = out.t("report.fit_poor")
    fa = out.fa
    plain = (lambda v, d=3: format_number(v, d, language="fa")) if fa else (lambda v, d=3: f"{v:.{d}f}")
    pv = fit["pvalue"]
    p_text = ("< ۰٫۰۰۱" if fa else "< .001") if pv < 0.001 else ("= " + (plain(pv) if fa else f"{pv:.3f}".lstrip("0")))
    df = to_persian_digits(int(fit["df"])) if fa else str(int(fit["df"]))
    stats = (f"χ²({df}) = {plain(fit['chisq'], 2)}, p {p_text}; CFI = {plain(cfi)}; TLI = {plain(fit.get('tli', np.nan))}; "
             f"RMSEA = {plain(rmsea)} [{plain(fit.get('rmsea_ci_lower', np.nan))}, "
             f"{plain(fit.get('rmsea_ci_upper', np.nan))}]; SRMR = {plain(srmr)}")
    return out.t("report.fit_sentence", quality=quality, stats=out.isolate(stats))


def missing_note(ctx: Context, res) -> list[str]:
    """A callout when listwise deletion drops a noticeable share of the rows."""
    n_used, n_all = int(res.fit.get("ntotal", len(ctx.data))), len(ctx.data)
    if ctx.missing == "listwise" and n_used < 0.9 * n_all:
        share = round(100 * (1 - n_used / n_all))
        return [ctx.out.paragraph(ctx.out.t("report.listwise_loss", used=n_used, total=n_all, share=share), "callout")]
    return []


def fit_blocks(ctx: Context, res) -> list:
    """The fit part of a CFA/SEM section: the missing-data note, the fit sentence and the fit table."""
    out = ctx.out
    return [*missing_note(ctx, res), out.paragraph(fit_sentence(out, res.fit)),
            out.table(fit_table(out, res), out.t("report.fit_caption"))]
