"""PLS-SEM of the same model (``method="pls"`` or ``"both"``): reliability, HTMT, paths with bootstrap
intervals, f², PLSc, R², the path diagram; with ``both`` the CB-SEM and PLS paths side by side and
one sentence on why they differ."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..context import Context, Section


def section(ctx: Context) -> Section:
    from ...plots import pls_path_diagram
    from ...pls import pls

    out = ctx.out
    if not ctx.structural:
        return ctx.omit("pls", "no_structure")
    s = Section("pls", out.t("report.s.pls"))
    missing = "listwise" if ctx.missing == "listwise" else "mean"
    draws = ctx.bootstrap or (1000 if ctx.bootstrap_default_off else 0)  # the PLS bootstrap is fast: keep it
    ctx.pls_draws = draws
    res = pls(ctx.model_text, ctx.data, bootstrap=draws, seed=ctx.seed, missing=missing, progress=ctx.progress)
    consistent = pls(ctx.model_text, ctx.data, consistent=True, missing=missing, progress=False)
    ctx.pls = res
    s.blocks.append(out.paragraph(out.t("report.pls.intro", n=res.n_used, draws=draws,
                                        missing=out.t(f"report.pls.missing_{missing}"))))
    for note in res.notes:
        s.blocks.append(out.paragraph(note, "note"))
    rel = res.reliability[["alpha", "rhoA", "rhoC", "ave"]].rename(
        index=ctx.construct_name, columns={"alpha": "α", "rhoA": "ρ_A", "rhoC": "ρ_C", "ave": "AVE"})
    rel.index.name = out.t("construct")
    s.blocks.append(out.table(rel, out.t("report.pls.reliability_caption")))
    ht = res.htmt.rename(index=ctx.construct_name, columns=ctx.construct_name)
    ht.index.name = out.t("construct")
    s.blocks.append(out.table(ht, out.t("report.pls.htmt_caption")))
    p = res.paths
    arrows = [out.arrow(ctx.construct_name(r), ctx.construct_name(lhs)) for r, lhs in zip(p.rhs, p.lhs)]
    ptab = pd.DataFrame({
        out.t("report.col.path"): arrows, out.t("report.col.beta"): p.est, out.t("report.col.se"): p.se,
        out.t("report.col.p"): p.pvalue, out.t("report.col.ci_lower"): p.ci_lower,
        out.t("report.col.ci_upper"): p.ci_upper, "f²": res.f2["f2"].to_numpy(),
        "PLSc β": consistent.paths["est"].to_numpy()})
    s.blocks.append(out.table(ptab, out.t("report.pls.paths_caption"), index=False, pcols=(out.t("report.col.p"),)))
    r2 = pd.DataFrame({out.t("report.col.r2"): res.r2, "R² adj.": res.r2_adj}).rename(index=ctx.construct_name)
    r2.index.name = out.t("construct")
    s.blocks.append(out.table(r2, out.t("report.r2_caption")))
    if ctx.sem is not None:
        est = ctx.sem.estimates
        cb = est[est.op == "~"].set_index(["lhs", "rhs"])["std_all"]
        both = pd.DataFrame({
            out.t("report.col.path"): arrows,
            "CB-SEM β": [cb.get((lhs, r), np.nan) for lhs, r in zip(p.lhs, p.rhs)], "PLS β": p.est.to_numpy(),
            "PLSc β": consistent.paths["est"].to_numpy()})
        s.blocks.append(out.table(both, out.t("report.pls.both_caption"), index=False, note=out.t("report.pls.why_differ")))
        ctx.results["cbsem_vs_pls"] = both.to_dict(orient="records")
    ax = pls_path_diagram(res, labels={c: ctx.construct_name(c) for c in ctx.spec}, language=ctx.lang)
    s.blocks.append(out.figure(ax.figure, out.t("report.pls.diagram_caption")))
    ctx.results["pls"] = res.to_dict()
    return s
