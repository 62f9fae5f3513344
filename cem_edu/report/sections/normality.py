"""Normality: per item skewness, excess kurtosis, Shapiro–Wilk and Kolmogorov–Smirnov (Lilliefors),
Mardia's multivariate tests and the estimator they suggest (ML or MLR)."""
from __future__ import annotations

import pandas as pd

from ..context import Context, Section


def section(ctx: Context) -> Section:
    from ...psychometrics.normality import normality

    out = ctx.out
    s = Section("normality", out.t("report.s.normality"))
    res = normality(ctx.data, ctx.spec, language=ctx.lang)
    tab = res.items.drop(columns=["n"]).rename(columns=out.col)
    tab.index.name = out.t("item")
    s.blocks.append(out.table(tab, res._title(), pcols=(out.col("sw_p"), out.col("ks_p")),
                              note=out.t("norm.large_n")))
    m = res.mardia
    mardia = pd.DataFrame({out.t("report.col.statistic"): [m["b1p"], m["skew"], m["small_skew"], m["b2p"], m["kurtosis"]],
                           out.t("report.col.p"): [float("nan"), m["p_skew"], m["p_small"], float("nan"), m["p_kurt"]]},
                          index=pd.Index([out.t(f"report.mardia.{k}") for k in
                                          ("b1p", "skew", "small_skew", "b2p", "kurtosis")],
                                         name=out.t("report.col.measure")))
    s.blocks.append(out.table(mardia, out.t("report.mardia_caption", n=m["n"], p=m["p"]),
                              pcols=(out.t("report.col.p"),)))
    # the advice of ce.normality, in the report's numbers, naming the bootstrap only when the model has
    # defined (indirect) effects
    indirect = out.t("report.norm.and_bootstrap") if ":=" in ctx.model_text else ""
    s.blocks.append(out.paragraph(out.t(f"report.norm.advice_{res.advice.lower()}", p_skew=out.p_text(m["p_skew"]),
                                        kurt=out.num(m["kurtosis"], 2), p_kurt=out.p_text(m["p_kurt"]),
                                        b2p=out.num(m["b2p"], 2), expected=out.num(m["p"] * (m["p"] + 2)),
                                        indirect=indirect), "callout"))
    ctx.results["normality"] = res.to_dict()
    return s
