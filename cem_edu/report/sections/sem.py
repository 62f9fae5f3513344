"""Structural model: fit, paths with intervals, defined (indirect) effects, R² and the path diagram."""
from __future__ import annotations

import pandas as pd

from ..context import Context, Section
from ..fitting import fit_blocks, fit_quietly


def section(ctx: Context) -> Section:
    from ...plots import path_diagram

    out = ctx.out
    if not ctx.structural:
        return ctx.omit("sem", "no_structure")
    s = Section("sem", out.t("report.s.sem"))
    res = fit_quietly(ctx, ctx.model_text, bootstrap=ctx.bootstrap_draws, seed=ctx.seed, progress=ctx.progress)
    ctx.sem = res
    s.blocks.extend(fit_blocks(ctx, res))
    est = res.estimates
    paths = est[est.op == "~"].copy()
    ptab = pd.DataFrame({
        out.t("report.col.path"): [out.arrow(ctx.construct_name(r), ctx.construct_name(lhs))
                                   for r, lhs in zip(paths.rhs, paths.lhs)],
        out.t("report.col.b"): paths.est, out.t("report.col.se"): paths.se, out.t("report.col.beta"): paths.std_all,
        out.t("report.col.p"): paths.pvalue, out.t("report.col.ci_lower"): paths.ci_lower,
        out.t("report.col.ci_upper"): paths.ci_upper})
    s.blocks.append(out.table(ptab, out.t("report.paths_caption"), index=False, pcols=(out.t("report.col.p"),)))
    defined = est[est.op == ":="]
    if len(defined):
        ci = out.t("report.ci_boot", n=ctx.bootstrap) if ctx.bootstrap_draws else out.t("report.ci_wald")
        dtab = pd.DataFrame({out.t("report.col.effect"): defined.lhs, out.t("report.col.b"): defined.est,
                             out.t("report.col.se"): defined.se, out.t("report.col.beta"): defined.std_all,
                             out.t("report.col.ci_lower"): defined.ci_lower,
                             out.t("report.col.ci_upper"): defined.ci_upper})
        s.blocks.append(out.table(dtab, out.t("report.effects_caption", ci=ci), index=False))
    r2 = res.r2
    if isinstance(r2, pd.DataFrame) and {"variable", "r2"} <= set(r2.columns):
        r2 = r2.set_index("variable")["r2"]
    r2 = r2[[v for v in r2.index if v in ctx.spec]]  # the constructs; item R² are the squared loadings above
    if len(r2):
        r2f = r2.to_frame(out.t("report.col.r2")).rename(index=ctx.construct_name)
        r2f.index.name = out.t("construct")
        s.blocks.append(out.table(r2f, out.t("report.r2_caption")))
    ax = path_diagram(res, labels={c: ctx.construct_name(c) for c in ctx.spec}, language=ctx.lang)
    s.blocks.append(out.figure(ax.figure, out.t("report.path_caption")))
    ctx.results["sem"] = res.to_dict()
    return s
