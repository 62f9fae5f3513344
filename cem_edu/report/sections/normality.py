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
    s.blocks.append(out.paragraph(res.advice_text(), "callout"))
    ctx.results["normality"] = res.to_dict()
    return s
