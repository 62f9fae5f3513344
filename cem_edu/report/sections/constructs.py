"""Construct tests: one-sample t-tests of the construct means against the scale midpoint, Friedman's
test with Kendall's W (the constructs ranked), and the APA table of means, SDs and correlations."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ...errors import CemError
from ..context import Context, Section


def section(ctx: Context) -> Section:
    from ...psychometrics.construct_tests import correlation_table, friedman, one_sample_t

    out = ctx.out
    if len(ctx.spec) < 2:
        return ctx.omit("constructs", "one_construct")
    s = Section("constructs", out.t("report.s.constructs"))
    data = ctx.cleaned
    results = {}
    try:
        if ctx.inst is None:  # the midpoint of the answer scale is known only from a questionnaire
            raise CemError(out.t("report.ct.no_scale"))
        tt = one_sample_t(data, ctx.inst, language=ctx.lang)
    except CemError as exc:
        s.blocks.append(out.paragraph(out.t("report.ct.no_t", why=str(exc)), "note"))
    else:
        tab = tt.table.loc[[c for c in ctx.spec if c in tt.table.index]].rename(index=ctx.construct_name,
                                                                                columns=out.col)
        tab.index.name = out.t("construct")
        s.blocks.append(out.table(tab, tt._title(), digits=2, pcols=(out.col("p"),), note=out.t("ct.t_note")))
        results["one_sample_t"] = tt.to_dict()
    fr = friedman(data, ctx.spec, language=ctx.lang)
    ranks = fr.mean_ranks.to_frame(out.t("ct.mean_rank")).rename(index=ctx.construct_name)
    ranks.index.name = out.t("construct")
    caption = out.t("ct.friedman_title", chisq=out.num(fr.chisq, 2), df=out.num(int(fr.df)), p=out.p(fr.p),
                    w=out.num(fr.kendall_w, 3), n=out.num(int(fr.n)))
    post = fr.posthoc.copy()
    if np.allclose(post["V"], post["V"].round()):
        post["V"] = post["V"].round().astype(int)
    post["a"] = post["a"].map(ctx.construct_name)
    post["b"] = post["b"].map(ctx.construct_name)
    s.blocks.append(out.table(ranks, caption, digits=2))
    post.columns = [out.col(c) for c in ("pair_a", "pair_b", "n", "wilcoxon_v", "p", "p_holm")]
    s.blocks.append(out.table(post, out.t("ct.posthoc"), index=False, digits=3,
                              pcols=(out.col("p"), out.col("p_holm"))))
    results["friedman"] = fr.to_dict()
    cor = correlation_table(data, ctx.spec, language=ctx.lang)
    s.blocks.append(out.table(apa_correlations(out, cor, [ctx.construct_name(c) for c in cor.r.index]),
                              out.t("ct.cor_title"), note=out.t("ct.stars")))
    results["correlations"] = cor.to_dict()
    ctx.results["constructs"] = results
    return s


def apa_correlations(out, cor, names: list[str]) -> pd.DataFrame:
    """Means, SDs and the lower triangle of r with stars, every number through the report's Writer."""
    k = len(names)
    table = pd.DataFrame(index=pd.Index([f"{out.digits(str(i + 1))}. {n}" for i, n in enumerate(names)],
                                        name=out.t("construct")))
    table[out.t("ct.M")] = [out.num(v, 2) for v in cor.mean]
    table[out.t("ct.SD")] = [out.num(v, 2) for v in cor.sd]
    for j in range(k):
        table[out.digits(str(j + 1))] = ["—" if i == j else out.corr(cor.r.iat[i, j], cor.p.iat[i, j]) if i > j else ""
                                         for i in range(k)]
    return table
